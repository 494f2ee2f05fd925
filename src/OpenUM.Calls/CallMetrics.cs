using System.Diagnostics.Metrics;
using OpenUM.Media.Session;

namespace OpenUM.Calls;

/// <summary>
/// The call layer's instruments (meter <see cref="MeterName"/>), counted where each decision is taken. Names and tag
/// values are stable: docs/monitoring.md lists them as Prometheus sees them. Tags are preallocated pairs, so counting
/// allocates nothing; nothing here is touched per media packet.
/// </summary>
public static class CallMetrics
{
    /// <summary>Meter of the call layer.</summary>
    public const string MeterName = "OpenUM.Calls";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Counter<long> s_calls = s_meter.CreateCounter<long>("openum.calls", "{call}",
        "INVITEs decided, by outcome: answered, refused (a SIP error status), failed (an error of the server)");
    private static readonly Counter<long> s_refusals = s_meter.CreateCounter<long>("openum.refusals", "{refusal}",
        "Connections and calls refused, by reason and the event ID that reports them");
    private static readonly UpDownCounter<long> s_active = s_meter.CreateUpDownCounter<long>("openum.calls.active", "{call}",
        "Calls in progress (admitted and not yet ended)");
    private static readonly Counter<long> s_recordings = s_meter.CreateCounter<long>("openum.recordings", "{recording}",
        "Voice message recordings ended, by what ended them");
    private static readonly Histogram<double> s_recordingDuration = s_meter.CreateHistogram<double>("openum.recording.duration", "s",
        "Length of the recorded voice messages");
    private static readonly Counter<long> s_srtpRejections = s_meter.CreateCounter<long>("openum.srtp.rejections", "{packet}",
        "SRTP and SRTCP packets dropped on Secured calls, by kind (added up when each call ends)");

    private static readonly KeyValuePair<string, object?> Answered = new("outcome", "answered");
    private static readonly KeyValuePair<string, object?> Refused = new("outcome", "refused");
    private static readonly KeyValuePair<string, object?> Failed = new("outcome", "failed");

    private static readonly KeyValuePair<string, object?>[] SrtpKinds =
    [
        new("kind", "rtp_authentication"), new("kind", "rtp_replay"), new("kind", "rtp_other"),
        new("kind", "rtcp_authentication"), new("kind", "rtcp_replay"), new("kind", "rtcp_other"),
    ];

    private static readonly KeyValuePair<string, object?>[] StopReasons =
        [.. Enum.GetValues<Media.RecordingStopReason>().Select(r => new KeyValuePair<string, object?>("reason", Snake(r.ToString())))];

    /// <summary>A call answered with 200 OK (event 2002).</summary>
    public static void CallAnswered() => s_calls.Add(1, Answered);

    /// <summary>An INVITE answered with an error status of the server's own (not a refusal).</summary>
    public static void CallFailed() => s_calls.Add(1, Failed);

    /// <summary>A refused INVITE: counted as a call refused and as a refusal.</summary>
    public static void CallRefused(RefusalReason reason)
    {
        s_calls.Add(1, Refused);
        Refusal(reason);
    }

    /// <summary>A refusal before any call exists (a connection or its first message).</summary>
    public static void Refusal(RefusalReason reason) => s_refusals.Add(1, reason.Reason, reason.EventId);

    internal static void CallStarted() => s_active.Add(1);

    internal static void CallEnded() => s_active.Add(-1);

    /// <summary>A recording that ended (any reason) and how long it was.</summary>
    public static void RecordingEnded(Media.RecordingStopReason reason, TimeSpan duration)
    {
        int i = (int)reason;
        s_recordings.Add(1, i >= 0 && i < StopReasons.Length ? StopReasons[i] : new KeyValuePair<string, object?>("reason", "other"));
        s_recordingDuration.Record(duration.TotalSeconds);
    }

    /// <summary>The SRTP rejections of one Secured call, added once at its end.</summary>
    public static void SrtpRejections(SrtpStatistics stats)
    {
        ReadOnlySpan<long> counts = [stats.RtpAuthenticationFailures, stats.RtpReplays, stats.RtpOther,
            stats.RtcpAuthenticationFailures, stats.RtcpReplays, stats.RtcpOther];
        for (int i = 0; i < counts.Length; i++)
            if (counts[i] > 0) s_srtpRejections.Add(counts[i], SrtpKinds[i]);
    }

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

/// <summary>Why a connection or call was refused: the stable "reason" and "event_id" tags of openum.refusals.</summary>
public sealed class RefusalReason
{
    private RefusalReason(string reason, int eventId) =>
        (Reason, EventId) = (new("reason", reason), new("event_id", eventId.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    internal KeyValuePair<string, object?> Reason { get; }
    internal KeyValuePair<string, object?> EventId { get; }

    /// <summary>The tag value of "reason".</summary>
    public string Name => (string)Reason.Value!;

    /// <summary>A TCP/UDP source that is no gateway's address (connection refused before any SIP is read).</summary>
    public static readonly RefusalReason UnknownAddress = new("unknown_address", 1021);
    /// <summary>A TLS source that is no secured gateway's address (no handshake started).</summary>
    public static readonly RefusalReason UnknownTlsAddress = new("unknown_tls_address", 1021);
    /// <summary>A verified certificate that names no configured gateway.</summary>
    public static readonly RefusalReason UnknownCertificateName = new("unknown_certificate_name", 1021);
    /// <summary>An INVITE from a peer that is no configured gateway.</summary>
    public static readonly RefusalReason UnknownPeer = new("unknown_peer", 1021);
    /// <summary>The gateway is disabled.</summary>
    public static readonly RefusalReason GatewayDisabled = new("gateway_disabled", 1021);
    /// <summary>This UM server is disabled.</summary>
    public static readonly RefusalReason ServerDisabled = new("server_disabled", 1021);
    /// <summary>No hunt group of the gateway matches.</summary>
    public static readonly RefusalReason NoHuntGroup = new("no_hunt_group", 1021);
    /// <summary>The call came over a transport its dial plan's security mode does not take.</summary>
    public static readonly RefusalReason WrongTransport = new("wrong_transport", 1021);
    /// <summary>MaxCallsAllowed reached.</summary>
    public static readonly RefusalReason MaxCalls = new("max_calls", 1021);
    /// <summary>No RTP port free.</summary>
    public static readonly RefusalReason NoRtpPort = new("no_rtp_port", 1021);
    /// <summary>No acceptable media (codecs, or the SRTP the dial plan requires).</summary>
    public static readonly RefusalReason Media = new("media", 1021);
    /// <summary>A pilot number of a disabled auto attendant (480, event 2096).</summary>
    public static readonly RefusalReason AutoAttendantDisabled = new("auto_attendant_disabled", 2096);
    /// <summary>The data directory cannot take the message (503, event 2062).</summary>
    public static readonly RefusalReason Storage = new("storage", 2062);
}
