using System.Collections.Concurrent;

namespace OpenUM.Calls;

/// <summary>What an active call is doing now (the State column of Get-UMActiveCalls).</summary>
public enum ActiveCallState
{
    /// <summary>Admitted; media is being negotiated and the 200 OK sent.</summary>
    Answering,
    /// <summary>The caller hears the mailbox's greeting (or the no-mailbox prompt).</summary>
    Greeting,
    /// <summary>The caller's message is being recorded.</summary>
    Recording,
    /// <summary>The caller hears the goodbye before the server hangs up.</summary>
    Goodbye,
    /// <summary>A subscriber on the dial plan's access number (PIN, messages, call-back).</summary>
    SubscriberAccess,
    /// <summary>The storage-full announcement is playing.</summary>
    Announcement,
    /// <summary>The call is being hung up (BYE, media closed, message handed to delivery).</summary>
    Ending,
}

/// <summary>
/// The calls in progress on this server (Get-UMActiveCalls): one entry from the moment a call is admitted until its
/// handler has finished, updated by the call as it moves on. Owned by the <see cref="CallController"/>; everyone else
/// reads <see cref="Snapshot"/>.
/// </summary>
public sealed class ActiveCalls
{
    private readonly ConcurrentDictionary<long, ActiveCall> _calls = new();
    private readonly TimeProvider _time;
    private long _next;

    /// <summary>An empty registry; start times and durations come from <paramref name="time"/>.</summary>
    public ActiveCalls(TimeProvider time) => _time = time;

    /// <summary>The number of calls in progress.</summary>
    public int Count => _calls.Count;

    /// <summary>The calls in progress, oldest first, as they are at this moment.</summary>
    public IReadOnlyList<ActiveCallInfo> Snapshot()
    {
        var now = _time.GetUtcNow();
        return [.. _calls.Values.OrderBy(c => c.Sequence).Select(c => c.Describe(now))];
    }

    /// <summary>Registers a call just admitted (state <see cref="ActiveCallState.Answering"/>); the caller must <see cref="Remove"/> it.</summary>
    internal ActiveCall Add(string callId, string gateway, string dialPlan, string extension, string callerId, string transport, string remote)
    {
        var call = new ActiveCall(Interlocked.Increment(ref _next), callId, gateway, dialPlan, extension, callerId, transport, remote, _time.GetUtcNow());
        _calls[call.Sequence] = call;
        CallMetrics.CallStarted();
        return call;
    }

    /// <summary>Forgets a call that has ended or was never answered.</summary>
    internal void Remove(ActiveCall call)
    {
        if (_calls.TryRemove(call.Sequence, out _)) CallMetrics.CallEnded();
    }
}

/// <summary>One call of <see cref="ActiveCalls"/>; the call that owns it moves its state and media on.</summary>
internal sealed class ActiveCall(long sequence, string callId, string gateway, string dialPlan, string extension, string callerId,
    string transport, string remote, DateTimeOffset startedAt)
{
    private volatile string _media = "";
    private volatile string _srtp = "";
    private volatile int _state = (int)ActiveCallState.Answering;

    public long Sequence { get; } = sequence;

    /// <summary>The state shown from now on.</summary>
    public ActiveCallState State
    {
        get => (ActiveCallState)_state;
        set => _state = (int)value;
    }

    /// <summary>Records the negotiated codec (its SDP name, PCMU) and SRTP suite ("" for plain RTP), at the answer and at each re-INVITE.</summary>
    public void SetMedia(string codec, string srtpSuite) => (_media, _srtp) = (codec, srtpSuite);

    public ActiveCallInfo Describe(DateTimeOffset now) =>
        new(callId, gateway, dialPlan, extension, callerId, State, startedAt, now - startedAt, transport, remote,
            _media.Length > 0 ? _media : null, _srtp.Length > 0 ? _srtp : null);
}

/// <summary>One row of Get-UMActiveCalls.</summary>
/// <param name="CallId">The SIP Call-ID.</param>
/// <param name="Gateway">The IP gateway the call came from.</param>
/// <param name="DialPlan">The dial plan it was routed to.</param>
/// <param name="Extension">The called extension ("" when none was found; "(subscriber access)" for the access number).</param>
/// <param name="CallerId">The caller's number (From user part), or "Anonymous".</param>
/// <param name="State">What the call is doing now.</param>
/// <param name="StartedAt">When it was admitted.</param>
/// <param name="Duration">How long it has been in progress (durationSeconds in JSON).</param>
/// <param name="Transport">The SIP transport (Tcp, Tls, Udp).</param>
/// <param name="Remote">The gateway's address and port of the SIP connection.</param>
/// <param name="Media">The negotiated codec (null until answered).</param>
/// <param name="SrtpSuite">The SRTP crypto suite of a Secured call (null for plain RTP).</param>
public sealed record ActiveCallInfo(string CallId, string Gateway, string DialPlan, string Extension, string CallerId, ActiveCallState State,
    DateTimeOffset StartedAt, [property: System.Text.Json.Serialization.JsonPropertyName("durationSeconds")] TimeSpan Duration, string Transport, string Remote, string? Media, string? SrtpSuite);
