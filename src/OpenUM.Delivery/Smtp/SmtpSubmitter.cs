using System.Net.Security;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using OpenUM.Security;

namespace OpenUM.Delivery.Smtp;

/// <summary>Opens SMTP sessions to the smart host (a seam so the worker can be tested without a network).</summary>
public interface ISmtpSubmitter
{
    /// <summary>Connects, secures, greets and authenticates; throws <see cref="SmtpSessionException"/> on failure.</summary>
    Task<ISmtpSession> OpenAsync(SmartHostSettings settings, CancellationToken ct);
}

/// <summary>One open session: messages are sent one after the other.</summary>
public interface ISmtpSession : IAsyncDisposable
{
    /// <summary>Submits one message with an explicit envelope; returns the smart host's 250 reply text. Throws <see cref="SmtpSessionException"/>.</summary>
    Task<string> SendAsync(MimeMessage message, string sender, string recipient, CancellationToken ct);
    /// <summary>False once the server closed the connection.</summary>
    bool IsConnected { get; }
}

/// <summary>A classified SMTP failure.</summary>
public sealed class SmtpSessionException(SmtpFailure failure, Exception? inner = null) : Exception(failure.Reason, inner)
{
    /// <summary>What the failure means for the queue.</summary>
    public SmtpFailure Failure { get; } = failure;
}

/// <summary>
/// DLV-2 submission with MailKit: STARTTLS or implicit TLS (TLS 1.2/1.3, strong suites), the smart host's
/// certificate verified by OpenUM.Security against the trusted store or the OS roots with the host name
/// checked, and the server certificate presented as TLS client certificate. The TLS context is asked
/// for at each connection so a rotated certificate is used from the next session on.
/// </summary>
public sealed class MailKitSubmitter(Func<TlsContext> tls, string localDomain, TimeProvider time) : ISmtpSubmitter
{
    /// <summary>SMTP command time-out.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public async Task<ISmtpSession> OpenAsync(SmartHostSettings settings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var connectionTls = new MailKitTls(tls(), settings.Host, settings.ClientCertificate, time);
        var client = new TlsSmtpClient(connectionTls.ClientOptions)
        {
            Timeout = (int)Timeout.TotalMilliseconds,
            LocalDomain = localDomain,
            ServerCertificateValidationCallback = connectionTls.Validate,
            CheckCertificateRevocation = false,
        };
        try
        {
            var mode = settings.Tls == Directory.SmartHostTls.Implicit ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
            await client.ConnectAsync(settings.Host, settings.Port, mode, ct).ConfigureAwait(false);
            if (settings.User is { } user)
            {
                string password = (await File.ReadAllLinesAsync(settings.PasswordFile!, ct).ConfigureAwait(false)).FirstOrDefault() ?? "";
                await client.AuthenticateAsync(user, password, ct).ConfigureAwait(false);
            }
            return new Session(client);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // After a completed handshake (our verdict accepted) a reply is a post-TLS one even if MailKit already hung up.
            var verdict = connectionTls.Verdict;
            var failure = SmtpFailure.Classify(e, SmtpPhase.Session, verdict, tlsEstablished: verdict is { Accepted: true } || client.IsEncrypted);
            client.Dispose();
            throw new SmtpSessionException(failure, e);
        }
    }

    private sealed class Session(SmtpClient client) : ISmtpSession
    {
        public bool IsConnected => client.IsConnected;

        public async Task<string> SendAsync(MimeMessage message, string sender, string recipient, CancellationToken ct)
        {
            try
            {
                return await client.SendAsync(message, MailboxAddress.Parse(sender), [MailboxAddress.Parse(recipient)], ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                throw new SmtpSessionException(SmtpFailure.Classify(e, SmtpPhase.Message, null, tlsEstablished: true), e);
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (client.IsConnected) await client.DisconnectAsync(quit: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SmtpProtocolException or SmtpCommandException or OperationCanceledException)
            {
                // QUIT is a courtesy: every message was already accepted or not.
            }
            client.Dispose();
        }
    }

    /// <summary>MailKit's SMTP client with the TLS options taken from OpenUM.Security instead of its own.</summary>
    private sealed class TlsSmtpClient(Func<string, SslClientAuthenticationOptions> options) : SmtpClient
    {
        protected override SslClientAuthenticationOptions GetSslClientAuthenticationOptions(string host, RemoteCertificateValidationCallback remoteCertificateValidationCallback) =>
            options(host);
    }
}
