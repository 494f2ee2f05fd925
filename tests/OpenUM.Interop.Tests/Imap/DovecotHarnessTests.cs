using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Imap;

/// <summary>
/// The <see cref="DovecotImap"/> harness does what the IMAP store tests rely on: LMTP delivery, a master-user login
/// over STARTTLS and implicit TLS with the password from its file (and only with it), the \Trash special-use
/// folder, doveadm views, a stop that refuses connections and a restart that keeps the mail.
/// </summary>
public sealed class DovecotHarnessTests(ITestOutputHelper output)
{
    private const string User = "user1000@example.test";

    [Fact]
    public async Task DovecotTakesLmtpMailAndLetsTheMasterUserInOverTls()
    {
        var pki = await TestPki.GetAsync();
        await using var dovecot = await DovecotImap.StartAsync(pki, output);

        string messageId = $"<{Guid.NewGuid():N}@example.test>";
        string saved = await dovecot.DeliverAsync(User, Encoding.ASCII.GetBytes(
            $"From: <caller@example.test>\r\nTo: <{User}>\r\nSubject: harness\r\nMessage-ID: {messageId}\r\n\r\n.dot line\r\nbody\r\n"));
        Assert.Contains("Saved", saved);
        var inbox = Assert.Single(await dovecot.FetchAsync(User, "INBOX"));
        Assert.Equal(messageId, inbox.MessageId);
        Assert.False(inbox.Seen);
        // LMTP dot-stuffing undone: the line starts with one dot (Maildir keeps LF line ends).
        Assert.Contains("\n.dot line\nbody", Encoding.UTF8.GetString(await dovecot.FetchTextAsync(User, "INBOX", inbox.Uid)).Replace("\r\n", "\n"));
        Assert.Equal([inbox.Uid], await dovecot.SearchAsync(User, "mailbox", "INBOX", "UNSEEN"));
        Assert.Empty(await dovecot.FetchAsync(User, "Trash"));

        // The password file holds exactly the master password, 0600.
        Assert.Equal(dovecot.MasterPassword, (await File.ReadAllLinesAsync(dovecot.PasswordFile))[0]);
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(dovecot.PasswordFile));

        string login = $"{User}*{DovecotImap.MasterUser}";
        foreach (var (port, options) in new[] { (dovecot.ImapPort, SecureSocketOptions.StartTls), (dovecot.ImapsPort, SecureSocketOptions.SslOnConnect) })
        {
            using var imap = Client(pki);
            await imap.ConnectAsync("localhost", port, options);
            Assert.True(imap.IsSecure);
            await imap.AuthenticateAsync(login, dovecot.MasterPassword);
            Assert.True(imap.Capabilities.HasFlag(ImapCapabilities.SpecialUse) && imap.Capabilities.HasFlag(ImapCapabilities.Move),
                $"capabilities {imap.Capabilities}");
            Assert.NotNull(imap.GetFolder(SpecialFolder.Trash));
            await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
            Assert.Equal(1, imap.Inbox.Count);
            await imap.DisconnectAsync(true);
        }
        using (var wrong = Client(pki))
        {
            await wrong.ConnectAsync("localhost", dovecot.ImapPort, SecureSocketOptions.StartTls);
            // One SASL PLAIN attempt (a fallback to LOGIN would be a second failure, which Dovecot answers only after a penalty).
            await Assert.ThrowsAsync<AuthenticationException>(() => wrong.AuthenticateAsync(new SaslMechanismPlain(login, dovecot.MasterPassword + "x")));
        }
        // Dovecot counts a loopback connection as secured even without TLS; its log says which logins were over TLS.
        Assert.Equal(2, dovecot.Log.Split('\n').Count(l => l.Contains("Login: user=<" + User + ">", StringComparison.Ordinal) && l.Contains(", TLS", StringComparison.Ordinal)));

        await dovecot.DoveadmOkAsync("move", "-u", User, "Trash", "mailbox", "INBOX", "ALL");
        await dovecot.FlagsAsync(User, "add", "\\Seen", "mailbox", "Trash", "ALL");
        Assert.Empty(await dovecot.FetchAsync(User, "INBOX"));
        var trashed = Assert.Single(await dovecot.FetchAsync(User, "Trash"));
        Assert.Equal(messageId, trashed.MessageId);
        Assert.True(trashed.Seen);

        int pid = dovecot.Pid;
        await dovecot.StopAsync();
        Assert.Equal(0, dovecot.Pid);
        Assert.False(System.IO.Directory.Exists($"/proc/{pid}"), "the stopped Dovecot master is still there");
        await dovecot.StartAsync();
        Assert.Equal(messageId, Assert.Single(await dovecot.FetchAsync(User, "Trash")).MessageId);
        Assert.DoesNotContain(dovecot.MasterPassword, dovecot.Log);
    }

    // Trusts the test CA only, and checks the name, as OpenUM does.
    private static ImapClient Client(TestPki pki)
    {
        var ca = pki.Load("ca");
        return new ImapClient
        {
            CheckCertificateRevocation = false,
            ServerCertificateValidationCallback = (_, cert, _, errors) =>
            {
                if (cert is null || (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(X509CertificateLoader.LoadCertificate(cert.GetRawCertData()));
            },
        };
    }
}
