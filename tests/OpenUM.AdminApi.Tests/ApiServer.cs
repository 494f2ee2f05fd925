using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging.Testing;
using OpenUM.Management;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Security;
using OpenUM.Server.Metrics;
using OpenUM.TestSupport.Pki;

namespace OpenUM.AdminApi.Tests;

/// <summary>
/// The admin API started in this process on a free loopback port, over a fresh data directory, with a server
/// certificate and a trusted client CA made at test time (beside whatever `openum cert trust` put in the data
/// directory's trusted store during setup), and one token of each scope.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    private readonly TestCa _ca = new("Admin API Test CA");
    private AdminApiEndpoint? _endpoint;

    private ApiServer(string data) => Data = data;

    /// <summary>The data directory the API manages.</summary>
    public string Data { get; }

    /// <summary>The API's events.</summary>
    public FakeLogger Events { get; } = new();

    /// <summary>A token with the Admin scope.</summary>
    public string AdminToken { get; private set; } = "";

    /// <summary>A token with the ReadOnly scope.</summary>
    public string ReadOnlyToken { get; private set; } = "";

    /// <summary>A client certificate the server trusts (issued by its trusted CA), not added as a credential.</summary>
    public X509Certificate2 TrustedClient => _ca.Issue("admin.example.test", serverAuth: false);

    /// <summary>A trusted client certificate for <paramref name="subject"/>, added as the credential <paramref name="name"/> through the CLI.</summary>
    public X509Certificate2 AddedClient(string name, string scope, string subject = "admin.example.test") =>
        AddCertificate(Data, _ca.Issue(subject, serverAuth: false), name, scope);

    /// <summary>`openum admin-token new --certificate` with <paramref name="certificate"/> written to a PEM file; returns the certificate.</summary>
    public static X509Certificate2 AddCertificate(string data, X509Certificate2 certificate, string name, string scope)
    {
        string file = Path.Combine(data, $"{name}-client.pem");
        File.WriteAllText(file, certificate.ExportCertificatePem());
        var (code, _, err) = Cli.Run(data, "admin-token", "new", "--name", name, "--scope", scope, "--certificate", file);
        Assert.True(code == 0, err);
        File.Delete(file);
        return certificate;
    }

    /// <summary>The clock of <see cref="History"/> (fixed unless a test moves it).</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 29, 14, 30, 10, TimeSpan.Zero));

    /// <summary>The per-minute history the charts and GET /api/v1/metrics/history show, listening to the real instruments.</summary>
    public MetricsHistory History { get; private set; } = null!;

    /// <summary>Where it listens.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    internal static async Task<ApiServer> StartAsync(Func<AdminApiSettings, AdminApiSettings>? configure = null, params string[][] setup)
    {
        var server = new ApiServer(System.IO.Directory.CreateTempSubdirectory("openum-api-").FullName);
        foreach (var args in setup)
        {
            var (code, _, err) = Cli.Run(server.Data, args);
            Assert.True(code == 0, string.Join(' ', args) + ": " + err);
        }
        var tokens = new AdminTokens(server.Data);
        server.AdminToken = tokens.Create("ops", AdminScope.Admin, DateTimeOffset.UtcNow);
        server.ReadOnlyToken = tokens.Create("viewer", AdminScope.ReadOnly, DateTimeOffset.UtcNow);
        var certificate = server._ca.Issue("localhost", serverAuth: true, clientAuth: false);
        var store = new CertificateStore(new OpenUM.Server.DataDirectory(server.Data).Certificates);
        var trust = new TrustList([server._ca.Root, .. store.LoadTrusted()], store.LoadCrls());
        var tls = TlsContext.Create(certificate, null, trust, new PeerValidationOptions(), () => [], TimeProvider.System);
        var settings = new AdminApiSettings(new IPEndPoint(IPAddress.Loopback, 0), server.Data, null);
        server.History = new MetricsHistory(server.Clock);
        server.History.Start();
        server._endpoint = await AdminApiEndpoint.StartAsync(configure?.Invoke(settings) ?? settings, new CommandRunner(ManagementCommands.CreateRoot()),
            () => tls, server.History, server.Events, TimeProvider.System, CancellationToken.None);
        server.BaseAddress = new Uri($"https://localhost:{server._endpoint.EndPoint.Port}");
        return server;
    }

    /// <summary>A client that trusts the test CA, with <paramref name="token"/> as bearer and <paramref name="certificate"/> as client certificate.</summary>
    public HttpClient Client(string? token, X509Certificate2? certificate = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) => _ca.AcceptsServer(cert, errors);
        if (certificate is not null) handler.SslOptions.ClientCertificates = [certificate];
        var client = new HttpClient(handler) { BaseAddress = BaseAddress };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A browser-like client for the web console: no bearer token, redirects and cookies left to the test; <paramref name="certificate"/> its client certificate.</summary>
    public HttpClient Browser(X509Certificate2? certificate = null)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) => _ca.AcceptsServer(cert, errors);
        if (certificate is not null) handler.SslOptions.ClientCertificates = [certificate];
        return new HttpClient(handler) { BaseAddress = BaseAddress };
    }

    /// <summary>JSON content of <paramref name="json"/>.</summary>
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Stops the API and deletes the data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_endpoint is not null) await _endpoint.DisposeAsync();
        History.Dispose();
        _ca.Dispose();
        System.IO.Directory.Delete(Data, recursive: true);
    }
}
