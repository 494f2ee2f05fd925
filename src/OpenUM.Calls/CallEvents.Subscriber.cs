using Microsoft.Extensions.Logging;

namespace OpenUM.Calls;

// Subscriber access and Play on Phone (CALL-2/CALL-3). Never the PIN nor the digits typed: only counts and names.
public static partial class CallEvents
{
    [LoggerMessage(EventId = 1012, EventName = "MailboxLocked", Level = LogLevel.Warning,
        Message = "Mailbox {Extension} of dial plan {DialPlan} is locked out after {Failures} consecutive wrong PINs; an administrator must reset the PIN (call {CallId})")]
    public static partial void MailboxLocked(ILogger logger, string extension, string dialPlan, int failures, string callId);

    [LoggerMessage(EventId = 1013, EventName = "LogonDisconnect", Level = LogLevel.Warning,
        Message = "Call {CallId} from {CallerId} disconnected after {Failures} failed logons to dial plan {DialPlan} (LogonFailuresBeforeDisconnect)")]
    public static partial void LogonDisconnect(ILogger logger, string callId, string callerId, int failures, string dialPlan);

    [LoggerMessage(EventId = 1036, EventName = "SuccessfulLogon", Level = LogLevel.Information,
        Message = "Subscriber {Extension} of dial plan {DialPlan} logged on (call {CallId})")]
    public static partial void SuccessfulLogon(ILogger logger, string extension, string dialPlan, string callId);

    [LoggerMessage(EventId = 2030, EventName = "SubscriberLogonRefused", Level = LogLevel.Warning,
        Message = "Subscriber {Extension} of dial plan {DialPlan} refused: {Result} (call {CallId})")]
    public static partial void SubscriberLogonRefused(ILogger logger, string extension, string dialPlan, string result, string callId);

    [LoggerMessage(EventId = 2034, EventName = "SubscriberLogonUnavailable", Level = LogLevel.Warning,
        Message = "Subscriber {Extension} of dial plan {DialPlan} could not be logged on: the PIN could not be checked because the configuration store is unavailable ({Reason}); the caller was asked to try again later, nothing was counted (call {CallId})")]
    public static partial void SubscriberLogonUnavailable(ILogger logger, string extension, string dialPlan, string reason, string callId);

    [LoggerMessage(EventId = 2035, EventName = "VoiceMailboxUnavailable", Level = LogLevel.Warning,
        Message = "Subscriber {Extension} of dial plan {DialPlan} logged on but the messages could not be read: the message store is unavailable ({Reason}); the caller was asked to call again later (call {CallId})")]
    public static partial void VoiceMailboxUnavailable(ILogger logger, string extension, string dialPlan, string reason, string callId);

    [LoggerMessage(EventId = 2031, EventName = "VoiceMessageRemoved", Level = LogLevel.Information,
        Message = "Subscriber {Extension} of dial plan {DialPlan} deleted message {MessageId} (moved to the maildir's .Trash)")]
    public static partial void VoiceMessageRemoved(ILogger logger, string extension, string dialPlan, string messageId);

    [LoggerMessage(EventId = 2032, EventName = "PlayOnPhone", Level = LogLevel.Information,
        Message = "Play on Phone of message {MessageId} of mailbox {Extension} (dial plan {DialPlan}) to {DialedNumber} via gateway {Gateway}: {Outcome}")]
    public static partial void PlayOnPhone(ILogger logger, string messageId, string extension, string dialPlan, string dialedNumber, string gateway, string outcome);

    [LoggerMessage(EventId = 2033, EventName = "CallBackTransfer", Level = LogLevel.Information,
        Message = "Call {CallId}: subscriber {Extension} of dial plan {DialPlan} called back the sender of message {MessageId}: transfer (REFER) to {DialedNumber} via gateway {Gateway}: {Outcome}")]
    public static partial void CallBackTransfer(ILogger logger, string callId, string extension, string dialPlan, string messageId,
        string dialedNumber, string gateway, string outcome);

    [LoggerMessage(EventId = 2042, EventName = "MailboxPinResetAutomatically", Level = LogLevel.Warning,
        Message = "The PIN of mailbox {Extension} in dial plan {DialPlan} was reset after {Failures} consecutive wrong PINs (LogonFailuresBeforePINReset); the new PIN, to be changed at the next logon, was sent to {Recipient} through {Delivery}")]
    public static partial void MailboxPinResetAutomatically(ILogger logger, string extension, string dialPlan, int failures, string recipient, string delivery);

    [LoggerMessage(EventId = 2047, EventName = "MailboxPinResetNotSent", Level = LogLevel.Error,
        Message = "The PIN of mailbox {Extension} in dial plan {DialPlan} was reset after {Failures} consecutive wrong PINs, but the notice to {Recipient} could not be written ({Reason}); nobody knows the new PIN: give the user one with openum mailbox reset-pin")]
    public static partial void MailboxPinResetNotSent(ILogger logger, string extension, string dialPlan, int failures, string recipient, string reason);
}
