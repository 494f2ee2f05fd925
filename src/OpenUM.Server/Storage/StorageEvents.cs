using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Storage;

/// <summary>Entering (or changing) and leaving storage back-pressure (2060, 2061), once per change of state.</summary>
public static partial class StorageEvents
{
    // One event for every way in (Low, ReadOnly, Unchecked) so an alert needs one ID; State says which, Reason says
    // what to do. A change between two of them (Low -> ReadOnly) is logged again: the fix is not the same.
    [LoggerMessage(EventId = 2060, EventName = "StorageBackPressure", Level = LogLevel.Error,
        Message = "New calls are turned away: the data directory's filesystem at {Path} is {State}: {Reason}. Free: {FreeBytes} bytes, {FreeInodes} inodes (read-only: {ReadOnly}); " +
                  "a new call needs {ThresholdBytes} bytes and {ThresholdInodes} inodes ({Basis}); calls are taken again from {ResumeBytes} bytes " +
                  "and {ResumeInodes} inodes, read-write, without a restart. Refused calls get 503 with Retry-After (or the dial plan's " +
                  "--storage-full-action Announce); calls in progress continue")]
    public static partial void StorageBackPressure(ILogger logger, StorageState state, string path, string reason, long freeBytes,
        long freeInodes, bool readOnly, long thresholdBytes, long thresholdInodes, string basis, long resumeBytes, long resumeInodes);

    [LoggerMessage(EventId = 2061, EventName = "StorageAvailable", Level = LogLevel.Information,
        Message = "The data directory's filesystem at {Path} takes new calls again after {OutageSeconds} s ({PreviousState}): {FreeBytes} bytes " +
                  "and {FreeInodes} inodes free (read-only: {ReadOnly}), threshold {ThresholdBytes} bytes and {ThresholdInodes} inodes ({Basis})")]
    public static partial void StorageAvailable(ILogger logger, string path, double outageSeconds, StorageState previousState, long freeBytes,
        long freeInodes, bool readOnly, long thresholdBytes, long thresholdInodes, string basis);
}
