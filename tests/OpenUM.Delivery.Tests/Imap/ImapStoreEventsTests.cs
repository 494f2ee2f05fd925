using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Delivery.Mailboxes.Imap;
using OpenUM.Directory;
using OpenUM.Security;
using OpenUM.TestSupport.Pki;

namespace OpenUM.Delivery.Tests.Imap;

/// <summary>
/// The IMAP store's failures without a mail server: unavailable (never empty) with events 2036 once per outage, 2037
/// with the outage's length, 2038 at most hourly per address; the password neither leaves the process without TLS nor
/// appears in an exception or an event.
/// </summary>
public sealed class ImapStoreEventsTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("openum-imap-store-").FullName;
    private readonly string _secret = "pw-" + Guid.NewGuid().ToString("N");
    private readonly FakeLogger _events = new();
    private readonly FakeTimeProvider _time = new(TestPki.Now);
    private readonly TlsContext _tls;

    public ImapStoreEventsTests()
    {
        var own = TestPki.SelfSigned("um.example.test");
        _tls = TlsContext.Create(own, null, TrustList.Empty, new PeerValidationOptions(), () => [], _time);
        File.WriteAllText(PasswordFile, _secret + "\n");
    }

    public void Dispose() => System.IO.Directory.Delete(_dir, recursive: true);

    private string PasswordFile => Path.Combine(_dir, "imap-password");

    private ImapSettings Settings(string host, string? passwordFile = null) => ImapSettings.From(new UmServer
    {
        Name = "um1", ImapHost = host, ImapUser = "openum", ImapPasswordFile = passwordFile ?? PasswordFile,
    })!;

    private ImapMessageStore Store(ImapSettings settings) => new(() => settings, () => _tls, _time, _events) { Timeout = TimeSpan.FromSeconds(10) };

    private List<Microsoft.Extensions.Logging.Testing.FakeLogRecord> Logged(int id) => [.. _events.Collector.GetSnapshot().Where(r => r.Id.Id == id)];

    [Fact]
    public async Task AnUnreadablePasswordFileMakesTheStoreUnavailableOncePerOutage()
    {
        string missing = Path.Combine(_dir, "none");
        var store = Store(Settings("localhost:1", missing));
        for (int i = 0; i < 2; i++)
        {
            var e = await Assert.ThrowsAsync<MessageStoreUnavailableException>(async () => await store.OpenAsync("a@example.test", None));
            Assert.Equal($"the password file is unreadable: {missing}: no such file", e.Message);
        }
        var logged = Assert.Single(Logged(2036));
        Assert.Contains(missing, logged.Message, StringComparison.Ordinal);
        Assert.False(store.IsAvailable);
        await Assert.ThrowsAsync<MessageStoreUnavailableException>(async () => await store.CountAsync("a@example.test", None));
        Assert.Single(Logged(2036));
    }

    [Fact]
    public async Task ARefusedConnectionIsUnavailableNotEmpty()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var store = Store(Settings($"localhost:{port}"));
        var e = await Assert.ThrowsAsync<MessageStoreUnavailableException>(async () => await store.OpenAsync("a@example.test", None));
        Assert.Contains($"cannot connect to localhost:{port}", e.Message, StringComparison.Ordinal);
        Assert.Single(Logged(2036));
    }

    [Fact]
    public async Task AServerWithoutStartTlsNeverGetsThePassword()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var received = new StringBuilder();
        // A plain IMAP server that offers a login but no STARTTLS (RFC 3501 greeting and CAPABILITY).
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            async Task Send(string line) => await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
            await Send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready");
            while (await reader.ReadLineAsync() is { } line)
            {
                received.AppendLine(line);
                string tag = line.Split(' ')[0];
                if (line.Contains("CAPABILITY", StringComparison.OrdinalIgnoreCase))
                    await Send($"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done");
                else if (line.Contains("LOGOUT", StringComparison.OrdinalIgnoreCase))
                    await Send($"* BYE\r\n{tag} OK bye");
                else
                    await Send($"{tag} NO not here");
            }
        });

        var store = Store(Settings($"localhost:{((IPEndPoint)listener.LocalEndpoint).Port}"));
        var e = await Assert.ThrowsAsync<MessageStoreUnavailableException>(async () => await store.OpenAsync("a@example.test", None));
        Assert.Contains("never logs in without TLS", e.Message, StringComparison.Ordinal);
        await server.WaitAsync(TimeSpan.FromSeconds(30)); // hang guard: the client hung up
        string wire = received.ToString();
        Assert.DoesNotContain("AUTHENTICATE", wire, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("LOGIN", wire, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(_secret))[..8], wire, StringComparison.Ordinal);
        AssertNoSecret(e);
        Assert.All(_events.Collector.GetSnapshot(), r => Assert.DoesNotContain(_secret, r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void TheStoreAnsweringAgainLogs2037WithTheOutageLength()
    {
        var settings = Settings("imap.example.test:143");
        var store = Store(settings);
        store.Failed(settings, "a@example.test", ImapPhase.Connect, new SocketException((int)SocketError.ConnectionRefused));
        _time.Advance(TimeSpan.FromSeconds(42));
        Assert.False(store.IsAvailable);
        // Any answer counts, even one refusing a mailbox.
        store.Failed(settings, "a@example.test", ImapPhase.Open, new FolderNotFoundException("INBOX"));
        Assert.True(store.IsAvailable);
        var back = Assert.Single(Logged(2037));
        Assert.Equal("42", back.StructuredState!.Single(p => p.Key == "OutageSeconds").Value);
    }

    [Fact]
    public void AMailboxTheServerRefusesIsLoggedAtMostHourlyPerAddress()
    {
        var settings = Settings("imap.example.test:143");
        var store = Store(settings);
        for (int i = 0; i < 3; i++)
        {
            var e = store.Failed(settings, "ghost@example.test", ImapPhase.Open, new FolderNotFoundException("INBOX"));
            Assert.Contains("ghost@example.test has no folder 'INBOX'", e.Message, StringComparison.Ordinal);
        }
        store.Failed(settings, "other@example.test", ImapPhase.Open, new FolderNotFoundException("INBOX"));
        Assert.Equal(2, Logged(2038).Count);
        _time.Advance(TimeSpan.FromHours(1));
        store.Failed(settings, "ghost@example.test", ImapPhase.Open, new FolderNotFoundException("INBOX"));
        Assert.Equal(3, Logged(2038).Count);
        Assert.Empty(Logged(2036));
        Assert.True(store.IsAvailable);
    }

    private void AssertNoSecret(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            Assert.DoesNotContain(_secret, x.ToString(), StringComparison.Ordinal);
    }
}
