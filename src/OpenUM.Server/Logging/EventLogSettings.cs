namespace OpenUM.Server.Logging;

/// <summary>Where `openum serve` writes its events (`--log-target`).</summary>
public enum EventLogTarget
{
    /// <summary>The console and &lt;data-dir&gt;/events.jsonl with its rotated files (the default).</summary>
    File,
    /// <summary>The systemd journal through its native protocol; no console copy, no events.jsonl.</summary>
    Journald,
    /// <summary>The journal and events.jsonl with its rotated files (what the Debian package's unit uses); no console copy.</summary>
    Both,
}

/// <summary>
/// Size-based rotation of events.jsonl (`--event-log-max-size`, `--event-log-files`): when the file would
/// grow beyond <see cref="MaxBytes"/> it becomes events.1.jsonl, and at most <see cref="Files"/> rotated
/// files are kept, so the event log never takes more than (Files + 1) x MaxBytes.
/// </summary>
public sealed record EventLogRotation(long MaxBytes, int Files)
{
    /// <summary>
    /// 10 MB x (9 kept + the current file) = 100 MB at most. Measured (docs/events.md): a voice message
    /// delivered through a smart host writes 6 events, 2.5 KB (1.8 KB into a local maildir), so 100 MB hold
    /// about 41,000 calls: a week of 5,800 calls a day.
    /// </summary>
    public static readonly EventLogRotation Default = new(10 * Megabyte, 9);

    /// <summary>Accepted --event-log-max-size values, in MB.</summary>
    public const int MinMegabytes = 1, MaxMegabytes = 1024;

    /// <summary>Accepted --event-log-files values.</summary>
    public const int MinFiles = 1, MaxFiles = 100;

    /// <summary>One MB as --event-log-max-size counts it (MiB).</summary>
    public const long Megabyte = 1024 * 1024;

    /// <summary>Null when <paramref name="megabytes"/> is a valid --event-log-max-size, else why not.</summary>
    public static string? CheckMaxSize(int megabytes) => megabytes is < MinMegabytes or > MaxMegabytes
        ? $"{megabytes} is outside {MinMegabytes}-{MaxMegabytes} (MB per events.jsonl file before it is rotated; default {Default.MaxBytes / Megabyte})."
        : null;

    /// <summary>Null when <paramref name="files"/> is a valid --event-log-files, else why not.</summary>
    public static string? CheckFiles(int files) => files is < MinFiles or > MaxFiles
        ? $"{files} is outside {MinFiles}-{MaxFiles} (rotated files kept besides events.jsonl; default {Default.Files})."
        : null;

    /// <summary>Parses a --log-target value (file, journald or both, any case).</summary>
    public static bool TryParseTarget(string text, out EventLogTarget target, out string? error)
    {
        error = null;
        switch (text.Trim().ToLowerInvariant())
        {
            case "file": target = EventLogTarget.File; return true;
            case "journald": case "journal": target = EventLogTarget.Journald; return true;
            case "both": target = EventLogTarget.Both; return true;
            default:
                target = EventLogTarget.File;
                error = $"'{text}' is not a log target: use file (console and <data-dir>/events.jsonl, the default), journald (the systemd journal) " +
                    "or both (the journal and events.jsonl).";
                return false;
        }
    }
}
