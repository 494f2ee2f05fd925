using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Logging;

/// <summary>Events about the event log itself (2017-2019, 2063; docs/events.md).</summary>
public static partial class EventLogEvents
{
    /// <summary>Logger category of these events.</summary>
    public const string Category = "OpenUM.Server.EventLog";

    [LoggerMessage(EventId = 2017, EventName = "EventLogWriteFailed", Level = LogLevel.Error,
        Message = "The event log {Target} could not take {Count} events ({Reason}); they went to {Fallback} instead")]
    public static partial void WriteFailed(ILogger logger, string target, int count, string reason, string fallback);

    [LoggerMessage(EventId = 2018, EventName = "EventLogRotated", Level = LogLevel.Information,
        Message = "The event log {Path} reached {Size} bytes (limit {MaxBytes}) and was renamed {RotatedTo}; {Files} rotated files are kept{Deleted}")]
    public static partial void Rotated(ILogger logger, string path, long size, long maxBytes, string rotatedTo, int files, string deleted);

    [LoggerMessage(EventId = 2019, EventName = "EventLogRotationFailed", Level = LogLevel.Error,
        Message = "The event log {Path} could not be rotated at {Size} bytes (limit {MaxBytes}): {Reason}. Events are still appended to it; the next attempt is at {RetryAtBytes} bytes")]
    public static partial void RotationFailed(ILogger logger, string path, long size, long maxBytes, string reason, long retryAtBytes);

    [LoggerMessage(EventId = 2063, EventName = "EventLogResumed", Level = LogLevel.Warning,
        Message = "The event log {Target} is written again: {Count} events from {FirstLost} to {LastLost} are missing from it ({Reason}); they went to {Fallback}")]
    public static partial void Resumed(ILogger logger, string target, long count, string firstLost, string lastLost, string reason, string fallback);
}
