using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Metrics;

namespace OpenUM.Interop.Tests.AdminApi;

/// <summary>
/// `openum serve --admin-api-port`: the real server answers HTTPS with the certificate SIP over TLS presents, its status
/// is `openum status`, and a change made through it reaches the running server and its audit trail; off by default.
/// </summary>
public sealed class AdminApiServeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheServerServesItsAdminApiWhenAskedAndOnlyThen()
    {
        await using var um = new OpenUmProcess(output);
        await using var plain = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        string token = (await um.CliOkAsync("admin-token", "new", "--name", "ops", "--scope", "Admin")).StdOut.Trim();
        int port = TestPorts.FreeListenerPort();
        await Task.WhenAll(um.StartAsync(extraArgs: ["--admin-api-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]), plain.StartAsync());

        var listening = await um.WaitForEventAsync(2360, null, HangGuard);
        Assert.Contains($"127.0.0.1:{port}", listening.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(plain.ReadEvents(), e => e.Id == 2360);
        Assert.Equal([plain.SipPort], ListeningPorts.Of(plain.ServerPid).Order());

        // The client pins the certificate `openum status` says the server presents: the API's is the same one.
        using var cli = JsonDocument.Parse((await um.CliOkAsync("status", "--json")).StdOut);
        string thumbprint = cli.RootElement.GetProperty("certificate").GetProperty("thumbprint").GetString()!;
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            string.Equals(certificate?.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase);
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}"), Timeout = HangGuard };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var status = JsonDocument.Parse(await http.GetStringAsync("/api/v1/status"));
        Assert.Equal(cli.RootElement.GetProperty("processId").GetInt32(), status.RootElement.GetProperty("processId").GetInt32());
        Assert.Equal($"127.0.0.1:{port}", status.RootElement.GetProperty("adminApiListen").GetString());

        // A change through the API is the server's next configuration version, audited with the token's name.
        long before = status.RootElement.GetProperty("configurationVersion").GetInt64();
        using var change = await http.PatchAsync("/api/v1/dialplan/Test",
            new StringContent("""{"access-telephone-numbers": ["4000"]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        await um.WaitForEventAsync(2011, e => e.Message.Contains($"version {before + 1} ", StringComparison.Ordinal), HangGuard);
        Assert.Contains(um.ReadEvents(), e => e.Id == 2100 && e.Property("user") == "token:ops@127.0.0.1");

        // The audit sees the API's address: loopback, so no OUM-SEC-034.
        var audit = await um.CliAsync("security", "audit", "--json");
        Assert.DoesNotContain("OUM-SEC-034", audit.StdOut, StringComparison.Ordinal);
    }
}
