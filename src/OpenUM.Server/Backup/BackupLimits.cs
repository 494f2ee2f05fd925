namespace OpenUM.Server.Backup;

/// <summary>
/// What an archive may hold and where its entries may go. The writer keeps to the same bounds, so a backup it wrote
/// is never refused; the reader enforces them before a byte is written, so a hostile archive cannot escape the data
/// directory (absolute paths, "..", links) or fill the disk (a huge declared size, millions of entries).
/// </summary>
public static class BackupLimits
{
    /// <summary>Largest single file (a voice message, a greeting, config.db).</summary>
    public const long MaxEntryBytes = 4L << 30;

    /// <summary>Largest archive content in all.</summary>
    public const long MaxTotalBytes = 256L << 30;

    /// <summary>Most entries in one archive.</summary>
    public const int MaxEntries = 1_000_000;

    /// <summary>Largest manifest or configuration export read into memory.</summary>
    public const int MaxDocumentBytes = 256 << 20;

    /// <summary>Longest entry path.</summary>
    public const int MaxPathLength = 1024;

    /// <summary>Folders of the data directory a backup holds: certificates with keys, greetings, the pending outbox, the maildir.</summary>
    public static readonly IReadOnlyList<string> Folders = ["certificates", "greetings", "outbox/queue", "outbox/dead", "maildir"];

    /// <summary>The SQLite configuration store's copy.</summary>
    public const string ConfigDatabaseEntry = "config.db";

    internal const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    internal const UnixFileMode DirectoryMode = FileMode | UnixFileMode.UserExecute;

    /// <summary>
    /// Null when <paramref name="path"/> is an entry an archive may hold (relative, '/'-separated, no empty, "." or
    /// ".." segment, no control character, under one of <see cref="Folders"/> or a configuration entry); else why not.
    /// </summary>
    public static string? Refuse(string path)
    {
        if (path.Length == 0 || path.Length > MaxPathLength)
            return $"an entry path of {path.Length} characters";
        if (path[0] == '/' || path.Contains('\\', StringComparison.Ordinal))
            return $"the absolute or backslashed path \"{Printable(path)}\"";
        foreach (char c in path)
        {
            if (char.IsControl(c))
                return $"a control character in the path \"{Printable(path)}\"";
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or "." or "..")
                return $"the path \"{Printable(path)}\" (empty, \".\" or \"..\" segment)";
        }

        if (path is ConfigDatabaseEntry or ConfigurationExport.EntryName or BackupManifest.EntryName)
            return null;
        foreach (var folder in Folders)
        {
            if (path.StartsWith(folder + "/", StringComparison.Ordinal))
                return null;
        }

        return $"the path \"{Printable(path)}\", which is no part of an OpenUM backup";
    }

    private static string Printable(string s)
    {
        var cut = s.Length > 120 ? s[..120] + "..." : s;
        return string.Concat(cut.Select(c => char.IsControl(c) ? '?' : c));
    }
}
