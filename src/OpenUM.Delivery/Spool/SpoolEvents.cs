using Microsoft.Extensions.Logging;

namespace OpenUM.Delivery;

/// <summary>Events of the voice message spool (SPEC §8): what became of each recording handed over by a call.</summary>
public static partial class SpoolEvents
{
    [LoggerMessage(EventId = 2001, EventName = "VoiceMessageDelivered", Level = LogLevel.Information,
        Message = "Voice message for extension {Extension} from {CallerId} ({DurationSeconds:F1} s) delivered to {Path} (call {CallId})")]
    public static partial void Delivered(ILogger logger, string extension, string callerId, double durationSeconds, string path, string callId);

    [LoggerMessage(EventId = 2004, EventName = "VoiceMessageDeliveryFailed", Level = LogLevel.Error,
        Message = "Voice message for extension {Extension} (call {CallId}) could not be delivered; the recording stays at {Path}: {Error}")]
    public static partial void DeliveryFailed(ILogger logger, string extension, string callId, string path, string error);

    [LoggerMessage(EventId = 2028, EventName = "VoiceMessageIncomplete", Level = LogLevel.Warning,
        Message = "Voice message for extension {Extension} (call {CallId}) is incomplete: {Truncated}; {KeptSeconds:F1} s of audio kept. It is delivered marked incomplete")]
    public static partial void Incomplete(ILogger logger, string extension, string callId, string truncated, double keptSeconds);

    [LoggerMessage(EventId = 2029, EventName = "VoiceMessageNotSpooled", Level = LogLevel.Error,
        Message = "The description of the voice message for extension {Extension} (call {CallId}) could not be written to the spool ({Error}); it is kept in memory and delivered as usual, but a server stop before its delivery would leave {Path} without it")]
    public static partial void NotSpooled(ILogger logger, string extension, string callId, string error, string path);
}
