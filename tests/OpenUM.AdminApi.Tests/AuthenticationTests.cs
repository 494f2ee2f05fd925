using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using OpenUM.TestSupport.Logging;
using OpenUM.TestSupport.Pki;

namespace OpenUM.AdminApi.Tests;

/// <summary>Who may do what: tokens and added client certificates by scope, the trusted store's check, and the events of refusals.</summary>
public sealed class AuthenticationTests : IAsyncLifetime
{
    private ApiServer _api = null!;

    public async Task InitializeAsync() => _api = await ApiServer.StartAsync(setup: Setup.OneOfEach);

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task NoTokenIs401WithAChallengeAndAnEvent()
    {
        using var client = _api.Client(token: null);
        using var response = await client.GetAsync("/api/v1/dialplan");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains(2361, _api.Events.EventIds());
    }

    [Fact]
    public async Task AnUnknownTokenIs401AndIsNeverLogged()
    {
        using var client = _api.Client("oum_not-a-token-anyone-made");
        using var response = await client.GetAsync("/api/v1/dialplan");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(_api.Events.Lines(), l => l.StartsWith("2361 ", StringComparison.Ordinal) && l.Contains("unknown or removed token", StringComparison.Ordinal));
        Assert.DoesNotContain(_api.Events.Lines(), l => l.Contains("not-a-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AReadOnlyTokenReadsButCannotChange()
    {
        using var client = _api.Client(_api.ReadOnlyToken);
        using var read = await client.GetAsync("/api/v1/dialplan/Contoso");
        using var change = await client.PatchAsync("/api/v1/dialplan/Contoso", ApiServer.Json("""{"voip-security": "Secured"}"""));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("Contoso", JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, change.StatusCode);
        Assert.Contains(2363, _api.Events.EventIds());
        // Nothing changed.
        Assert.DoesNotContain("\"Secured\"", Cli.Run(_api.Data, "dialplan", "get", "Contoso", "--json").Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAdminTokenChangesAndTheAuditEventNamesIt()
    {
        using var client = _api.Client(_api.AdminToken);
        using var response = await client.PostAsync("/api/v1/dialplan", ApiServer.Json("""{"name": "Fabrikam", "number-of-digits-in-extension": 5}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/v1/dialplan/Fabrikam", response.Headers.Location?.ToString());
        Assert.Contains(File.ReadLines(Path.Combine(_api.Data, "events.jsonl")),
            l => l.Contains("\"id\":2100", StringComparison.Ordinal) && l.Contains("token:ops@127.0.0.1", StringComparison.Ordinal) && l.Contains("Fabrikam", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAddedClientCertificateHasItsScopeAndTheAuditEventNamesIt()
    {
        using var admin = _api.AddedClient("alice", "Admin");
        using var viewer = _api.AddedClient("bob", "ReadOnly", "viewer.example.test");
        using var asAdmin = _api.Client(token: null, admin);
        using var asViewer = _api.Client(token: null, viewer);

        using var changed = await asAdmin.PatchAsync("/api/v1/gateway/pbx1", ApiServer.Json("""{"port": 5070}"""));
        using var read = await asViewer.GetAsync("/api/v1/gateway/pbx1");
        using var refused = await asViewer.PatchAsync("/api/v1/gateway/pbx1", ApiServer.Json("""{"port": 5080}"""));

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Contains(File.ReadLines(Path.Combine(_api.Data, "events.jsonl")),
            l => l.Contains("\"id\":2100", StringComparison.Ordinal) && l.Contains("cert:alice@127.0.0.1", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains(_api.Events.Lines(), l => l.StartsWith("2363 ", StringComparison.Ordinal) && l.Contains("cert:bob@127.0.0.1", StringComparison.Ordinal));
        // A token sent beside the Admin certificate decides: ReadOnly stays ReadOnly.
        using var tokenBeside = _api.Client(_api.ReadOnlyToken, admin);
        using var tokenRefused = await tokenBeside.PatchAsync("/api/v1/gateway/pbx1", ApiServer.Json("""{"port": 5090}"""));
        Assert.Equal(HttpStatusCode.Forbidden, tokenRefused.StatusCode);
    }

    [Fact]
    public async Task ATrustedClientCertificateThatWasNotAddedIsNoCredential()
    {
        // The trusted store also holds the CAs of gateways and phones: passing the handshake makes nobody an administrator.
        using var certificate = _api.TrustedClient;
        using var client = _api.Client(token: null, certificate);
        using var response = await client.PatchAsync("/api/v1/gateway/pbx1", ApiServer.Json("""{"port": 5070}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(_api.Events.Lines(), l => l.StartsWith("2361 ", StringComparison.Ordinal)
            && l.Contains("CN=admin.example.test", StringComparison.Ordinal) && l.Contains("was not added", StringComparison.Ordinal));
        Assert.DoesNotContain("5070", Cli.Run(_api.Data, "gateway", "get", "pbx1", "--json").Out, StringComparison.Ordinal);
        // With a token as well, the token decides.
        using var withToken = _api.Client(_api.ReadOnlyToken, certificate);
        using var read = await withToken.GetAsync("/api/v1/gateway/pbx1");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task ARemovedCertificateCredentialIsRefusedOnTheNextRequest()
    {
        using var certificate = _api.AddedClient("carol", "Admin", "carol.example.test");
        using var client = _api.Client(token: null, certificate);
        using var before = await client.GetAsync("/api/v1/dialplan");
        Assert.Equal(0, Cli.Run(_api.Data, "admin-token", "remove", "carol").Code);
        using var after = await client.GetAsync("/api/v1/dialplan");   // the same connection: its handshake still stands

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task AClientCertificateNotInTheTrustedStoreIsRefusedAtTheHandshake()
    {
        using var stranger = new TestCa("Stranger CA");
        using var certificate = stranger.Issue("admin.example.test", serverAuth: false);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _api.BaseAddress.Port);
        using var tls = new SslStream(tcp.GetStream());
        var answer = await Record.ExceptionAsync(async () =>
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = [certificate],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            // TLS 1.3 tells the client of the refusal after its side of the handshake: the first read fails or ends.
            await tls.WriteAsync(Encoding.ASCII.GetBytes("GET /api/v1/dialplan HTTP/1.1\r\nHost: localhost\r\n\r\n"));
            var buffer = new byte[256];
            if (await tls.ReadAsync(buffer) == 0) throw new IOException("closed without an answer");
        });

        Assert.True(answer is AuthenticationException or IOException, $"the handshake was not refused: {answer}");
        await WaitFor(() => _api.Events.EventIds().Contains(2362));
        Assert.Contains(_api.Events.Lines(), l => l.StartsWith("2362 ", StringComparison.Ordinal) && l.Contains("UntrustedRoot", StringComparison.Ordinal));
    }

    // The refusal event is written on the handshake's thread, which may finish after the client saw the close.
    private static async Task WaitFor(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition()) await Task.Delay(20, timeout.Token);
    }
}
