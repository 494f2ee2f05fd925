using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using OpenUM.TestSupport.Logging;
using OpenUM.TestSupport.Pki;

namespace OpenUM.AdminApi.Tests;

/// <summary>Who may do what: tokens by scope, client certificates from the trusted store, and the events of refusals.</summary>
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
    public async Task ATrustedClientCertificateIsAdmin()
    {
        using var certificate = _api.TrustedClient;
        using var client = _api.Client(token: null, certificate);
        using var response = await client.PatchAsync("/api/v1/gateway/pbx1", ApiServer.Json("""{"port": 5070}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(File.ReadLines(Path.Combine(_api.Data, "events.jsonl")),
            l => l.Contains("\"id\":2100", StringComparison.Ordinal) && l.Contains($"cert:CN=admin.example.test {certificate.Thumbprint}@127.0.0.1", StringComparison.Ordinal));
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
