using F = OpenUM.Directory.ConfigurationFields;

namespace OpenUM.Directory;

// CFG-1 rules for the IMAP store of a UM server (the users' real mailboxes).
public static partial class ConfigurationValidator
{
    /// <summary>Longest IMAP folder name accepted (bytes of UTF-8 are more; servers allow far less than a command line).</summary>
    public const int MaxImapFolderLength = 255;

    private static void ValidateImap(UmServer server)
    {
        if (server.ImapHost is { } host && !SmartHostEndpoint.TryParse(host, out _, out _))
        {
            throw Fail(F.ImapHost, $"'{host}' is not HOST:PORT: give a host name or address and a port 1-65535, e.g. imap.contoso.com:143 or [2001:db8::25]:993 (\"\" for no IMAP store)");
        }

        RequireDefined(server.ImapTls, F.ImapTls);
        RequireDefined(server.ImapLogin, F.ImapLogin);
        RequireDefined(server.ImapDeleteAction, F.ImapDeleteAction);

        // All three or none: an IMAP host without a login cannot open anyone's mailbox, and a login without a host is
        // a setting that does nothing.
        bool hasHost = server.ImapHost is not null, hasUser = server.ImapUser is not null, hasFile = server.ImapPasswordFile is not null;
        if (hasHost || hasUser || hasFile)
        {
            if (!hasHost)
                throw Fail(F.ImapHost, "an IMAP user or password file is set but no host: give --imap-host too (or none of --imap-host, --imap-user, --imap-password-file)");
            if (!hasUser)
                throw Fail(F.ImapUser, "an IMAP host is set but no user: give --imap-user with the service identity (e.g. a Dovecot master user) too");
            if (!hasFile)
                throw Fail(F.ImapPasswordFile, "an IMAP host is set but no password file: give --imap-password-file with the absolute path of a file whose first line is the password");
        }

        if (server.ImapUser is { } user && (user.Length == 0 || user.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            throw Fail(F.ImapUser, "the user name must not be empty or contain spaces or control characters");
        }

        if (server.ImapPasswordFile is { } file && !Path.IsPathFullyQualified(file))
        {
            throw Fail(F.ImapPasswordFile, $"'{file}' is not an absolute path: the server reads it from its own working directory");
        }

        var separator = server.ImapMasterUserSeparator;
        if (separator is null || separator.Length is < 1 or > 4 || separator.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw Fail(F.ImapMasterUserSeparator, $"'{separator}' is not allowed: give 1 to 4 printable characters without spaces, the server's separator (Dovecot auth_master_user_separator, default *)");
        }

        if (server.ImapLogin == ImapLogin.MasterUserSeparator && server.ImapUser is { } master && master.Contains(separator, StringComparison.Ordinal))
        {
            throw Fail(F.ImapMasterUserSeparator, $"'{separator}' occurs in the IMAP user '{master}': the server could not tell mailbox and user apart; choose another separator (on both sides) or --imap-login SaslAuthorizationId");
        }

        ValidateFolder(server.ImapFolder, F.ImapFolder, allowEmpty: false);
        ValidateFolder(server.ImapTrashFolder, F.ImapTrashFolder, allowEmpty: true);
        if (server.ImapTrashFolder.Length > 0 && string.Equals(Canonical(server.ImapTrashFolder), Canonical(server.ImapFolder), StringComparison.Ordinal))
        {
            throw Fail(F.ImapTrashFolder, $"'{server.ImapTrashFolder}' is the folder voice messages are read from: a deleted message would stay; give another folder or \"\" for the \\Trash folder");
        }
    }

    private static void ValidateFolder(string? name, string field, bool allowEmpty)
    {
        if (name is null || (name.Length == 0 && !allowEmpty))
        {
            throw Fail(field, "the folder name must not be empty (the default is INBOX)");
        }

        if (name.Length > MaxImapFolderLength || name.Any(char.IsControl))
        {
            throw Fail(field, $"the folder name must be at most {MaxImapFolderLength} characters without control characters");
        }
    }

    // INBOX is case-insensitive in IMAP (RFC 3501 §5.1); every other name is case-sensitive.
    private static string Canonical(string folder) => string.Equals(folder, "INBOX", StringComparison.OrdinalIgnoreCase) ? "INBOX" : folder;
}
