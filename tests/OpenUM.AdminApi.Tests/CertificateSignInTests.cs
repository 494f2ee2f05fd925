using System.Net;
using OpenUM.TestSupport.Pki;

namespace OpenUM.AdminApi.Tests;

/// <summary>
/// The console's sign-in by client certificate: a browser presenting a certificate whose CA was added with
/// `openum cert trust` is offered "Sign in with this certificate" and gets an Admin session without a token.
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
    public async Task ATrustedClientCertificateSignsInWithoutATokenAsAdmin()
    {
        using var certificate = _browserCa.Issue("browser.example.test", serverAuth: false);
        using var browser = new ConsoleBrowser(_api, certificate);

        using var login = await browser.SendGetAsync("/console/login", null);
        string offer = await login.Content.ReadAsStringAsync();
        var (cookie, csrf) = await browser.SignInAsync(null);
        string status = await browser.GetAsync("/console/", cookie);
        using var created = await browser.PostAsync("/console/objects/dialplan", cookie, browser.Origin, ("csrf", csrf), ("name", "ByCert"), ("number-of-digits-in-extension", "4"));

        Assert.Contains("Sign in with this certificate", offer, StringComparison.Ordinal);
        Assert.Contains(certificate.Thumbprint, offer, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode($"console:cert:CN=browser.example.test {certificate.Thumbprint}@127.0.0.1") + " (Admin)", status, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, created.StatusCode);
        Assert.Contains(File.ReadLines(Path.Combine(_api.Data, "events.jsonl")),
            l => l.Contains("\"id\":2100", StringComparison.Ordinal) && l.Contains("ByCert", StringComparison.Ordinal) && l.Contains("console:cert:CN=browser.example.test", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ATokenTypedBesideTheCertificateWinsSoReadOnlyStaysReadOnly()
    {
        using var certificate = _browserCa.Issue("browser.example.test", serverAuth: false);
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
