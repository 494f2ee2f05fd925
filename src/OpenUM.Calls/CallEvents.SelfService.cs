using Microsoft.Extensions.Logging;

namespace OpenUM.Calls;

// Self-service by phone (issue 16): the forced PIN change, personal options. Never a PIN nor the digits typed.
public static partial class CallEvents
{
    [LoggerMessage(EventId = 2083, EventName = "PinChangeRequired", Level = LogLevel.Information,
        Message = "Subscriber {Extension} of dial plan {DialPlan} gave a right PIN that must be changed (reset by an administrator or automatically, or older than PINLifetime): asked for a new one before anything else (call {CallId})")]
    public static partial void PinChangeRequired(ILogger logger, string extension, string dialPlan, string callId);

    [LoggerMessage(EventId = 2084, EventName = "PinChangedByPhone", Level = LogLevel.Information,
        Message = "Subscriber {Extension} of dial plan {DialPlan} changed their PIN by phone (forced: {Forced}) (call {CallId})")]
    public static partial void PinChangedByPhone(ILogger logger, string extension, string dialPlan, bool forced, string callId);

    [LoggerMessage(EventId = 2085, EventName = "PinChangeRefused", Level = LogLevel.Information,
        Message = "Subscriber {Extension} of dial plan {DialPlan} chose a new PIN that was refused: {Reason}; attempt {Attempt} of {MaxAttempts} (call {CallId})")]
    public static partial void PinChangeRefused(ILogger logger, string extension, string dialPlan, string reason, int attempt, int maxAttempts, string callId);

    [LoggerMessage(EventId = 2086, EventName = "RecordingSavedByPhone", Level = LogLevel.Information,
        Message = "Subscriber {Extension} of dial plan {DialPlan} recorded and accepted their {Kind} by phone ({Seconds} s, stored as {File}) (call {CallId})")]
    public static partial void RecordingSavedByPhone(ILogger logger, string extension, string dialPlan, string kind, double seconds, string file, string callId);

    [LoggerMessage(EventId = 2087, EventName = "RecordingNotSaved", Level = LogLevel.Warning,
        Message = "Subscriber {Extension} of dial plan {DialPlan} recorded their {Kind} by phone but it could not be kept: {Problem}; the previous one stays (call {CallId})")]
    public static partial void RecordingNotSaved(ILogger logger, string extension, string dialPlan, string kind, string problem, string callId);

    [LoggerMessage(EventId = 2088, EventName = "AwayGreetingSwitched", Level = LogLevel.Information,
        Message = "Subscriber {Extension} of dial plan {DialPlan} turned the away greeting {State} by phone (call {CallId})")]
    public static partial void AwayGreetingSwitched(ILogger logger, string extension, string dialPlan, string state, string callId);

    [LoggerMessage(EventId = 2089, EventName = "SelfServiceUnavailable", Level = LogLevel.Warning,
        Message = "Subscriber {Extension} of dial plan {DialPlan} could not {Action} by phone: {Problem}; nothing was changed and the caller was told to try later (call {CallId})")]
    public static partial void SelfServiceUnavailable(ILogger logger, string extension, string dialPlan, string action, string problem, string callId);
}
