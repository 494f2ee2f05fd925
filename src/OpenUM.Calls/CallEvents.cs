using Microsoft.Extensions.Logging;

namespace OpenUM.Calls;

/// <summary>
/// Call-layer events with the stable IDs of SPEC.md (Exchange's where they exist, OpenUM's own from 2000). What becomes
/// of a voice message (2001, 2004, 2028, 2029) is OpenUM.Delivery's: see SpoolEvents.
/// </summary>
public static partial class CallEvents
{
    [LoggerMessage(EventId = 1021, EventName = "CallRejected", Level = LogLevel.Warning,
        Message = "Call from {RemoteAddress}:{RemotePort} refused: {Reason}{Suppressed}")]
    public static partial void CallRejected(ILogger logger, string remoteAddress, int remotePort, string reason, string suppressed);

    // outcome: "answered" when the error response was sent, "dropped" when nothing could be (a response, an ACK,
    // a datagram without a Via to answer to); the status is the one the message earned either way.
    [LoggerMessage(EventId = 1152, EventName = "InvalidSipHeader", Level = LogLevel.Warning,
        Message = "Malformed SIP message from {RemoteAddress}:{RemotePort} ({StatusCode} {ReasonPhrase}) {Outcome}{Suppressed}")]
    public static partial void InvalidSipHeader(ILogger logger, string remoteAddress, int remotePort, int statusCode, string reasonPhrase,
        string outcome, string suppressed);

    [LoggerMessage(EventId = 1109, EventName = "InvalidExtensionInCall", Level = LogLevel.Warning,
        Message = "Call {CallId} names no extension of dial plan {DialPlan} (Diversion/History-Info/Request-URI: {Called})")]
    public static partial void InvalidExtensionInCall(ILogger logger, string callId, string dialPlan, string called);

    [LoggerMessage(EventId = 2002, EventName = "CallAnswered", Level = LogLevel.Information,
        Message = "Call {CallId} from {CallerId} via gateway {Gateway} answered for extension {Extension} of dial plan {DialPlan} ({Codec})")]
    public static partial void CallAnswered(ILogger logger, string callId, string callerId, string gateway, string extension, string dialPlan, string codec);

    [LoggerMessage(EventId = 2003, EventName = "CallEnded", Level = LogLevel.Information,
        Message = "Call {CallId} ended: {Reason}")]
    public static partial void CallEnded(ILogger logger, string callId, string reason);

    [LoggerMessage(EventId = 2005, EventName = "CallFailed", Level = LogLevel.Error,
        Message = "Call {CallId} failed: {Error}")]
    public static partial void CallFailed(ILogger logger, string callId, string error);

    [LoggerMessage(EventId = 2006, EventName = "SrtpCallSummary",
        Message = "Call {CallId} SRTP rejections: SRTP auth {RtpAuthenticationFailures}, replay {RtpReplays}, other {RtpOther}; SRTCP auth {RtcpAuthenticationFailures}, replay {RtcpReplays}, other {RtcpOther}; RTCP accepted {RtcpPackets}")]
    public static partial void SrtpSummary(ILogger logger, LogLevel level, string callId, long rtpAuthenticationFailures, long rtpReplays,
        long rtpOther, long rtcpAuthenticationFailures, long rtcpReplays, long rtcpOther, long rtcpPackets);

    [LoggerMessage(EventId = 2007, EventName = "TlsFromAnyAddress", Level = LogLevel.Warning,
        Message = "UM server {Server} starts a TLS handshake with any address: strangers can make it work before their certificate is checked (within the strangers' budget). Unless gateways have dynamic addresses: openum server set --allow-tls-from-any-address false")]
    public static partial void TlsFromAnyAddress(ILogger logger, string server);

    [LoggerMessage(EventId = 1194, EventName = "InvalidPeerDNSHostName", Level = LogLevel.Warning,
        Message = "Gateway {Gateway}: address {Address} does not resolve ({Error}); it is ignored until it does")]
    public static partial void InvalidPeerDnsHostName(ILogger logger, string gateway, string address, string error);

    [LoggerMessage(EventId = 1175, EventName = "DuplicatePeersFound", Level = LogLevel.Warning,
        Message = "Gateways {First} and {Second} resolve to the same address {Address}; {First} is used")]
    public static partial void DuplicatePeersFound(ILogger logger, string first, string second, string address);

    [LoggerMessage(EventId = 1124, EventName = "NoPeersFound", Level = LogLevel.Information,
        Message = "No IP gateway is configured: every call will be refused")]
    public static partial void NoPeersFound(ILogger logger);

    [LoggerMessage(EventId = 1115, EventName = "IncorrectPeers", Level = LogLevel.Warning,
        Message = "Gateways {Gateways} serve {Security} dial plans but the server is not listening in that mode ({Mode}): their calls will be refused")]
    public static partial void IncorrectPeers(ILogger logger, string gateways, string security, string mode);

    [LoggerMessage(EventId = 1184, EventName = "SamePeerInTwoModes", Level = LogLevel.Warning,
        Message = "Gateway {Gateway} is linked to both secured and unsecured dial plans ({DialPlans}); each call must arrive on the transport of its own dial plan")]
    public static partial void SamePeerInTwoModes(ILogger logger, string gateway, string dialPlans);
}
