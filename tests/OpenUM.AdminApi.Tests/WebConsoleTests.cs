using System.Net;
using System.Text.RegularExpressions;
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
    public async Task RemovingTheTokenEndsTheSessionsSignedInWithIt()
    {
        var (cookie, csrf) = await SignInAsync(_api.AdminToken);
        Assert.Equal(HttpStatusCode.OK, (await _browser.SendGetAsync("/console/", cookie)).StatusCode);

        Assert.True(new OpenUM.Management.AdminTokens(_api.Data).Remove("ops"));

        // The page and a change alike: the session no longer holds, whatever its cookie and anti-CSRF token.
        using var page = await _browser.SendGetAsync("/console/", cookie);
        Assert.Equal(HttpStatusCode.SeeOther, page.StatusCode);
        Assert.Equal("/console/login", page.Headers.Location?.OriginalString);
        using var post = await PostAsync("/console/outbox/purge", cookie, Origin, ("csrf", csrf));
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
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
        // Said once, from the session: the page shows it no more, and no URL can put words on a console page.
        Assert.DoesNotContain("outbox retry: done.", await GetAsync(retry.Headers.Location!.OriginalString, cookie), StringComparison.Ordinal);
        Assert.DoesNotContain("?", retry.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.DoesNotContain("Call 555", await GetAsync("/console/outbox?done=Call%20555", cookie), StringComparison.Ordinal);
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

    [Fact]
    public async Task TheChartsPageAndTheHistoryEndpointShowWhatTheInstrumentsRecorded()
    {
        // Through the layers' own instruments, at 14:30 on the history's clock: two calls answered, one refused, one
        // voice message durable in a maildir 3.25 s after its recording ended.
        OpenUM.Calls.CallMetrics.CallAnswered();
        OpenUM.Calls.CallMetrics.CallAnswered();
        OpenUM.Calls.CallMetrics.CallRefused(OpenUM.Calls.RefusalReason.MaxCalls);
        string audio = Path.Combine(_api.Data, "message.wav");
        await File.WriteAllBytesAsync(audio, new byte[64]); // attached as it is
        var ended = _api.Clock.GetUtcNow() - TimeSpan.FromSeconds(3.25);
        await new OpenUM.Delivery.MaildirSink(Path.Combine(_api.Data, "maildir"), time: _api.Clock).DeliverAsync(
            new OpenUM.Delivery.VoiceMessage("user1000@example.test", "", "5551234", null, "1000", ended - TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), audio, "c1"),
            CancellationToken.None);
        var (cookie, _) = await SignInAsync(_api.ReadOnlyToken);

        string charts = await GetAsync("/console/charts", cookie);
        string status = await GetAsync("/console/", cookie);
        using var client = _api.Client(_api.ReadOnlyToken);
        using var json = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/api/v1/metrics/history"));
        using var stranger = _api.Client(token: null);
        using var anonymous = await stranger.GetAsync("/api/v1/metrics/history");

        Assert.Contains("<section class=\"chart\" id=\"calls\" data-current-minute=\"2026-11-29T14:30Z\" data-current=\"3\">", charts, StringComparison.Ordinal);
        Assert.Contains("<tr data-minute=\"2026-11-29T14:30Z\" data-value=\"3\"><th scope=\"row\">2026-11-29 14:30</th><td>3</td><td>2</td><td>1</td></tr>", charts, StringComparison.Ordinal);
        Assert.Contains("id=\"refusals\" data-current-minute=\"2026-11-29T14:30Z\" data-current=\"1\"", charts, StringComparison.Ordinal);
        Assert.Contains("3 calls in the last 6 hours; at most 3 in a minute (14:30 UTC); 3 in the current minute (14:30 UTC); 2 answered.", charts, StringComparison.Ordinal);
        Assert.Contains("1 voice message delivered in the last 6 hours (1 into a maildir, 0 by SMTP); mean latency 3.25 s, longest 3.25 s at 14:30 UTC.", charts, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Count(charts, "<svg [^>]*role=\"img\" aria-labelledby=\"(calls|refusals|latency)-title\""));
        Assert.Contains(">09:00</text>", charts, StringComparison.Ordinal); // the time axis: each whole hour of the six, in UTC
        Assert.Contains(">14:00</text>", charts, StringComparison.Ordinal);
        Assert.Contains("id=\"compact-calls\" data-current-minute=\"2026-11-29T14:30Z\" data-current=\"3\"", status, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", charts, StringComparison.OrdinalIgnoreCase);
        var root = json.RootElement;
        Assert.Equal("2026-11-29T08:31:00Z", root.GetProperty("from").GetString());
        Assert.Equal("2026-11-29T14:31:00Z", root.GetProperty("to").GetString());
        var minute = Assert.Single(root.GetProperty("minutes").EnumerateArray());
        Assert.Equal("2026-11-29T14:30:00Z", minute.GetProperty("start").GetString());
        Assert.Equal((3, 2, 1, 1, 0), (minute.GetProperty("calls").GetInt32(), minute.GetProperty("answered").GetInt32(), minute.GetProperty("refusals").GetInt32(),
            minute.GetProperty("maildirDeliveries").GetInt32(), minute.GetProperty("smtpDeliveries").GetInt32()));
        Assert.Equal(3.25, minute.GetProperty("latencyMaxSeconds").GetDouble(), 6);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private static string Pad(string base64Url)
    {
        string s = base64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }
}
