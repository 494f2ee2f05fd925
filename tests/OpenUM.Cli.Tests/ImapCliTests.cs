using System.Text.Json;

namespace OpenUM.Cli.Tests;

/// <summary>`openum server set --imap-*`: the IMAP store holding the users' mailboxes.</summary>
public sealed class ImapCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-imap-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => OpenUmCli.Run(_data, args);

    private JsonElement Server() => JsonDocument.Parse(Run("server", "get", "--json").Out).RootElement.EnumerateArray()
        .Single(s => s.GetProperty("name").GetString() == "um1");

    private string PasswordFile(string secret)
    {
        string file = Path.Combine(_data, "imap-password");
        File.WriteAllText(file, secret + "\n");
        return file;
    }

    [Fact]
    public void EveryOptionRoundTripsAndGetShowsThePathNeverThePassword()
    {
        string secret = "pw-" + Guid.NewGuid().ToString("N");
        string file = PasswordFile(secret);
        var (code, stdout, err) = Run("server", "set", "--name", "um1", "--imap-host", "imap.example.test:993", "--imap-tls", "Implicit",
            "--imap-client-certificate", "true", "--imap-user", "openum", "--imap-password-file", file, "--imap-login", "SaslAuthorizationId",
            "--imap-master-user-separator", "%", "--imap-folder", "Voice Mail", "--imap-delete-action", "Expunge", "--imap-trash-folder", "Deleted Items");
        Assert.True(code == 0, err);
        Assert.DoesNotContain(secret, stdout, StringComparison.Ordinal);

        var server = Server();
        Assert.Equal("imap.example.test:993", server.GetProperty("imapHost").GetString());
        Assert.Equal("Implicit", server.GetProperty("imapTls").GetString());
        Assert.True(server.GetProperty("imapClientCertificate").GetBoolean());
        Assert.Equal("openum", server.GetProperty("imapUser").GetString());
        Assert.Equal(file, server.GetProperty("imapPasswordFile").GetString());
        Assert.Equal("SaslAuthorizationId", server.GetProperty("imapLogin").GetString());
        Assert.Equal("%", server.GetProperty("imapMasterUserSeparator").GetString());
        Assert.Equal("Voice Mail", server.GetProperty("imapFolder").GetString());
        Assert.Equal("Expunge", server.GetProperty("imapDeleteAction").GetString());
        Assert.Equal("Deleted Items", server.GetProperty("imapTrashFolder").GetString());

        var table = Run("server", "get");
        Assert.Contains("imap.example.test:993", table.Out, StringComparison.Ordinal);
        foreach (var output in new[] { Run("server", "get", "--json").Out, table.Out })
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);

        // "" turns the store off again (all three together, as the rule wants).
        Assert.Equal(0, Run("server", "set", "--name", "um1", "--imap-host", "", "--imap-user", "", "--imap-password-file", "").Code);
        Assert.Equal(JsonValueKind.Null, Server().GetProperty("imapHost").ValueKind);
    }

    [Fact]
    public void AHostWithoutItsLoginIsRefusedNamingTheMissingOption()
    {
        var (code, _, err) = Run("server", "set", "--name", "um1", "--imap-host", "imap.example.test:143");
        Assert.Equal(2, code);
        Assert.Contains("--imap-user", err, StringComparison.Ordinal);

        (code, _, err) = Run("server", "set", "--name", "um1", "--imap-host", "imap.example.test:143", "--imap-user", "openum");
        Assert.Equal(2, code);
        Assert.Contains("give --imap-password-file", err, StringComparison.Ordinal);

        (code, _, err) = Run("server", "set", "--name", "um1", "--imap-host", "imap.example.test:143", "--imap-user", "openum", "--imap-password-file", "pw.txt");
        Assert.Equal(2, code);
        Assert.Contains("error: --imap-password-file:", err, StringComparison.Ordinal);
        Assert.Contains("not an absolute path", err, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, Server().GetProperty("imapHost").ValueKind);
    }

    [Theory]
    [InlineData("--imap-host", "imap.example.test", "HOST:PORT")]
    [InlineData("--imap-master-user-separator", "", "1 to 4 printable characters")]
    [InlineData("--imap-folder", "", "must not be empty")]
    [InlineData("--imap-trash-folder", "INBOX", "a deleted message would stay")]
    public void ABadValueIsRefusedNamingItsOption(string option, string value, string text)
    {
        string file = PasswordFile("x");
        string host = option == "--imap-host" ? value : "imap.example.test:143";
        string[] extra = option == "--imap-host" ? [] : [option, value];
        var (code, _, err) = Run(["server", "set", "--name", "um1", "--imap-host", host, "--imap-user", "openum", "--imap-password-file", file, .. extra]);
        Assert.Equal(2, code);
        Assert.Contains($"error: {option}:", err, StringComparison.Ordinal);
        Assert.Contains(text, err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--imap-tls", "None")]
    [InlineData("--imap-login", "Plain")]
    [InlineData("--imap-delete-action", "Purge")]
    public void OnlyTheNamedChoicesAreAccepted(string option, string value)
    {
        var (code, _, err) = Run("server", "set", "--name", "um1", option, value);
        Assert.NotEqual(0, code);
        Assert.Contains(option, err, StringComparison.Ordinal);
    }

    [Fact]
    public void ThereIsNoPasswordOption()
    {
        var (code, _, err) = Run("server", "set", "--name", "um1", "--imap-password", "secret");
        Assert.NotEqual(0, code);
        Assert.Contains("--imap-password", err, StringComparison.Ordinal);
        Assert.DoesNotContain("--imap-password ", Run("server", "set", "--help").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void MessagesAndPlayOnPhoneReadTheImapStoreWhenOneIsConfigured()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port; // closed again: nothing answers there
        }
        Assert.Equal(0, Run("dialplan", "new", "--name", "Test", "--number-of-digits-in-extension", "4").Code);
        Assert.Equal(0, Run("mailbox", "new", "--extension", "1000", "--dial-plan", "Test", "--email", "user1000@example.test").Code);
        Assert.Equal(0, Run("cert", "new-selfsigned", "--subject", "um.example.test", "--dns", "um.example.test").Code);
        var (code, _, err) = Run("server", "set", "--name", Environment.MachineName, "--imap-host", $"localhost:{port}", "--imap-user", "openum",
            "--imap-password-file", PasswordFile("x"), "--smart-host", "smtp.example.test:25");
        Assert.True(code == 0, err);

        // Not the (empty) local maildir, nor the "not kept locally" note: the IMAP store, which cannot be reached.
        (code, var stdout, err) = Run("mailbox", "messages", "--dial-plan", "Test", "--extension", "1000");
        Assert.Equal(1, code);
        Assert.Contains($"error: cannot connect to localhost:{port}", err, StringComparison.Ordinal);
        Assert.DoesNotContain("not kept locally", err, StringComparison.Ordinal);
        Assert.Equal("", stdout);

        (code, _, err) = Run("mailbox", "play-on-phone", "--dial-plan", "Test", "--extension", "1000", "--message", "1-1", "--phone", "0612345678");
        Assert.Equal(1, code);
        Assert.Contains($"error: cannot connect to localhost:{port}", err, StringComparison.Ordinal);
    }
}
