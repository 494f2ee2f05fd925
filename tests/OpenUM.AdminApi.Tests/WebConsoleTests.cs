using System.Net;
using OpenUM.AdminApi.WebConsole;
using OpenUM.TestSupport.Logging;

namespace OpenUM.AdminApi.Tests;

/// <summary>The web console in process: its session cookie, the sign-in refusals, anti-CSRF, its headers and forms.</summary>
public sealed class WebConsoleTests : IAsyncLifetime
{
    private ApiServer _api = null!;
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiServer.StartAsync(setup: Setup.OneOfEach);
        _browser = new ConsoleBrowser(_api);
    }

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        await _api.DisposeAsync();
    }

    private string Origin => _browser.Origin;

    private Task<HttpResponseMessage> PostAsync(string path, string? cookie, string? origin, params (string, string)[] fields) =>
        _browser.PostAsync(path, cookie, origin, fields);

    private Task<string> GetAsync(string path, string cookie) => _browser.GetAsync(path, cookie);

    private Task<(string Cookie, string Csrf)> SignInAsync(string token) => _browser.SignInAsync(token);

    [Fact]
    public async Task SigningInSetsAHostOnlySecureHttpOnlyStrictCookieOf256RandomBits()
    {
        using var response = await PostAsync("/console/login", null, Origin, ("token", _api.AdminToken));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/console/", response.Headers.Location?.OriginalString);
        string cookie = response.Headers.GetValues("Set-Cookie").Single();
        var attributes = cookie.Split(';').Select(a => a.Trim().ToLowerInvariant()).ToList();
        Assert.StartsWith(ConsoleEndpoint.CookieName + "=", cookie, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(Pad(cookie.Split(';')[0].Split('=', 2)[1])).Length);
        Assert.Contains("secure", attributes);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("path=/", attributes);
        Assert.DoesNotContain(attributes, a => a.StartsWith("domain=", StringComparison.Ordinal));
        Assert.DoesNotContain(_api.AdminToken, cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongTokenIsRefusedWithEvent2361AndNoCookie()
    {
        using var response = await PostAsync("/console/login", null, Origin, ("token", "oum_not-a-token"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Contains(_api.Events.Lines(), l => l.StartsWith("2361 ", StringComparison.Ordinal) && l.Contains("console sign-in", StringComparison.Ordinal));
        Assert.DoesNotContain(_api.Events.Lines(), l => l.Contains("not-a-token", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/console/")]
    [InlineData("/console/calls")]
    [InlineData("/console/events")]
    [InlineData("/console/objects/dialplan")]
    public async Task APageWithoutASessionSendsTheBrowserToSignIn(string path)
    {
        using var response = await _browser.SendGetAsync(path, ConsoleEndpoint.CookieName + "=forged");

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/console/login", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task EveryConsoleAnswerHasTheStrictPolicyAndNoCaching()
    {
        var (cookie, _) = await SignInAsync(_api.AdminToken);
        using var login = await _browser.SendGetAsync("/console/login", null);
        using var status = await _browser.SendGetAsync("/console/", cookie);

        foreach (var response in new[] { login, status })
        {
            Assert.Equal(ConsoleEndpoint.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.True(response.Headers.CacheControl?.NoStore);
            Assert.DoesNotContain("<script", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("style=", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task APostWithoutTheSessionsCsrfTokenOrFromAnotherOriginIsRefused()
    {
        var (cookie, csrf) = await SignInAsync(_api.AdminToken);

        using var none = await PostAsync("/console/objects/dialplan", cookie, Origin, ("name", "NoToken"), ("number-of-digits-in-extension", "4"));
        using var wrong = await PostAsync("/console/objects/dialplan", cookie, Origin, ("csrf", csrf[..^1] + "x"), ("name", "Wrong"), ("number-of-digits-in-extension", "4"));
        using var foreign = await PostAsync("/console/objects/dialplan", cookie, "https://evil.example", ("csrf", csrf), ("name", "Foreign"), ("number-of-digits-in-extension", "4"));
        using var good = await PostAsync("/console/objects/dialplan", cookie, Origin, ("csrf", csrf), ("name", "Good"), ("number-of-digits-in-extension", "4"));

        Assert.Equal(HttpStatusCode.Forbidden, none.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, good.StatusCode);
        Assert.NotEqual(0, Cli.Run(_api.Data, "dialplan", "get", "NoToken").Code);
        Assert.NotEqual(0, Cli.Run(_api.Data, "dialplan", "get", "Foreign").Code);
        Assert.Equal(0, Cli.Run(_api.Data, "dialplan", "get", "Good").Code);
    }

    [Fact]
    public async Task AValidationErrorIsShownWithTheCliText()
    {
        var (cookie, csrf) = await SignInAsync(_api.AdminToken);
        var (code, _, err) = Cli.Run(_api.Data, "dialplan", "new", "--name", "Fabrikam", "--number-of-digits-in-extension", "40");

        using var response = await PostAsync("/console/objects/dialplan", cookie, Origin, ("csrf", csrf), ("name", "Fabrikam"), ("number-of-digits-in-extension", "40"));
        string page = await response.Content.ReadAsStringAsync();

        Assert.NotEqual(0, code);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(err.TrimEnd()), page, StringComparison.Ordinal);
        Assert.Contains("value=\"Fabrikam\"", page, StringComparison.Ordinal); // what was typed is kept
    }

    [Fact]
    public async Task AReadOnlyTokenSeesButCannotCreate()
    {
        var (cookie, csrf) = await SignInAsync(_api.ReadOnlyToken);

        string list = await GetAsync("/console/objects/dialplan", cookie);
        using var response = await PostAsync("/console/objects/dialplan", cookie, Origin, ("csrf", csrf), ("name", "Viewer"), ("number-of-digits-in-extension", "4"));

        Assert.Contains("Contoso", list, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains(2363, _api.Events.EventIds());
        Assert.NotEqual(0, Cli.Run(_api.Data, "dialplan", "get", "Viewer").Code);
    }

    [Fact]
    public async Task SigningOutEndsTheSession()
    {
        var (cookie, csrf) = await SignInAsync(_api.AdminToken);

        using var logout = await PostAsync("/console/logout", cookie, Origin, ("csrf", csrf));
        using var after = await _browser.SendGetAsync("/console/", cookie);

        Assert.Equal(HttpStatusCode.SeeOther, logout.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, after.StatusCode);
        Assert.Equal("/console/login", after.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task TheOutboxButtonsPostWithTheCsrfTokenAndReplayTheCommands()
    {
        var (cookie, csrf) = await SignInAsync(_api.AdminToken);

        using var without = await PostAsync("/console/outbox/retry", cookie, Origin);
        using var retry = await PostAsync("/console/outbox/retry", cookie, Origin, ("csrf", csrf));
        string page = await GetAsync(retry.Headers.Location!.OriginalString, cookie);

        Assert.Equal(HttpStatusCode.Forbidden, without.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, retry.StatusCode);
        Assert.Contains("outbox retry: done.", page, StringComparison.Ordinal);
        Assert.Contains("action=\"/console/outbox/purge\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnObjectIsEditedThroughTheFormOfItsSetCommand()
    {
        var (cookie, csrf) = await SignInAsync(_api.AdminToken);
        var (_, _, err) = Cli.Run(_api.Data, "dialplan", "set", "Contoso", "--number-of-digits-in-extension", "40");

        string list = await GetAsync("/console/objects/dialplan", cookie);
        string form = await GetAsync("/console/objects/dialplan/edit?key=Contoso", cookie);
        using var refused = await PostAsync("/console/objects/dialplan/edit?key=Contoso", cookie, Origin, ("csrf", csrf), ("number-of-digits-in-extension", "40"));
        using var saved = await PostAsync("/console/objects/dialplan/edit?key=Contoso", cookie, Origin, ("csrf", csrf), ("outside-line-access-code", "8"), ("voip-security", ""));
        var (code, json, _) = Cli.Run(_api.Data, "dialplan", "get", "Contoso", "--json");

        Assert.Contains("<option>Contoso</option>", list, StringComparison.Ordinal);
        Assert.Contains("openum dialplan set Contoso", form, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(err.TrimEnd()), await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);
        Assert.Equal(0, code);
        Assert.Contains("\"outsideLineAccessCode\": \"8\"", json, StringComparison.Ordinal);
        Assert.Contains("\"voipSecurity\": \"Unsecured\"", json, StringComparison.Ordinal); // as the form showed it (no "was:" = blank): not sent
    }

    private static string Pad(string base64Url)
    {
        string s = base64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }
}
