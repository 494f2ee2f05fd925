using System.Net;
using Microsoft.Extensions.Logging;
using OpenUM.Sip.Dialogs;

namespace OpenUM.Sip.Transport;

// Structured log events of the SIP stack (2100-2199). Admission outcomes are reported upwards as
// events too; the server turns refusals into its rate-limited 1021.
internal static partial class SipLog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "SIP connection {ConnectionId} from {Remote} accepted")]
    public static partial void ConnectionAccepted(ILogger logger, string connectionId, IPEndPoint remote);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "SIP connection {ConnectionId} from {Remote} refused by admission")]
    public static partial void ConnectionRefused(ILogger logger, string connectionId, IPEndPoint remote);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "SIP/{Transport} connection from {Remote} refused: {Limit} limit reached{Suppressed}")]
    public static partial void ConnectionLimit(ILogger logger, string transport, IPEndPoint remote, string limit, string suppressed);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "SIP connection {ConnectionId} to {Remote} failed")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception, string connectionId, IPEndPoint remote);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "SIP connection {ConnectionId} to {Remote} closed: peer does not read (send queue full)")]
    public static partial void SendQueueOverflow(ILogger logger, string connectionId, IPEndPoint remote);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Warning, Message = "SIP connection {ConnectionId} from {Remote} closed: {Bytes} bytes without a complete message")]
    public static partial void FramingLost(ILogger logger, string connectionId, IPEndPoint remote, long bytes);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Debug, Message = "Malformed SIP message from {Remote} on {ConnectionId}: {Status} {Reason}")]
    public static partial void MessageRejected(ILogger logger, string connectionId, IPEndPoint remote, int status, string reason);

    [LoggerMessage(EventId = 2108, Level = LogLevel.Debug, Message = "SIP connection {ConnectionId} to {Remote} closed after idle timeout")]
    public static partial void IdleClosed(ILogger logger, string connectionId, IPEndPoint remote);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Error, Message = "Handling a SIP message from {Remote} on {ConnectionId} failed")]
    public static partial void MessageHandlingFailed(ILogger logger, Exception exception, string connectionId, IPEndPoint remote);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Debug, Message = "Dropped a SIP response from {Remote} matching no transaction: {Status} {CSeq}")]
    public static partial void StrayResponse(ILogger logger, IPEndPoint remote, int status, string? cseq);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Information, Message = "SIP {Method} transaction to {Remote} timed out ({Timer})")]
    public static partial void TransactionTimeout(ILogger logger, string method, IPEndPoint remote, string timer);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Warning, Message = "No ACK for the 2xx of dialog {CallId} from {Remote}; ending the call with BYE")]
    public static partial void AckTimeout(ILogger logger, string callId, IPEndPoint remote);

    [LoggerMessage(EventId = 2114, Level = LogLevel.Error, Message = "A SIP timer callback failed")]
    public static partial void TimerCallbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2115, Level = LogLevel.Error, Message = "The incoming call handler failed for {CallId} from {Remote}")]
    public static partial void IncomingCallHandlerFailed(ILogger logger, Exception exception, string? callId, IPEndPoint remote);

    [LoggerMessage(EventId = 2116, Level = LogLevel.Error, Message = "SIP listener on {Local} cannot accept ({Error}); retrying in {DelayMs} ms{Suppressed}")]
    public static partial void AcceptFailed(ILogger logger, IPEndPoint local, string error, int delayMs, string suppressed);

    // The server reports the verdict (1426/1113, rate-limited); this is only the transport's trace of it.
    [LoggerMessage(EventId = 2117, Level = LogLevel.Debug, Message = "TLS handshake with {Remote} on {ConnectionId} failed: {Reason}")]
    public static partial void TlsHandshakeFailed(ILogger logger, string connectionId, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = 2118, Level = LogLevel.Warning, Message = "SIP UDP receive on {Local} failed")]
    public static partial void UdpReceiveFailed(ILogger logger, Exception exception, IPEndPoint local);

    [LoggerMessage(EventId = 2119, Level = LogLevel.Debug, Message = "SIP dialog {CallId} with {Remote} ended: {Reason}")]
    public static partial void DialogEnded(ILogger logger, string callId, IPEndPoint remote, SipDialogEndReason reason);

    [LoggerMessage(EventId = 2121, Level = LogLevel.Warning, Message = "SIP connection {ConnectionId} from {Remote} closed: a message was still incomplete {Seconds} s after its first byte ({Bytes} bytes){Suppressed}")]
    public static partial void MessageTimeout(ILogger logger, string connectionId, IPEndPoint remote, double seconds, long bytes, string suppressed);

    [LoggerMessage(EventId = 2122, Level = LogLevel.Information, Message = "An idle SIP connection from {RemoteAddress} (unused for {IdleSeconds} s) was closed to make room for a new one{Suppressed}")]
    public static partial void ConnectionEvicted(ILogger logger, string remoteAddress, double idleSeconds, string suppressed);

    [LoggerMessage(EventId = 2123, Level = LogLevel.Information, Message = "SIP connection budget: {Trusted} connections for gateways, {Strangers} TLS handshakes from unknown addresses (configured maximum {Configured}, bounded by the descriptors this process may open); {PerAddress} per address, {RatePerAddress} new per second per address")]
    public static partial void ConnectionBudget(ILogger logger, int trusted, int strangers, int configured, int perAddress, int ratePerAddress);

    [LoggerMessage(EventId = 2124, Level = LogLevel.Debug, Message = "SIP connection {ConnectionId} with {Remote} broke: {Error}{Suppressed}")]
    public static partial void ConnectionBroken(ILogger logger, string connectionId, IPEndPoint remote, string error, string suppressed);

    // A gateway's SUBSCRIBE refused (by the agent's checks, its caps, or the handler); rate-limited per peer address.
    [LoggerMessage(EventId = 2043, Level = LogLevel.Information, Message = "SUBSCRIBE from {Remote} for {Event} refused with {Status} {Reason}: {Why}{Suppressed}")]
    public static partial void SubscribeRefused(ILogger logger, IPEndPoint remote, string @event, int status, string reason, string why, string suppressed);

    [LoggerMessage(EventId = 2120, Level = LogLevel.Information, Message = "SIP/{Transport} listener on {Local} stopped; its connections stay up")]
    public static partial void ListenerStopped(ILogger logger, string transport, IPEndPoint local);
}
