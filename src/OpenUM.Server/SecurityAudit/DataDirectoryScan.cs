namespace OpenUM.Server.SecurityAudit;

/// <summary>A file or directory as the permission checks see it: its mode, and whether the group and others can reach it.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Mode">Its permission bits.</param>
/// <param name="IsDirectory">A directory (its x bit lets a class reach what is inside).</param>
/// <param name="GroupReaches">Every directory between the data directory and it lets the group through (true for the data directory itself and for files outside it).</param>
/// <param name="OthersReach">The same for others.</param>
public sealed record FileEntry(string Path, UnixFileMode Mode, bool IsDirectory, bool GroupReaches = true, bool OthersReach = true);

/// <summary>The data directory's tree (without following links) and the password files the configuration names.</summary>
public sealed record DataDirectoryScan(IReadOnlyList<FileEntry> Entries, IReadOnlyList<FileEntry> ExternalFiles, bool Truncated)
{
    /// <summary>The most entries read: a maildir of years stays a bounded walk.</summary>
    public const int MaxEntries = 100_000;

    /// <summary>A scan that saw nothing (a data directory not created yet).</summary>
    public static DataDirectoryScan Empty { get; } = new([], [], false);

    /// <summary>Walks <paramref name="root"/> and stats <paramref name="externalFiles"/> (missing ones are skipped).</summary>
    public static DataDirectoryScan Read(string root, IEnumerable<string> externalFiles, int maxEntries = MaxEntries)
    {
        var entries = new List<FileEntry>();
        bool truncated = false;
        var rootInfo = new DirectoryInfo(root);
        if (rootInfo.Exists)
        {
            entries.Add(new FileEntry(rootInfo.FullName, rootInfo.UnixFileMode, IsDirectory: true));
            var pending = new Stack<(DirectoryInfo Directory, bool Group, bool Others)>();
            pending.Push((rootInfo, Passes(rootInfo.UnixFileMode, UnixFileMode.GroupExecute), Passes(rootInfo.UnixFileMode, UnixFileMode.OtherExecute)));
            var options = new EnumerationOptions { IgnoreInaccessible = true, RecurseSubdirectories = false, AttributesToSkip = 0 };
            while (pending.Count > 0 && !truncated)
            {
                var (directory, group, others) = pending.Pop();
                foreach (var info in directory.EnumerateFileSystemInfos("*", options))
                {
                    if (entries.Count >= maxEntries) { truncated = true; break; }
                    if (info.LinkTarget is not null) continue; // a link's own mode means nothing; its target is checked where it lives
                    var mode = info.UnixFileMode;
                    bool isDirectory = info is DirectoryInfo;
                    entries.Add(new FileEntry(info.FullName, mode, isDirectory, group, others));
                    if (isDirectory)
                        pending.Push(((DirectoryInfo)info, group && Passes(mode, UnixFileMode.GroupExecute), others && Passes(mode, UnixFileMode.OtherExecute)));
                }
            }
        }
        var external = externalFiles.Distinct(StringComparer.Ordinal).Select(p => new FileInfo(p)).Where(f => f.Exists)
            .Select(f => new FileEntry(f.FullName, f.UnixFileMode, IsDirectory: false)).ToArray();
        return new DataDirectoryScan(entries, external, truncated);
    }

    private static bool Passes(UnixFileMode mode, UnixFileMode bit) => (mode & bit) != 0;
}
