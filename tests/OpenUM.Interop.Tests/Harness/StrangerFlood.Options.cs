using System.Net;
using System.Text.Json;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>What <see cref="StrangerFlood"/> sends at a listener, from which source addresses, for how long.</summary>
public sealed record StrangerFloodOptions
{
    /// <summary>The listener to flood (a TLS port; a plain TCP port works for the silent connections).</summary>
    public required IPEndPoint Target { get; init; }

    /// <summary>Loopback source addresses (see <see cref="StrangerFlood.LoopbackSources"/>), each a distinct stranger.</summary>
    public required IReadOnlyList<IPAddress> Sources { get; init; }

    /// <summary>Silent connections held per source, re-opened as soon as the server closes one.</summary>
    public int SilentPerSource { get; init; } = 64;

    /// <summary>False: a silent connection sends nothing; true: it sends one ClientHello, then stalls.</summary>
    public bool SilentSendsClientHello { get; init; }

    /// <summary>Parallel loops doing complete TLS handshakes without a client certificate, back to back.</summary>
    public int HandshakeLoops { get; init; } = 32;

    /// <summary>SNI of the handshakes and of the ClientHello.</summary>
    public string ServerName { get; init; } = "um.example.test";

    /// <summary>How long the flood runs; at the end every socket is closed.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connect plus handshake of one handshake-loop attempt; longer counts as timed out.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A silent connection's connect that takes longer is abandoned (TimedOut) and tried again.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Silent connections' connects in flight at once (the others wait their turn): enough to keep a listener's
    /// accept queue full, without thousands of sockets sitting in SYN retransmission back-off (1 s, 3 s, 7 s...)
    /// when that queue overflows, which would make the pressure depend on the kernel's timers.
    /// </summary>
    public int MaxPendingConnects { get; init; } = 256;
}

/// <summary>
/// What one flood did. Every connect ends as succeeded or failed (by SocketError; a connect cut by the run's end
/// counts as OperationAborted, one over <see cref="StrangerFloodOptions.ConnectTimeout"/> or, in a handshake loop,
/// over <see cref="StrangerFloodOptions.HandshakeTimeout"/> as TimedOut);
/// every handshake attempt (a connected socket of a handshake loop) ends in exactly one outcome:
/// Completed (our side finished and no refusal came within the attempt's time: the server kept the session, or was
/// too slow to say no), CompletedThenRefused (our side finished, then the server sent an alert
/// or closed: TLS 1.3 refuses a missing client certificate after the client's Finished), RefusedAfterServerHello,
/// RefusedBefore* (alert, reset or close before any ServerHello: the server spent no handshake work), TimedOut, or
/// Abandoned (the run ended). <see cref="HandshakesServerHello"/> counts the attempts the server answered with a
/// ServerHello, i.e. the handshakes whose key exchange and signature a stranger made the server compute.
/// </summary>
public sealed record StrangerFloodReport(
    double ElapsedSeconds, int Sources, int SourcesUsed, int DescriptorBudget, int SilentSlots,
    long ConnectsAttempted, long ConnectsSucceeded, long ConnectsFailed, IReadOnlyDictionary<string, long> ConnectFailures,
    long SilentOpened, long SilentClosedByServer, int PeakSilentHeld, int PeakOpenSockets, int OpenSocketsAtEnd,
    long HandshakesAttempted, long HandshakesServerHello, long HandshakesCompleted, long HandshakesCompletedThenRefused,
    long HandshakesRefusedAfterServerHello, long HandshakesRefusedBeforeByAlert, long HandshakesRefusedBeforeByReset,
    long HandshakesRefusedBeforeByClose, long HandshakesTimedOut, long HandshakesAbandoned)
{
    /// <summary>Handshakes refused before the server sent a ServerHello (alert, reset or close).</summary>
    public long HandshakesRefusedBeforeServerHello => HandshakesRefusedBeforeByAlert + HandshakesRefusedBeforeByReset + HandshakesRefusedBeforeByClose;

    /// <summary>Every handshake the server ended without a session for us.</summary>
    public long HandshakesRefused => HandshakesRefusedBeforeServerHello + HandshakesRefusedAfterServerHello + HandshakesCompletedThenRefused;

    /// <summary>The report as one JSON line (camelCase).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
