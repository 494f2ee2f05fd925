using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OpenUM.Calls;
using OpenUM.Directory;
using OpenUM.Server.Metrics;

namespace OpenUM.Server.Tests.Metrics;

/// <summary>The endpoint on Kestrel: what it exports, what it answers, and that it answers nothing else.</summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-metrics-").FullName;
    private SqliteConfigurationStore? _store;
    private bool _listening = true;

    public Task InitializeAsync()
    {
        _store = new SqliteConfigurationStore(Path.Combine(_root, "config.db"));
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _store?.Dispose();
        System.IO.Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    private Task<MetricsEndpoint> StartAsync(bool tls = false, Func<X509Certificate2>? certificate = null) =>
        MetricsEndpoint.StartAsync(new MetricsOptions(new IPEndPoint(IPAddress.Loopback, 0), tls),
            new HealthProbe(() => _listening, _store!, TimeProvider.System), certificate, CancellationToken.None);

    private static HttpClient Client() => new() { Timeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task MetricsAreTheOpenUmInstrumentsInPrometheusNames()
    {
        await using var endpoint = await StartAsync();
        Assert.NotEqual(0, endpoint.EndPoint.Port);
        CallMetrics.CallAnswered();
        CallMetrics.Refusal(RefusalReason.UnknownAddress);
        CallMetrics.RecordingEnded(OpenUM.Media.RecordingStopReason.IdleTimeout, TimeSpan.FromSeconds(12));
        using var http = Client();
        using var response = await http.GetAsync($"http://{endpoint.EndPoint}/metrics");
        string text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("# TYPE openum_calls_total counter", text, StringComparison.Ordinal);
        Assert.Contains("outcome=\"answered\"", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE openum_refusals_total counter", text, StringComparison.Ordinal);
        Assert.Matches("openum_refusals_total\\{[^}]*reason=\"unknown_address\"", text);
        Assert.Contains("event_id=\"1021\"", text, StringComparison.Ordinal);
        Assert.Contains("service_name=\"openum\"", text, StringComparison.Ordinal);
        // Histograms in seconds get the unit in their name, as docs/monitoring.md lists them.
        Assert.Contains("# TYPE openum_recording_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Matches("openum_recording_duration_seconds_bucket\\{[^}]*le=\"\\+Inf\"\\}", text);
        Assert.Contains("# TYPE openum_recordings_total counter", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthIs200WhenListeningAndTheStoreAnswers503Otherwise()
    {
        await using var endpoint = await StartAsync();
        using var http = Client();
        using (var ok = await http.GetAsync($"http://{endpoint.EndPoint}/health"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("ok\n", await ok.Content.ReadAsStringAsync());
        }
        _listening = false;
        using (var down = await http.GetAsync($"http://{endpoint.EndPoint}/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Equal("SIP listeners not bound\n", await down.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task HealthIs503WhenTheStoreFails()
    {
        _store!.Dispose();   // every query now throws
        var probe = new HealthProbe(() => true, _store, TimeProvider.System);
        var (healthy, why) = await probe.CheckAsync(CancellationToken.None);
        Assert.False(healthy);
        Assert.Equal("configuration store failed", why);
    }

    [Theory]
    [InlineData("POST", "/metrics", HttpStatusCode.MethodNotAllowed)]
    [InlineData("DELETE", "/health", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "/", HttpStatusCode.NotFound)]
    [InlineData("GET", "/metrics/../admin", HttpStatusCode.NotFound)]
    [InlineData("GET", "/api/v1/query", HttpStatusCode.NotFound)]
    public async Task NothingButGetMetricsAndHealth(string method, string path, HttpStatusCode expected)
    {
        await using var endpoint = await StartAsync();
        using var http = Client();
        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"http://{endpoint.EndPoint}{path}"));
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task ABodyOrOversizedHeadersAreRefused()
    {
        await using var endpoint = await StartAsync();
        using var http = Client();
        using (var withBody = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"http://{endpoint.EndPoint}/metrics")
            { Content = new StringContent(new string('x', 100)) }))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, withBody.StatusCode);
        var big = new HttpRequestMessage(HttpMethod.Get, $"http://{endpoint.EndPoint}/metrics");
        big.Headers.Add("X-Filler", new string('x', 16 * 1024));
        using var tooBig = await http.SendAsync(big);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, tooBig.StatusCode);
    }

    [Fact]
    public async Task WithTlsItSpeaksHttpsWithTheServerCertificateOnly()
    {
        using var certificate = SelfSigned();
        await using var endpoint = await StartAsync(tls: true, () => certificate);
        using var handler = new HttpClientHandler
        {
            // The test trusts exactly this certificate: the one the server was given.
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
        };
        using var https = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
        using var response = await https.GetAsync($"https://localhost:{endpoint.EndPoint.Port}/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // Plain HTTP on the same port gets no HTTP answer.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint.EndPoint);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
        var buffer = new byte[64];
        int n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.DoesNotContain("HTTP/1.1 200", Encoding.ASCII.GetString(buffer, 0, n), StringComparison.Ordinal);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
