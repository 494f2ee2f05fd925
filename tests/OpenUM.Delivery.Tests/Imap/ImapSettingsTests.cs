using OpenUM.Delivery.Mailboxes.Imap;
using OpenUM.Directory;

namespace OpenUM.Delivery.Tests.Imap;

/// <summary><see cref="ImapSettings"/> from a UM server, the login it makes, and what it shows (never a password).</summary>
public sealed class ImapSettingsTests
{
    private static UmServer Server(string? host = "imap.example.test:993") => new()
    {
        Name = "um1",
        ImapHost = host,
        ImapUser = "openum",
        ImapPasswordFile = "/etc/openum/imap-password",
    };

    [Fact]
    public void NoHostOrAnIncompleteLoginIsNoStore()
    {
        Assert.Null(ImapSettings.From(null));
        Assert.Null(ImapSettings.From(new UmServer { Name = "um1" }));
        Assert.Null(ImapSettings.From(Server(host: null)));
        Assert.Null(ImapSettings.From(Server(host: "imap.example.test")));
        Assert.Null(ImapSettings.From(Server() with { ImapUser = null }));
        Assert.Null(ImapSettings.From(Server() with { ImapPasswordFile = null }));
    }

    [Fact]
    public void TheServerSettingsAreTakenOver()
    {
        var s = ImapSettings.From(Server("[2001:db8::25]:993") with
        {
            ImapTls = ImapTls.Implicit,
            ImapClientCertificate = true,
            ImapLogin = ImapLogin.SaslAuthorizationId,
            ImapFolder = "Voice",
            ImapDeleteAction = ImapDeleteAction.Expunge,
            ImapTrashFolder = "Deleted Items",
        })!;
        Assert.Equal(("2001:db8::25", 993, "[2001:db8::25]:993"), (s.Host, s.Port, s.Endpoint));
        Assert.Equal((ImapTls.Implicit, true, "openum", "/etc/openum/imap-password"), (s.Tls, s.ClientCertificate, s.User, s.PasswordFile));
        Assert.Equal((ImapLogin.SaslAuthorizationId, "Voice", ImapDeleteAction.Expunge, "Deleted Items"), (s.Login, s.Folder, s.DeleteAction, s.TrashFolder));
    }

    [Fact]
    public void TheMasterSeparatorLoginNamesTheMailboxThenTheServiceUser()
    {
        var s = ImapSettings.From(Server())!;
        Assert.Equal("user1000@example.test*openum", s.LoginName("user1000@example.test"));
        var plain = ImapConnector.Mechanism(s, "user1000@example.test", "secret");
        Assert.Equal("user1000@example.test*openum", plain.Credentials.UserName);
        Assert.True(string.IsNullOrEmpty(plain.AuthorizationId));

        var other = ImapSettings.From(Server() with { ImapMasterUserSeparator = "%%" })!;
        Assert.Equal("user1000@example.test%%openum", other.LoginName("user1000@example.test"));
    }

    [Fact]
    public void TheAuthorizationIdLoginIsTheServiceUserActingAsTheMailbox()
    {
        var s = ImapSettings.From(Server() with { ImapLogin = ImapLogin.SaslAuthorizationId })!;
        var plain = ImapConnector.Mechanism(s, "user1000@example.test", "secret");
        Assert.Equal("openum", plain.Credentials.UserName);
        Assert.Equal("user1000@example.test", plain.AuthorizationId);
    }

    [Fact]
    public async Task ThePasswordIsTheFirstLineOfItsFileAndNeverShown()
    {
        string dir = System.IO.Directory.CreateTempSubdirectory("openum-imap-pw-").FullName;
        try
        {
            string secret = "pw-" + Guid.NewGuid().ToString("N");
            string file = Path.Combine(dir, "pw");
            await File.WriteAllTextAsync(file, secret + "\nsecond line\n");
            Assert.Equal(secret, await ImapConnector.ReadPasswordAsync(file, CancellationToken.None));

            var s = ImapSettings.From(Server() with { ImapPasswordFile = file })!;
            Assert.Contains(file, s.ToString(), StringComparison.Ordinal);
            Assert.Contains("imap.example.test:993", s.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, s.ToString(), StringComparison.Ordinal);

            await File.WriteAllTextAsync(file, "\n");
            var empty = await Assert.ThrowsAsync<ImapFailureException>(() => ImapConnector.ReadPasswordAsync(file, CancellationToken.None));
            Assert.Contains("is empty", empty.Message, StringComparison.Ordinal);

            var missing = await Assert.ThrowsAsync<ImapFailureException>(() => ImapConnector.ReadPasswordAsync(Path.Combine(dir, "none"), CancellationToken.None));
            Assert.Equal(ImapFailureScope.Store, missing.Failure.Scope);
            Assert.Equal($"the password file is unreadable: {Path.Combine(dir, "none")}: no such file", missing.Message);
        }
        finally
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
    }
}
