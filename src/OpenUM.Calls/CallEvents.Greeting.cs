using Microsoft.Extensions.Logging;

namespace OpenUM.Calls;

// The keys of a mailbox's greeting (0 operator, * logon, # skip). One event per call at most: only the first key with
// a meaning counts. Never the digits typed after '*' (they are the PIN).
public static partial class CallEvents
{
    [LoggerMessage(EventId = 2070, EventName = "OperatorTransfer", Level = LogLevel.Information,
        Message = "Call {CallId}: the caller pressed 0 during the greeting of extension {Extension} of dial plan {DialPlan}: transfer (REFER) to the operator {OperatorExtension} as {DialedNumber} via gateway {Gateway}: {Outcome}")]
    public static partial void OperatorTransfer(ILogger logger, string callId, string extension, string dialPlan, string operatorExtension,
        string dialedNumber, string gateway, string outcome);

    [LoggerMessage(EventId = 2071, EventName = "OperatorUnavailable", Level = LogLevel.Information,
        Message = "Call {CallId}: the caller pressed 0 during the greeting of extension {Extension}, but dial plan {DialPlan} has no operator; the caller was told so and asked to leave a message (openum dialplan set {DialPlan} --operator-extension NUMBER)")]
    public static partial void OperatorUnavailable(ILogger logger, string callId, string extension, string dialPlan);

    [LoggerMessage(EventId = 2072, EventName = "OperatorTransferRefused", Level = LogLevel.Warning,
        Message = "Call {CallId}: the caller pressed 0 during the greeting of extension {Extension}, but the outdialing rules refuse the operator {OperatorExtension} of dial plan {DialPlan} ({ReasonCode}: {Reason}); the caller heard that the number cannot be called and was asked to leave a message")]
    public static partial void OperatorTransferRefused(ILogger logger, string callId, string extension, string dialPlan, string operatorExtension,
        string reasonCode, string reason);

    [LoggerMessage(EventId = 2073, EventName = "GreetingLogon", Level = LogLevel.Information,
        Message = "Call {CallId}: the caller pressed * during the greeting of extension {Extension} of dial plan {DialPlan}: subscriber logon to that mailbox (its PIN is asked)")]
    public static partial void GreetingLogon(ILogger logger, string callId, string extension, string dialPlan);

    [LoggerMessage(EventId = 2074, EventName = "GreetingSkipped", Level = LogLevel.Information,
        Message = "Call {CallId}: the caller pressed # during the greeting of extension {Extension} of dial plan {DialPlan}: the rest of the greeting was skipped, recording")]
    public static partial void GreetingSkipped(ILogger logger, string callId, string extension, string dialPlan);
}
