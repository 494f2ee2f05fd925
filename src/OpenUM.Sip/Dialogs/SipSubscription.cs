using System.Globalization;
using System.Net;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Dialogs;

/// <summary>
/// The notifier side of one subscription and its dialog (RFC 6665 §4.2): NOTIFYs with the current state, refreshes
/// and unsubscribes (answered by the agent, each followed by a NOTIFY), expiry on the timer wheel.
/// </summary>
/// <remarks>
/// NOTIFYs of one subscription go out one at a time, in call order. The agent answers a refresh with 200 and
/// re-sends the last state it notified; Expires: 0 gets 200 and a final "terminated;reason=timeout" NOTIFY, and so
/// does expiry. A NOTIFY answered 481, or left without response (Timer F) or connection, ends the subscription
/// (RFC 6665 §4.2.2). Like a call's dialog, it keeps the connection the SUBSCRIBE came on while that is open,
/// then goes to the first route or the remote target.
/// </remarks>
public sealed partial class SipSubscription
{
    private readonly SipUserAgent _agent;
    private readonly object _sync = new();
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly TaskCompletionSource<SipSubscriptionEnd> _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _localHeader;
    private readonly string _remoteHeader;
    private readonly IReadOnlyList<string> _routeSet;
    private readonly string? _contactUser;
    private readonly SipEventHeader _event;
    private SipConnection _connection;
    private SipUri _remoteTarget;
    private uint _localCSeq;
    private uint _remoteCSeq;
    private SipSubscriptionState _state;
    private ReadOnlyMemory<byte> _body;
    private string? _contentType;
    private long _deadline;              // timestamp of expiry
    private TimerWheelEntry? _expiry;
    private string? _finalReason;        // set once a terminated NOTIFY is due: nothing else is sent after it
    private SipSubscriptionEndReason _finalCause;
    private int _ended;

    private SipSubscription(SipUserAgent agent, SipConnection connection, SipMessage subscribe, string localTag,
        SipEventHeader @event, IPAddress peer)
    {
        _agent = agent;
        _connection = connection;
        _event = @event;
        Peer = peer;
        Request = subscribe;
        CallId = subscribe.CallId!;
        LocalTag = localTag;
        RemoteTag = subscribe.From!.Tag;
        // UAS side (RFC 3261 §12.1.1): route set = Record-Route in order, remote target = Contact.
        _localHeader = subscribe.Headers.Get("To") + ";tag=" + localTag;
        _remoteHeader = subscribe.Headers.Get("From")!;
        _remoteTarget = subscribe.Contact!.Uri;
        _routeSet = subscribe.Headers.SplitValues("Record-Route");
        _remoteCSeq = subscribe.CSeq!.Value.Number;
        _contactUser = subscribe.RequestUri?.User;
        Key = SipUserAgent.DialogKey(CallId, localTag, RemoteTag);
        connection.AddUser();
    }

    /// <summary>The SUBSCRIBE that created the subscription.</summary>
    public SipMessage Request { get; }

    /// <summary>Call-ID of the subscription's dialog.</summary>
    public string CallId { get; }

    /// <summary>Our tag (the To tag of our 200).</summary>
    public string LocalTag { get; }

    /// <summary>The subscriber's tag.</summary>
    public string? RemoteTag { get; }

    /// <summary>The event package (Event header, without the id).</summary>
    public string EventPackage => _event.Package;

    /// <summary>The connection NOTIFYs currently go out on.</summary>
    public SipConnectionInfo Connection
    {
        get
        {
            lock (_sync) return _connection.Info;
        }
    }

    /// <summary>The state the last NOTIFY reported (or the initial one is about to).</summary>
    public SipSubscriptionState State
    {
        get
        {
            lock (_sync) return _state;
        }
    }

    /// <summary>Time left before the subscription expires, as the next NOTIFY's expires parameter would say it.</summary>
    public TimeSpan Remaining
    {
        get
        {
            lock (_sync) return RemainingLocked();
        }
    }

    /// <summary>Completes once when the subscription ends, with why.</summary>
    public Task<SipSubscriptionEnd> Terminated => _terminated.Task;

    internal string Key { get; }

    internal IPAddress Peer { get; }

    internal static SipSubscription ForNotifier(SipUserAgent agent, SipConnection connection, SipMessage subscribe, string localTag,
        SipEventHeader @event, IPAddress peer) => new(agent, connection, subscribe, localTag, @event, peer);

    /// <summary>
    /// Sends a NOTIFY "Subscription-State: active;expires=N" with <paramref name="body"/> (the new state), which the
    /// subscription keeps for refreshes. Completes with the NOTIFY's final response or failure; after the subscription
    /// ended, nothing is sent and the result is 481 <see cref="SipRequestFailure.SubscriptionEnded"/>.
    /// </summary>
    /// <remarks><paramref name="ct"/> only gives up waiting for the turn; a NOTIFY sent is bounded by its transaction (64*T1).</remarks>
    public async Task<SipRequestResult> NotifyAsync(ReadOnlyMemory<byte> body, string contentType, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        await _turn.WaitAsync(ct).ConfigureAwait(false);
        lock (_sync)
        {
            if (_finalReason is null && _ended == 0)
            {
                _state = SipSubscriptionState.Active;
                _body = body;
                _contentType = contentType;
            }
        }
        return await SendInTurnAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the subscription from our side (RFC 6665 §4.2.2): a NOTIFY "Subscription-State: terminated;reason=R"
    /// (noresource: the resource is gone; deactivated: re-subscribe; rejected: no longer allowed).
    /// </summary>
    public Task<SipRequestResult> TerminateAsync(string reason = "noresource", CancellationToken ct = default)
    {
        if (!SipGrammar.IsToken(reason)) throw new ArgumentException("The reason must be a token.", nameof(reason));
        if (!MarkFinal(reason, SipSubscriptionEndReason.Terminated)) return Task.FromResult(EndedResult());
        return SendNextAsync(ct);
    }

    // Puts the subscription in the agent's table and arms its expiry; the initial NOTIFY follows.
    internal void Begin(TimeSpan granted, SipSubscriptionState state, ReadOnlyMemory<byte> body, string? contentType)
    {
        lock (_sync)
        {
            _state = state;
            _body = body;
            _contentType = contentType;
            if (granted <= TimeSpan.Zero)
            {
                // A fetch (RFC 6665 §4.4.3): one NOTIFY with the state, and it is over.
                _finalReason = "timeout";
                _finalCause = SipSubscriptionEndReason.Unsubscribed;
            }
            else
            {
                Arm(granted);
            }
        }
        _agent.AddSubscription(this);
    }

    // The initial NOTIFY takes the first turn now, before the accepting handler can queue another.
    internal void SendInitial()
    {
        if (!_turn.Wait(0)) return;
        _ = SendInTurnAsync();
    }

    private Task<SipRequestResult> SendNextAsync(CancellationToken ct)
    {
        return Run();

        async Task<SipRequestResult> Run()
        {
            await _turn.WaitAsync(ct).ConfigureAwait(false);
            return await SendInTurnAsync().ConfigureAwait(false);
        }
    }

    // Caller holds the turn: sends the NOTIFY the current state calls for, then gives the turn back.
    private async Task<SipRequestResult> SendInTurnAsync()
    {
        try
        {
            SipConnection connection;
            lock (_sync)
            {
                if (_ended != 0) return EndedResult();
                connection = _connection;
            }
            if (connection.IsClosed && await ReconnectAsync().ConfigureAwait(false) is { } reconnected) connection = reconnected;
            if (connection.IsClosed)
            {
                End(SipSubscriptionEndReason.NotifyFailed);
                return new SipRequestResult(503, "Service Unavailable", null) { Failure = SipRequestFailure.Transport };
            }
            SipMessage notify;
            string branch;
            bool final;
            lock (_sync)
            {
                if (_ended != 0) return EndedResult();
                final = _finalReason is not null;
                (notify, branch) = BuildNotify(connection);
            }
            var outcome = new SipUserAgent.RequestOutcome(_agent.Logger);
            _agent.StartClientTransaction(connection, notify, branch, outcome);
            var result = await outcome.Task.ConfigureAwait(false);
            if (result.StatusCode == 481 && result.Response is not null) End(SipSubscriptionEndReason.Rejected);
            else if (result.Failure != SipRequestFailure.None) End(SipSubscriptionEndReason.NotifyFailed);
            else if (final) End(_finalCause);
            return result;
        }
        finally
        {
            _turn.Release();
        }
    }

    // Caller holds _sync. RFC 6665 §4.2.2: Event as subscribed, Subscription-State, Contact (a target refresh request).
    private (SipMessage, string) BuildNotify(SipConnection connection)
    {
        var (notify, branch) = DialogRequests.Build("NOTIFY", ++_localCSeq, connection, CallId, _localHeader, _remoteHeader,
            _remoteTarget, _routeSet, _agent.Options.UserAgentHeader);
        var h = notify.Headers;
        h.Set("Event", _event.Value);
        var seconds = ((long)Math.Ceiling(RemainingLocked().TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        h.Set("Subscription-State", _finalReason is { } reason ? "terminated;reason=" + reason
            : (_state == SipSubscriptionState.Pending ? "pending;expires=" : "active;expires=") + seconds);
        h.Set("Contact", _agent.ContactFor(connection, _contactUser));
        // A pending subscription says nothing about the state (RFC 6665 §4.1.3); a final NOTIFY may still carry it.
        if (_state == SipSubscriptionState.Active && !_body.IsEmpty)
        {
            h.Set("Content-Type", _contentType!);
            notify.Body = _body;
        }
        if (_finalReason is not null) _state = SipSubscriptionState.Terminated;
        return (notify, branch);
    }

    // Caller holds _sync.
    private TimeSpan RemainingLocked()
    {
        if (_finalReason is not null || _ended != 0) return TimeSpan.Zero;
        var left = _agent.Wheel.TimeProvider.GetElapsedTime(_agent.Wheel.TimeProvider.GetTimestamp(), _deadline);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    // Caller holds _sync: (re)starts the expiry clock.
    private void Arm(TimeSpan granted)
    {
        _expiry?.Cancel();
        var time = _agent.Wheel.TimeProvider;
        _deadline = time.GetTimestamp() + (long)(granted.TotalSeconds * time.TimestampFrequency);
        _expiry = _agent.Wheel.Schedule(granted, static s => ((SipSubscription)s!).OnExpired(), this);
    }

    // The subscriber did not refresh in time: a final NOTIFY, reason timeout (RFC 6665 §4.2.2).
    private void OnExpired()
    {
        if (MarkFinal("timeout", SipSubscriptionEndReason.Expired)) _ = SendNextAsync(CancellationToken.None);
    }

    // True when this call decided the terminated NOTIFY (only one is ever sent).
    private bool MarkFinal(string reason, SipSubscriptionEndReason cause)
    {
        lock (_sync)
        {
            if (_finalReason is not null || _ended != 0) return false;
            _finalReason = reason;
            _finalCause = cause;
            _expiry?.Cancel();
            _expiry = null;
            return true;
        }
    }

    // The dialog's connection closed: reuse or open one to the next hop, as a call's dialog does. Null when that fails.
    private async Task<SipConnection?> ReconnectAsync()
    {
        SipConnection old;
        SipUri hop;
        lock (_sync)
        {
            old = _connection;
            hop = DialogRequests.NextHop(_routeSet, _remoteTarget);
        }
        var connection = await DialogRequests.ConnectNextHopAsync(_agent, hop, old, "subscription " + CallId, old.Info.Remote)
            .ConfigureAwait(false);
        if (connection is null) return null;
        lock (_sync)
        {
            if (_ended == 0) DialogRequests.Adopt(ref _connection, old, connection);
        }
        return connection;
    }

    // Ends once: out of the table, its place in the caps given back, the connection released.
    internal void End(SipSubscriptionEndReason reason)
    {
        SipConnection connection;
        lock (_sync)
        {
            if (_ended != 0) return;
            _ended = 1;
            _state = SipSubscriptionState.Terminated;
            _expiry?.Cancel();
            _expiry = null;
            connection = _connection;
        }
        _agent.RemoveSubscription(this);
        connection.RemoveUser();
        _terminated.TrySetResult(new SipSubscriptionEnd(reason));
    }

    private static SipRequestResult EndedResult() =>
        new(481, "Subscription Does Not Exist", null) { Failure = SipRequestFailure.SubscriptionEnded };

    /// <inheritdoc/>
    public override string ToString() => $"subscription {CallId} {_event.Value} local={LocalTag} remote={RemoteTag}";
}

/// <summary>Why a subscription ended.</summary>
public enum SipSubscriptionEndReason
{
    /// <summary>The subscriber sent Expires: 0 (or fetched once); the final NOTIFY was sent.</summary>
    Unsubscribed,

    /// <summary>Not refreshed in time; the final NOTIFY (reason timeout) was sent.</summary>
    Expired,

    /// <summary>We ended it with <see cref="SipSubscription.TerminateAsync"/>.</summary>
    Terminated,

    /// <summary>The subscriber answered a NOTIFY 481: it no longer has the subscription.</summary>
    Rejected,

    /// <summary>A NOTIFY got no response (Timer F) or no connection.</summary>
    NotifyFailed,

    /// <summary>The user agent shut down.</summary>
    Shutdown,
}

/// <summary>How a subscription ended.</summary>
public readonly record struct SipSubscriptionEnd(SipSubscriptionEndReason Reason);
