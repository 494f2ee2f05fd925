namespace OpenUM.Calls;

/// <summary>
/// Whether the server can store what a new call would leave, asked before each call is answered: refusing a call
/// the gateway can route elsewhere is better than answering it and losing the message. The host implements it
/// over the data directory's filesystem; the call layer only asks.
/// </summary>
public interface IStorageGate
{
    /// <summary>The verdict for one more call while <paramref name="activeCalls"/> are in progress. Cheap: no I/O on every call.</summary>
    StorageVerdict Check(int activeCalls);
}

/// <summary>
/// What the storage allows now: <see cref="CanRecord"/> (room for a message: voice mail), <see cref="Writable"/>
/// (anything written at all: subscriber access counts PIN failures and moves deleted messages), and why not.
/// </summary>
public readonly record struct StorageVerdict(bool CanRecord, bool Writable, string Reason)
{
    /// <summary>Everything allowed.</summary>
    public static StorageVerdict Available { get; } = new(true, true, "");

    /// <summary>
    /// Seconds a refused gateway is asked to wait (Retry-After). Longer than the 30 s of a passing overload: space
    /// comes back when an operator frees or grows the disk, and meanwhile the gateway's other routes take the calls.
    /// </summary>
    public const int RetryAfterSeconds = 60;
}

/// <summary>
/// 2062 for each call turned away for storage, through a <see cref="Sip.LogThrottle"/> with one key for the whole
/// server: the cause is the server's, not the caller's, so at most one line per interval with the count of the others.
/// </summary>
public sealed partial class StorageRefusalLog(TimeProvider time, Microsoft.Extensions.Logging.ILogger logger)
{
    private readonly Sip.LogThrottle _throttle = new(time, TimeSpan.FromSeconds(10));

    /// <summary>Logs (or counts) one call turned away with <paramref name="outcome"/> for <paramref name="reason"/>.</summary>
    public void Log(System.Net.IPEndPoint remote, string outcome, string reason)
    {
        if (!_throttle.ShouldLog("storage", out int suppressed)) return;
        var address = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        CallRefusedForStorage(logger, address.ToString(), remote.Port, outcome, reason, Sip.LogThrottle.Describe(suppressed));
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 2062, EventName = "CallRefusedForStorage",
        Level = Microsoft.Extensions.Logging.LogLevel.Warning,
        Message = "Call from {RemoteAddress}:{RemotePort} turned away ({Outcome}): the server cannot store messages now: {Reason}{Suppressed}")]
    private static partial void CallRefusedForStorage(Microsoft.Extensions.Logging.ILogger logger, string remoteAddress, int remotePort,
        string outcome, string reason, string suppressed);
}
