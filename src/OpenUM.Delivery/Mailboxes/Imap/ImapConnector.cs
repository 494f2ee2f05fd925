using System.Net.Security;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using OpenUM.Directory;
using OpenUM.Security;

namespace OpenUM.Delivery.Mailboxes.Imap;

/// <summary>How far a session got when it failed, which decides what the failure means.</summary>
internal enum ImapPhase
{
    /// <summary>Connecting, TLS, the service login.</summary>
    Connect,
    /// <summary>Opening the user's folder.</summary>
    Open,
    /// <summary>A command on the open folder.</summary>
    Command,
}

/// <summary>Whom a failure concerns.</summary>
internal enum ImapFailureScope
{
    /// <summary>The whole store (down, TLS, the service login refused): event 2036, once per outage.</summary>
    Store,
    /// <summary>One mailbox the server would not open (unknown to it): event 2038.</summary>
    Mailbox,
    /// <summary>One command the server refused on an open mailbox: the caller is told, no store event.</summary>
    Command,
}

/// <summary>A classified failure and the reason for the operator (never a secret).</summary>
internal sealed record ImapFailure(ImapFailureScope Scope, string Reason);

/// <summary>A failure already classified where it happened (the password file).</summary>
internal sealed class ImapFailureException(ImapFailure failure, Exception? inner = null) : Exception(failure.Reason, inner)
{
    public ImapFailure Failure { get; } = failure;
}

/// <summary>
/// Opens authenticated IMAP sessions: STARTTLS or implicit TLS only (a plain connection would carry the service password
/// in clear), TLS options and the server's certificate check from OpenUM.Security (the OS roots count too, host name
/// checked), and the login of the service identity for one mailbox, by Dovecot's master-user separator or by the SASL
/// PLAIN authorization identity (RFC 4616 §2). The password is read from its file at each connection and lives only in
/// a local and the SASL mechanism of that one client.
/// </summary>
internal static class ImapConnector
{
    /// <summary>Connects, secures and logs in for <paramref name="mailbox"/>; throws <see cref="ImapFailureException"/> (classified) on failure.</summary>
    public static async Task<ImapClient> ConnectAsync(ImapSettings settings, string mailbox, TlsContext context, TimeProvider time, TimeSpan timeout,
        CancellationToken ct)
    {
        var connectionTls = new MailKitTls(context, settings.Host, settings.ClientCertificate, time);
        var watch = new LoginResponseWatch();
        var client = new TlsImapClient(connectionTls.ClientOptions, watch)
        {
            Timeout = (int)timeout.TotalMilliseconds,
            ServerCertificateValidationCallback = connectionTls.Validate,
            CheckCertificateRevocation = false,
        };
        try
        {
            string password = await ReadPasswordAsync(settings.PasswordFile, ct).ConfigureAwait(false);
            // Never StartTlsWhenAvailable or None: without TLS the login would send the service password in clear.
            var mode = settings.Tls == ImapTls.Implicit ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
            await client.ConnectAsync(settings.Host, settings.Port, mode, ct).ConfigureAwait(false);
            watch.Watching = true;
            await client.AuthenticateAsync(Mechanism(settings, mailbox, password), ct).ConfigureAwait(false);
            watch.Watching = false;
            return client;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            client.Dispose();
            throw new ImapFailureException(Classify(e, ImapPhase.Connect, connectionTls.Verdict, settings, mailbox, timeout, watch.AuthorizationFailed), e);
        }
    }

    /// <summary>The SASL PLAIN login of the service identity for <paramref name="mailbox"/>.</summary>
    internal static SaslMechanismPlain Mechanism(ImapSettings settings, string mailbox, string password) => settings.Login switch
    {
        // Dovecot: "mailbox*master" with the master's password logs in as the mailbox (auth_master_user_separator).
        ImapLogin.MasterUserSeparator => new SaslMechanismPlain(settings.LoginName(mailbox), password),
        // RFC 4616: authcid = the service identity, authzid = the mailbox to act as.
        _ => new SaslMechanismPlain(settings.User, password) { AuthorizationId = mailbox },
    };

    /// <summary>The first line of the password file; an unreadable file fails the whole store with its path (never contents).</summary>
    internal static async Task<string> ReadPasswordAsync(string path, CancellationToken ct)
    {
        try
        {
            using var reader = new StreamReader(path);
            string? line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
            if (string.IsNullOrEmpty(line))
                throw new ImapFailureException(new(ImapFailureScope.Store, $"the password file {path} is empty: its first line must be the password of --imap-user"));
            return line;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImapFailureException(new(ImapFailureScope.Store, $"the password file is unreadable: {path}: {ErrorText(e)}"), e);
        }
    }

    /// <summary>What a failure means: the store, one mailbox, or one command, and why (in words the operator can act on).</summary>
    /// <param name="authorizationFailed">The server answered the login with RFC 5530's [AUTHORIZATIONFAILED].</param>
    internal static ImapFailure Classify(Exception error, ImapPhase phase, PeerValidationResult? verdict, ImapSettings settings, string mailbox,
        TimeSpan timeout, bool authorizationFailed = false)
    {
        ArgumentNullException.ThrowIfNull(error);
        string at = settings.Endpoint;
        switch (error)
        {
            case ImapFailureException classified:
                return classified.Failure;
            case SslHandshakeException when verdict is { Accepted: false } v:
                return new(ImapFailureScope.Store,
                    $"the certificate of {at} was refused ({v.Reason}: {v.Detail}; subject {v.Subject}, issuer {v.Issuer}, thumbprint {v.Thumbprint}); nothing was sent");
            case SslHandshakeException ssl:
                // MailKit's own message is a generic FAQ text; the cause is in the inner exception.
                return new(ImapFailureScope.Store, $"TLS with {at} failed: " + (ssl.InnerException is { } inner ? Innermost(inner) : ssl.Message));
            case AuthenticationException when authorizationFailed:
                // [AUTHORIZATIONFAILED] (RFC 5530): the service identity is fine, but may not act as this mailbox - or the
                // server does not know it (Dovecot answers so for an unknown user behind a master login).
                return new(ImapFailureScope.Mailbox, $"{settings.User} may not open mailbox {mailbox} ([AUTHORIZATIONFAILED]): the server does not know the address, or refuses the service identity for it");
            case AuthenticationException auth:
                string fix = auth.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase)
                    ? "it wants a client certificate: --imap-client-certificate true, with a server certificate it trusts"
                    : "check --imap-user, the password file and the server's master user or proxy settings";
                return new(ImapFailureScope.Store, $"the IMAP server refused the login of {settings.User} for {mailbox} by {settings.Login} ({auth.Message.Trim()}): {fix}");
            case NotSupportedException unsupported when phase == ImapPhase.Connect:
                // MailKit: STARTTLS requested but not offered, or no SASL PLAIN.
                return new(ImapFailureScope.Store, $"{at}: {unsupported.Message} (OpenUM never logs in without TLS; give --imap-tls Implicit for a TLS port)");
            case FolderNotFoundException notFound:
                return new(ImapFailureScope.Mailbox, $"mailbox {mailbox} has no folder '{notFound.FolderName}' (--imap-folder)");
            case ImapCommandException command when phase == ImapPhase.Open:
                return new(ImapFailureScope.Mailbox, $"opening folder '{settings.Folder}' of {mailbox} failed: {command.Response} {command.ResponseText}".TrimEnd());
            case ImapCommandException command:
                return new(ImapFailureScope.Command, $"{at} refused a command on mailbox {mailbox}: {command.Response} {command.ResponseText}".TrimEnd());
            case SocketException socket:
                return new(ImapFailureScope.Store, $"cannot connect to {at}: {socket.SocketErrorCode} ({socket.Message})");
            case TimeoutException or OperationCanceledException:
                return new(ImapFailureScope.Store, $"{at} did not answer within {timeout.TotalSeconds:0} s");
            case IOException io when io.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut }:
                return new(ImapFailureScope.Store, $"{at} did not answer within {timeout.TotalSeconds:0} s");
            case ImapProtocolException or ServiceNotConnectedException or IOException:
                return new(ImapFailureScope.Store, $"the connection to {at} was lost: " + Innermost(error));
            default:
                return new(ImapFailureScope.Store, $"{at}: {error.GetType().Name}: {error.Message}");
        }
    }

    /// <summary>True for failures a new connection may cure (the server closed an idle session, a reset).</summary>
    internal static bool IsConnectionLoss(Exception error) =>
        error is IOException or SocketException or ImapProtocolException or ServiceNotConnectedException;

    private static string ErrorText(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };

    private static string Innermost(Exception e)
    {
        var messages = new List<string>();
        for (var x = e; x is not null; x = x.InnerException) messages.Add(x.Message);
        return string.Join(" → ", messages.Distinct());
    }

    /// <summary>MailKit's IMAP client with the TLS options taken from OpenUM.Security instead of its own.</summary>
    private sealed class TlsImapClient(Func<string, SslClientAuthenticationOptions> options, IProtocolLogger watch) : ImapClient(watch)
    {
        protected override SslClientAuthenticationOptions GetSslClientAuthenticationOptions(string host, RemoteCertificateValidationCallback remoteCertificateValidationCallback) =>
            options(host);
    }
}

/// <summary>
/// Tells RFC 5530's [AUTHORIZATIONFAILED] (this mailbox) from [AUTHENTICATIONFAILED] (the service login) in the answer
/// to the login: MailKit's <see cref="AuthenticationException"/> says "Authentication failed." for both. It looks at
/// what the server sends only while <see cref="Watching"/> (the login), never keeps it, and ignores what the client
/// sends (the credentials) entirely.
/// </summary>
internal sealed class LoginResponseWatch : IProtocolLogger
{
    /// <summary>True while the login's answer is awaited.</summary>
    public bool Watching { get; set; }

    /// <summary>The server answered the login with [AUTHORIZATIONFAILED].</summary>
    public bool AuthorizationFailed { get; private set; }

    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    public void LogConnect(Uri uri)
    {
    }

    public void LogClient(byte[] buffer, int offset, int count)
    {
    }

    public void LogServer(byte[] buffer, int offset, int count)
    {
        // Response codes are atoms, compared without regard to case; a login answer is one short line.
        if (Watching && System.Text.Encoding.ASCII.GetString(buffer, offset, Math.Min(count, 1024)).Contains("[AUTHORIZATIONFAILED]", StringComparison.OrdinalIgnoreCase))
            AuthorizationFailed = true;
    }

    public void Dispose()
    {
    }
}
