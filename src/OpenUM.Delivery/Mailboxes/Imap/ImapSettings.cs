using OpenUM.Directory;

namespace OpenUM.Delivery.Mailboxes.Imap;

/// <summary>
/// The IMAP store settings of a <see cref="UmServer"/> in the form the store uses. It holds the path of the password
/// file, never the password: that is read from the file at each connection and kept only for the login.
/// </summary>
public sealed record ImapSettings(
    string Host,
    int Port,
    ImapTls Tls,
    bool ClientCertificate,
    string User,
    string PasswordFile,
    ImapLogin Login,
    string Separator,
    string Folder,
    ImapDeleteAction DeleteAction,
    string TrashFolder)
{
    /// <summary>HOST:PORT as configured (IPv6 in brackets).</summary>
    public string Endpoint => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>The settings of <paramref name="server"/>; null when no (complete and valid) IMAP store is configured.</summary>
    public static ImapSettings? From(UmServer? server) =>
        server?.ImapHost is { } value && SmartHostEndpoint.TryParse(value, out var host, out var port)
        && server.ImapUser is { Length: > 0 } user && server.ImapPasswordFile is { Length: > 0 } file
            ? new(host, port, server.ImapTls, server.ImapClientCertificate, user, file, server.ImapLogin,
                string.IsNullOrEmpty(server.ImapMasterUserSeparator) ? UmServer.DefaultImapMasterUserSeparator : server.ImapMasterUserSeparator,
                string.IsNullOrEmpty(server.ImapFolder) ? UmServer.DefaultImapFolder : server.ImapFolder,
                server.ImapDeleteAction, server.ImapTrashFolder ?? "")
            : null;

    /// <summary>The login name the server sees for <paramref name="mailbox"/> (the SASL authentication identity).</summary>
    public string LoginName(string mailbox) => Login == ImapLogin.MasterUserSeparator ? mailbox + Separator + User : User;

    /// <summary>What the operator needs to recognise the store: no secret (the settings hold none).</summary>
    public override string ToString() =>
        $"IMAP {Endpoint} ({Tls}{(ClientCertificate ? ", client certificate" : "")}), user {User} by {Login}, password file {PasswordFile}, folder {Folder}, delete {DeleteAction}"
        + (DeleteAction == ImapDeleteAction.MoveToTrash ? $" to {(TrashFolder.Length > 0 ? TrashFolder : "\\Trash")}" : "");
}
