using System.Text.Json;
using System.Text.Json.Serialization;
using OpenUM.Calls;

namespace OpenUM.Server.Control;

/// <summary>
/// The control channel's protocol: one JSON request line (<see cref="ControlRequest"/>) from the client, one JSON
/// response line (<see cref="ControlResponse"/>) from the server, then the connection is closed.
/// </summary>
public static class ControlProtocol
{
    /// <summary>The socket's file name in the data directory.</summary>
    public const string SocketName = "control.sock";

    /// <summary>The longest request line the server reads; anything longer is refused.</summary>
    public const int MaxRequestBytes = 1024;

    /// <summary>"status": the server's state (<see cref="ServerStatus"/>).</summary>
    public const string Status = "status";

    /// <summary>"calls": the calls in progress (<see cref="ActiveCallInfo"/>).</summary>
    public const string Calls = "calls";

    /// <summary>JSON as both sides write it (camelCase, enums as names, durations in seconds, one line).</summary>
    public static ControlJsonContext Json { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter<ActiveCallState>(), new SecondsConverter() },
    });

    /// <summary>
    /// A duration as a number of seconds (millisecond precision), the unit monitoring tools compute with, rather than
    /// .NET's "d.hh:mm:ss.fffffff" text; the property names say so (uptimeSeconds, durationSeconds).
    /// </summary>
    public sealed class SecondsConverter : JsonConverter<TimeSpan>
    {
        /// <inheritdoc />
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            TimeSpan.FromSeconds(reader.GetDouble());

        /// <inheritdoc />
        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(Math.Round(value.TotalSeconds, 3));
    }
}

/// <summary>A request: the command and nothing else.</summary>
public sealed record ControlRequest(string Command);

/// <summary>A response: <see cref="Error"/> set when the request could not be served, else the command's answer.</summary>
public sealed record ControlResponse
{
    /// <summary>Why the request was not served (unknown command, malformed request, busy).</summary>
    public string? Error { get; init; }
    /// <summary>The answer to "status".</summary>
    public ServerStatus? Status { get; init; }
    /// <summary>The answer to "calls".</summary>
    public IReadOnlyList<ActiveCallInfo>? Calls { get; init; }
}

/// <summary>What `openum status` shows: the running server as it is now.</summary>
public sealed record ServerStatus
{
    /// <summary>The server's version.</summary>
    public required string Version { get; init; }
    /// <summary>The UmServer object this process is.</summary>
    public required string ServerName { get; init; }
    /// <summary>The process id of `openum serve`.</summary>
    public required int ProcessId { get; init; }
    /// <summary>When the service started.</summary>
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>How long it has been running (uptimeSeconds in JSON).</summary>
    [JsonPropertyName("uptimeSeconds")]
    public required TimeSpan Uptime { get; init; }
    /// <summary>The startup mode the dial plans call for (TCP, TLS or Dual).</summary>
    public required string Mode { get; init; }
    /// <summary>The address the SIP listeners bind to.</summary>
    public required string ListenAddress { get; init; }
    /// <summary>The SIP TCP port, when listening.</summary>
    public int? SipTcpPort { get; init; }
    /// <summary>The SIP TLS port, when listening.</summary>
    public int? SipTlsPort { get; init; }
    /// <summary>The SIP UDP port, when listening.</summary>
    public int? SipUdpPort { get; init; }
    /// <summary>The RTP port range ("16384-31999").</summary>
    public required string RtpPorts { get; init; }
    /// <summary>Where the metrics endpoint listens (ADDRESS:PORT), when it is on.</summary>
    public string? MetricsListen { get; init; }
    /// <summary>Whether the metrics endpoint speaks HTTPS.</summary>
    public bool MetricsTls { get; init; }
    /// <summary>Where the HTTPS admin API listens (ADDRESS:PORT), when it is on.</summary>
    public string? AdminApiListen { get; init; }
    /// <summary>The certificate in use for TLS (null: none loaded yet, as in TCP mode without a smart host).</summary>
    public CertificateStatus? Certificate { get; init; }
    /// <summary>The configuration version in force.</summary>
    public required long ConfigurationVersion { get; init; }
    /// <summary>Where the configuration is read ("SQLite PATH" or "PostgreSQL CONNECTION" without its password).</summary>
    public required string ConfigurationStore { get; init; }
    /// <summary>Calls in progress.</summary>
    public required int ActiveCalls { get; init; }
    /// <summary>The server's MaxCallsAllowed.</summary>
    public required int MaxCallsAllowed { get; init; }
    /// <summary>Voice messages recorded and not yet delivered (waiting in the spool).</summary>
    public required int SpoolPending { get; init; }
    /// <summary>Voice messages queued for the SMTP smart host.</summary>
    public required int OutboxQueued { get; init; }
    /// <summary>Dead letters in the outbox.</summary>
    public required int OutboxDead { get; init; }
    /// <summary>When the oldest queued message was queued (null: queue empty).</summary>
    public DateTimeOffset? OutboxOldestQueuedAt { get; init; }
    /// <summary>The most recent warnings and errors, oldest first.</summary>
    public required IReadOnlyList<RecentEvent> LastErrors { get; init; }
    /// <summary>Message-waiting indication counters (null until it started).</summary>
    public MwiStatus? Mwi { get; init; }
}

/// <summary>
/// Message-waiting indication since the start: change notices handled, mailboxes counted, unsolicited NOTIFYs a
/// gateway took, states no gateway took (1344), message-summary subscriptions held, and whether notifications are
/// held because the message store is unavailable (2039).
/// </summary>
public sealed record MwiStatus(long Changes, long Recounts, long Sent, long Failed, int Subscriptions, bool Suspended);

/// <summary>The certificate in use: who it names and when it expires.</summary>
public sealed record CertificateStatus(string Subject, string Thumbprint, bool SelfSigned, DateTimeOffset NotAfter, int DaysToExpiry);

/// <summary>A warning or error the server logged.</summary>
public sealed record RecentEvent(DateTimeOffset Time, int Id, string Level, string Message);

/// <summary>Source-generated JSON for the control protocol (no reflection on either side).</summary>
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
public sealed partial class ControlJsonContext : JsonSerializerContext;
