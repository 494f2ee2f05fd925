using Microsoft.Extensions.Logging;

namespace OpenUM.Delivery.Spool;

/// <summary>Events of the voice message spool (SPEC §8): what became of each recording handed over by a call.</summary>
public static partial class SpoolEvents
{
    [LoggerMessage(EventId = 2001, EventName = "VoiceMessageDelivered", Level = LogLevel.Information,
        Message = "Voice message for extension {Extension} from {CallerId} ({DurationSeconds:F1} s) delivered to {Path} (call {CallId})")]
    public static partial void Delivered(ILogger logger, string extension, string callerId, double durationSeconds, string path, string callId);

    [LoggerMessage(EventId = 2004, EventName = "VoiceMessageDeliveryFailed", Level = LogLevel.Error,
        Message = "Voice message for extension {Extension} (call {CallId}) could not be delivered; the recording stays at {Path}: {Error}")]
    public static partial void DeliveryFailed(ILogger logger, string extension, string callId, string path, string error);

    [LoggerMessage(EventId = 2064, EventName = "VoiceMessageIncomplete", Level = LogLevel.Warning,
        Message = "Voice message for extension {Extension} from {CallerId} (call {CallId}) is incomplete: {Truncated}; {KeptSeconds:F1} s of audio kept. It is delivered marked incomplete")]
    public static partial void Incomplete(ILogger logger, string extension, string callerId, string callId, string truncated, double keptSeconds);

    // Once per message and cause: a disk full for an hour must not write a line per message per retry.
    [LoggerMessage(EventId = 2065, EventName = "VoiceMessageSpooledForRetry", Level = LogLevel.Warning,
        Message = "Voice message for extension {Extension} (call {CallId}) could not be delivered now ({Error}); it stays in the spool at {Path} and is retried every {RetryInterval}")]
    public static partial void SpooledForRetry(ILogger logger, string extension, string callId, string error, string path, TimeSpan retryInterval);

    [LoggerMessage(EventId = 2066, EventName = "VoiceMessageLost", Level = LogLevel.Critical,
        Message = "Voice message for {Recipient} (extension {Extension}) from {CallerId} (call {CallId}) is lost: {Reason}")]
    public static partial void Lost(ILogger logger, string recipient, string extension, string callerId, string callId, string reason);

    [LoggerMessage(EventId = 2067, EventName = "VoiceMessageDeliveredAfterRetry", Level = LogLevel.Information,
        Message = "Voice message for extension {Extension} from {CallerId} ({DurationSeconds:F1} s) delivered to {Path} after {Attempts} failed attempt(s) (call {CallId})")]
    public static partial void DeliveredAfterRetry(ILogger logger, string extension, string callerId, double durationSeconds, string path, int attempts, string callId);

    [LoggerMessage(EventId = 2068, EventName = "VoiceMessageNotSpooled", Level = LogLevel.Error,
        Message = "The description of the voice message for extension {Extension} (call {CallId}) could not be written to the spool ({Error}); it is kept in memory and delivered as usual, but a server stop before its delivery would leave {Path} without it")]
    public static partial void NotSpooled(ILogger logger, string extension, string callId, string error, string path);

    [LoggerMessage(EventId = 2069, EventName = "VoiceMessageOrphanFound", Level = LogLevel.Warning,
        Message = "The spool holds a recording without a readable description ({Path}, {KeptSeconds:F1} s): it is delivered to {Recipient} marked incomplete")]
    public static partial void OrphanFound(ILogger logger, string path, double keptSeconds, string recipient);
}
