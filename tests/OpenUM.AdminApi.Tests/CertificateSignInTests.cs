using System.Net;
using OpenUM.TestSupport.Pki;

namespace OpenUM.AdminApi.Tests;

/// <summary>
/// The console's sign-in by client certificate: a browser presenting a certificate whose CA was added with `openum cert
/// trust` and which was added with `openum admin-token new --certificate` is offered "Sign in with this certificate" and
/// gets a session with that credential's scope without a token; a trusted certificate nobody added signs nobody in.
/// </summary>
public sealed class CertificateSignInTests : IAsyncLifetime
{
    private readonly TestCa _browserCa = new("Browser CA");
    private readonly string _rootFile = Path.Combine(Path.GetTempPath(), $"openum-browser-ca-{Guid.NewGuid():N}.pem");
    private ApiServer _api = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_rootFile, _browserCa.Root.ExportCertificatePem());
        _api = await ApiServer.StartAsync(setup: [.. Setup.OneOfEach, ["cert", "trust", _rootFile]]);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _browserCa.Dispose();
        File.Delete(_rootFile);
    }

    [Fact]
    public async Task AnAddedClientCertificateSignsInWithoutATokenWithItsScope()
    {
        using var certificate = ApiServer.AddCertificate(_api.Data, _browserCa.Issue("browser.example.test", serverAuth: false), "alice", "Admin");
        using var browser = new ConsoleBrowser(_api, certificate);

        using var login = await browser.SendGetAsync("/console/login", null);
        string offer = await login.Content.ReadAsStringAsync();
        var (cookie, csrf) = await browser.SignInAsync(null);
        string status = await browser.GetAsync("/console/", cookie);
        using var created = await browser.PostAsync("/console/objects/dialplan", cookie, browser.Origin, ("csrf", csrf), ("name", "ByCert"), ("number-of-digits-in-extension", "4"));

        Assert.Contains("Sign in with this certificate", offer, StringComparison.Ordinal);
        Assert.Contains("<strong>alice</strong>", offer, StringComparison.Ordinal);
        Assert.Contains("console:cert:alice@127.0.0.1 (Admin)", status, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, created.StatusCode);
        Assert.Contains(File.ReadLines(Path.Combine(_api.Data, "events.jsonl")),
            l => l.Contains("\"id\":2100", StringComparison.Ordinal) && l.Contains("ByCert", StringComparison.Ordinal) && l.Contains("console:cert:alice@127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ATrustedCertificateThatWasNotAddedIsNamedWithTheCommandAndSignsNobodyIn()
    {
        using var certificate = _browserCa.Issue("phone.example.test", serverAuth: false);
        using var browser = new ConsoleBrowser(_api, certificate);

        using var login = await browser.SendGetAsync("/console/login", null);
        string page = await login.Content.ReadAsStringAsync();
        using var refused = await browser.PostAsync("/console/login", null, browser.Origin);

        Assert.DoesNotContain("Sign in with this certificate", page, StringComparison.Ordinal);
        Assert.Contains("certificate-not-added", page, StringComparison.Ordinal);
        Assert.Contains("openum admin-token new --name NAME --scope Admin|ReadOnly --certificate FILE", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task RemovingTheCredentialEndsItsConsoleSessionAtOnce()
    {
        using var certificate = ApiServer.AddCertificate(_api.Data, _browserCa.Issue("browser.example.test", serverAuth: false), "alice", "Admin");
        using var browser = new ConsoleBrowser(_api, certificate);
        var (cookie, _) = await browser.SignInAsync(null);
        Assert.Equal(0, Cli.Run(_api.Data, "admin-token", "remove", "alice").Code);

        using var after = await browser.SendGetAsync("/console/", cookie);

        Assert.Equal(HttpStatusCode.SeeOther, after.StatusCode);
        Assert.Equal("/console/login", after.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ATokenTypedBesideTheCertificateWinsSoReadOnlyStaysReadOnly()
    {
        using var certificate = ApiServer.AddCertificate(_api.Data, _browserCa.Issue("browser.example.test", serverAuth: false), "alice", "Admin");
        using var browser = new ConsoleBrowser(_api, certificate);

        var (cookie, _) = await browser.SignInAsync(_api.ReadOnlyToken);

        Assert.Contains("console:viewer@127.0.0.1 (ReadOnly)", await browser.GetAsync("/console/", cookie), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutACertificateTheLoginPageOffersNoneAndAnEmptyTokenIsRefused()
    {
        using var browser = new ConsoleBrowser(_api);

        using var login = await browser.SendGetAsync("/console/login", null);
        using var refused = await browser.PostAsync("/console/login", null, browser.Origin);

        Assert.DoesNotContain("Sign in with this certificate", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Set-Cookie"));
    }
}
