using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Backup;

/// <summary>Outcomes of <c>openum backup</c> and <c>openum restore</c> (docs/events.md).</summary>
public static partial class BackupEvents
{
    [LoggerMessage(EventId = 2140, EventName = "BackupCreated", Level = LogLevel.Information,
        Message = "{User} backed up {DataDirectory} to {Path}: configuration version {Version} from {Store}, {Files} files, {Bytes} bytes")]
    public static partial void Created(ILogger logger, string user, string dataDirectory, string path, long version, string store, int files, long bytes);

    [LoggerMessage(EventId = 2141, EventName = "BackupRestored", Level = LogLevel.Information,
        Message = "{User} restored {Path} (taken {CreatedAt:u} by OpenUM {OpenUmVersion}, configuration from {Store}) into {DataDirectory}, configuration in {Target}: {Files} files")]
    public static partial void Restored(ILogger logger, string user, string path, DateTimeOffset createdAt, string openUmVersion, string store,
        string dataDirectory, string target, int files);

    [LoggerMessage(EventId = 2142, EventName = "BackupFailed", Level = LogLevel.Error,
        Message = "{User}'s backup of {DataDirectory} to {Path} failed; no archive was left under that name: {Error}")]
    public static partial void Failed(ILogger logger, string user, string dataDirectory, string path, string error);
}
