using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.SecurityAudit;

/// <summary>
/// The data directory holds PIN hashes, voice messages, private keys and the configuration: only the server's user may read
/// or change any of it. A file counts as open when its own bits let the group or others in and every directory on the way
/// lets them through; keys and password files count on their own bits alone.
/// </summary>
internal static class PermissionChecks
{
    private const UnixFileMode GroupReadWrite = UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    private const UnixFileMode OtherReadWrite = UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
    private const UnixFileMode GroupAll = GroupReadWrite | UnixFileMode.GroupExecute;
    private const UnixFileMode OtherAll = OtherReadWrite | UnixFileMode.OtherExecute;
    private const UnixFileMode Writable = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>Paths named in a finding's risk, at most.</summary>
    private const int Examples = 3;

    public static IEnumerable<AuditFinding> Check(SecurityAuditInput input)
    {
        var entries = input.Files.Entries;
        if (entries.Count == 0) yield break;
        string root = entries[0].Path;
        var open = entries.Where(e => Open(e, isRoot: ReferenceEquals(e, entries[0]))).ToArray();
        if (open.Length > 0)
        {
            bool writable = open.Any(e => (e.Mode & Writable) != 0);
            string examples = string.Join(", ", open.Take(Examples).Select(e => $"{e.Path} ({Octal(e.Mode)})")) + (open.Length > Examples ? $" and {open.Length - Examples} more" : "");
            yield return AuditFinding.Of(K.DataDirectoryOpen, writable ? AuditSeverity.Critical : AuditSeverity.High, AuditObjectType.DataDirectory, root,
                $"Other users of this host may {(writable ? "change" : "read")} the data directory ({examples}): " +
                (writable ? "plant a trusted CA or a gateway, rewrite the configuration, replace messages." : "voice messages, PIN hashes and the configuration."),
                [FixCommand.Join(["chmod", "-R", "go-rwx", root])],
                "Run it as the server's user (or root). OpenUM creates everything owner-only; something else widened it (a copy, an umask, a backup tool).");
        }
        foreach (var secret in Secrets(input))
        {
            bool inside = !input.Files.ExternalFiles.Contains(secret);
            bool reachable = !inside || (secret.GroupReaches && (secret.Mode & GroupReadWrite) != 0) || (secret.OthersReach && (secret.Mode & OtherReadWrite) != 0);
            yield return AuditFinding.Of(K.SecretReadable, reachable ? AuditSeverity.Critical : AuditSeverity.High, AuditObjectType.DataDirectory, secret.Path,
                $"{secret.Path} is a {(secret.Path.EndsWith(".key.pem", StringComparison.Ordinal) ? "private key" : "file holding a password")} that the group or others may read " +
                $"({Octal(secret.Mode)}){(reachable ? "" : ", once a directory above it lets them through")}: whoever reads it can pose as the server or log in as it.",
                [FixCommand.Join(["chmod", "600", secret.Path])]);
        }
    }

    // Private keys of the certificate store, store.conf (a connection string may hold a password) and the password files.
    private static IEnumerable<FileEntry> Secrets(SecurityAuditInput input)
    {
        string certificates = Path.Combine(input.DataDirectory, "certificates") + Path.DirectorySeparatorChar;
        string storeConf = Path.Combine(input.DataDirectory, Directory.ConfigurationStores.SettingFile);
        var inside = input.Files.Entries.Where(e => !e.IsDirectory
            && ((e.Path.StartsWith(certificates, StringComparison.Ordinal) && e.Path.EndsWith(".key.pem", StringComparison.Ordinal)) || e.Path == storeConf));
        return inside.Concat(input.Files.ExternalFiles).Where(e => (e.Mode & (GroupReadWrite | OtherReadWrite)) != 0);
    }

    // The data directory itself is open with any bit for the group or others (x alone lets them open files they can name).
    private static bool Open(FileEntry e, bool isRoot) =>
        isRoot ? (e.Mode & (GroupAll | OtherAll)) != 0
            : (e.GroupReaches && (e.Mode & GroupReadWrite) != 0) || (e.OthersReach && (e.Mode & OtherReadWrite) != 0);

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');
}
