using System.Globalization;
using System.Text.Json;
using OpenQA.Selenium;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.WebConsole;

/// <summary>
/// The web console of a real `openum serve --admin-api-port`, in Debian's headless chromium: sign in with a token,
/// create a dial plan and a gateway through the forms, see a SIPp call on Active calls while it is up, the Status
/// page equal to `openum status --json` during it, the voice message's delivery (2001) on Events, and the call and the
/// delivery on Charts. Every page visited is screenshot, has no console error, and carries the strict
/// Content-Security-Policy. Then the objects page at phone width (390x844) without sideways scrolling, Tab through an
/// object's page with the focus outline shown, and the objects it made removed through their Remove buttons (the first
/// refused while still in use).
/// </summary>
public sealed class WebConsoleTests(ITestOutputHelper output)
{
    private const string Policy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_administrator_signs_in_creates_objects_and_watches_a_call_become_a_voice_message()
    {
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        string token = (await um.CliOkAsync("admin-token", "new", "--name", "ops", "--scope", "Admin")).StdOut.Trim();
        int port = TestPorts.FreeListenerPort();
        await um.StartAsync(extraArgs: ["--admin-api-port", port.ToString(CultureInfo.InvariantCulture)]);
        await um.WaitForEventAsync(2360, null, HangGuard);
        string Diagnostics() => um.EventsText() + "\n" + um.ServerOutput;
        string site = $"https://127.0.0.1:{port}";
        using var browser = new Chromium("web-console");
        var driver = browser.Driver;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseCookies = false, AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true }, // the server's own self-signed certificate
        }) { BaseAddress = new Uri(site), Timeout = HangGuard };

        // Each page: no console error, a screenshot, and (read again by HttpClient with the browser's cookie) the policy.
        async Task SeenAsync(string name)
        {
            Assert.Empty(browser.TakeConsoleErrors());
            browser.Screenshot(name);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(driver.Url).PathAndQuery);
            if (driver.Manage().Cookies.GetCookieNamed("__Host-openum-session") is { } cookie) request.Headers.Add("Cookie", $"{cookie.Name}={cookie.Value}");
            using var response = await http.SendAsync(request);
            Assert.Equal(Policy, response.Headers.GetValues("Content-Security-Policy").Single());
        }

        driver.Navigate().GoToUrl(site + "/console/login");
        await SeenAsync("01-login");
        driver.FindElement(By.Id("token")).SendKeys(token);
        await SubmitAsync(driver, "form button[type=submit]");
        Assert.True(driver.Url.EndsWith("/console/", StringComparison.Ordinal), driver.Url + "\n" + driver.FindElement(By.TagName("main")).Text);
        var cookie = driver.Manage().Cookies.GetCookieNamed("__Host-openum-session") ?? throw new Xunit.Sdk.XunitException("no session cookie");
        Assert.True(cookie.Secure && cookie.IsHttpOnly && cookie.SameSite == "Strict", $"{cookie.Secure} {cookie.IsHttpOnly} {cookie.SameSite}");
        await SeenAsync("02-status");

        // A dial plan and a gateway through the forms generated from `openum dialplan new` and `openum gateway new`.
        driver.Navigate().GoToUrl(site + "/console/objects/dialplan");
        driver.FindElement(By.Id("f-name")).SendKeys("WebPlan");
        driver.FindElement(By.Id("f-number-of-digits-in-extension")).SendKeys("5");
        await SeenAsync("03-dialplan-form");
        await SubmitAsync(driver, "form.object button[type=submit]");
        Assert.Contains("WebPlan", driver.FindElement(By.TagName("main")).Text, StringComparison.Ordinal);
        await SeenAsync("04-dialplans");
        driver.Navigate().GoToUrl(site + "/console/objects/gateway");
        driver.FindElement(By.Id("f-name")).SendKeys("webgw");
        driver.FindElement(By.Id("f-address")).SendKeys("192.0.2.20");
        driver.FindElement(By.Id("f-dial-plan")).SendKeys("WebPlan");
        await SubmitAsync(driver, "form.object button[type=submit]");
        Assert.Contains("webgw", driver.FindElement(By.TagName("main")).Text, StringComparison.Ordinal);
        await SeenAsync("05-gateways");
        using (var plan = JsonDocument.Parse((await um.CliOkAsync("dialplan", "get", "WebPlan", "--json")).StdOut))
            Assert.Equal(5, plan.RootElement.GetProperty("numberOfDigitsInExtension").GetInt32());
        using (var gateway = JsonDocument.Parse((await um.CliOkAsync("gateway", "get", "webgw", "--json")).StdOut))
            Assert.Equal("192.0.2.20", gateway.RootElement.GetProperty("address").GetString());

        // A call held up by a long lead-in tone (silence would end the recording early): seen on Active calls while it lasts.
        var clip = await SpeechFixtures.GetClipAsync("Please call me back.", 30);
        var callMinute = Minute(DateTime.UtcNow);
        var call = SippCaller.LeaveMessageAsync(um, clip, output, Diagnostics);
        await UntilAsync(() =>
        {
            driver.Navigate().GoToUrl(site + "/console/calls");
            return driver.FindElements(By.CssSelector("[data-field^='0.']")).Count > 0;
        }, call, "the call never appeared on Active calls\n" + Diagnostics());
        await SeenAsync("06-calls");

        // Must-show 4: the Status page and `openum status --json` read at the same moment, field by field.
        await CompareStatusAsync(um, driver, site);
        await SeenAsync("07-status-during-call");

        await call;
        await UntilAsync(() =>
        {
            driver.Navigate().GoToUrl(site + "/console/events");
            return driver.FindElements(By.CssSelector("tr[data-event-id='2001']")).Count > 0;
        }, null, "no VoiceMessageDelivered (2001) on the Events page\n" + Diagnostics());
        await SeenAsync("08-events");

        // The Charts page counts the call in the minute it was answered (read from the table's data attributes: the
        // minute may have turned since, so every minute from the call's start to now is read) and its delivery.
        driver.Navigate().GoToUrl(site + "/console/charts");
        var now = Minute(DateTime.UtcNow);
        bool InCall(IWebElement row) => DateTime.ParseExact(row.GetAttribute("data-minute")!, "yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) is var m && m >= callMinute && m <= now;
        var calls = driver.FindElements(By.CssSelector("#calls-table tr[data-minute]")).Where(InCall)
            .Sum(r => double.Parse(r.GetAttribute("data-value")!, CultureInfo.InvariantCulture));
        Assert.True(calls >= 1, "no call on the Charts page\n" + driver.FindElement(By.TagName("main")).Text);
        Assert.Contains(driver.FindElements(By.CssSelector("#latency-table tr[data-minute]")), InCall);
        Assert.Equal(3, driver.FindElements(By.CssSelector("section.chart svg[role=img]")).Count);
        await SeenAsync("09-charts");

        driver.Navigate().GoToUrl(site + "/console/audit");
        Assert.Contains("OUM-SEC-", driver.FindElement(By.TagName("main")).Text, StringComparison.Ordinal);
        await SeenAsync("10-audit");

        // The certificate the server presents, with its days left as `openum cert list` counts them, and the request form
        // prefilled with its subject.
        using (var certificates = JsonDocument.Parse((await um.CliOkAsync("cert", "list", "--json")).StdOut))
        {
            var inUse = certificates.RootElement.EnumerateArray().Single(c => c.GetProperty("inUse").GetBoolean());
            driver.Navigate().GoToUrl(site + "/console/certificates");
            var card = driver.FindElement(By.CssSelector($"article[data-thumbprint='{inUse.GetProperty("thumbprint").GetString()}']"));
            Assert.Contains("In use by UM.", card.Text, StringComparison.Ordinal);
            Assert.Equal(inUse.GetProperty("daysLeft").GetInt32().ToString(CultureInfo.InvariantCulture), card.FindElement(By.CssSelector("[data-field='daysLeft']")).Text);
            Assert.Equal(inUse.GetProperty("subject").GetString(), driver.FindElement(By.Id("f-subject")).GetAttribute("value"));
        }
        await SeenAsync("11-certificates");

        // A phone (390x844 CSS pixels): the page never scrolls sideways (wide tables scroll inside their own box), forms stack.
        var chrome = (OpenQA.Selenium.Chromium.ChromiumDriver)driver;
        chrome.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride",
            new Dictionary<string, object?> { ["width"] = 390, ["height"] = 844, ["deviceScaleFactor"] = 3, ["mobile"] = true });
        foreach (var (path, shot) in new[] { ("/console/objects/gateway", "12-phone-gateways"), ("/console/objects/dialplan/edit?key=WebPlan", "13-phone-dialplan-edit") })
        {
            driver.Navigate().GoToUrl(site + path);
            var width = (long)((IJavaScriptExecutor)driver).ExecuteScript("return document.documentElement.scrollWidth")!;
            var viewport = (long)((IJavaScriptExecutor)driver).ExecuteScript("return document.documentElement.clientWidth")!;
            Assert.True(viewport <= 390 && width <= viewport, $"{path} is {width} px wide in a {viewport} px viewport");
            await SeenAsync(shot);
        }
        chrome.ExecuteCdpCommand("Emulation.clearDeviceMetricsOverride", []);

        // Keyboard: Tab reaches the Remove link and every control it passes shows the focus outline.
        driver.Navigate().GoToUrl(site + "/console/objects/gateway/edit?key=webgw");
        var passed = new List<string>();
        for (int i = 0; i < 100 && !passed.Contains("a:Remove…"); i++)
        {
            new OpenQA.Selenium.Interactions.Actions(driver).SendKeys(Keys.Tab).Perform();
            var focused = driver.SwitchTo().ActiveElement();
            passed.Add($"{focused.TagName}:{focused.Text}");
            Assert.True(focused.GetCssValue("outline-style") == "solid", $"no focus outline on {passed[^1]}");
        }
        Assert.Contains("a:Remove…", passed);

        // Last: the objects it made go through their Remove buttons. The gateway first is refused (its hunt group uses
        // it), the refusal shown on the confirmation page; then hunt group, gateway, dial plan.
        await RemoveAsync("gateway", "webgw", "is still used by hunt group 'webgw-WebPlan'");
        // A refusal is answered 400, which chromium logs as the one console error of this page.
        Assert.Contains("/console/objects/gateway/remove?key=webgw - Failed to load resource: the server responded with a status of 400", Assert.Single(browser.TakeConsoleErrors()), StringComparison.Ordinal);
        await SeenAsync("14-remove-refused");
        foreach (var (noun, key) in new[] { ("huntgroup", "webgw-WebPlan"), ("gateway", "webgw"), ("dialplan", "WebPlan") })
        {
            await RemoveAsync(noun, key, "Removed ");
            Assert.NotEqual(0, (await um.CliAsync(noun, "get", key)).ExitCode);
        }
        await SeenAsync("15-removed");

        // Opens the object's page, follows Remove…, confirms; the page it leads to says expected.
        async Task RemoveAsync(string noun, string key, string expected)
        {
            driver.Navigate().GoToUrl($"{site}/console/objects/{noun}/edit?key={Uri.EscapeDataString(key)}");
            driver.FindElement(By.LinkText("Remove…")).Click();
            Assert.StartsWith("Remove ", driver.FindElement(By.TagName("h1")).Text, StringComparison.Ordinal);
            await SubmitAsync(driver, "form.actions button[type=submit]");
            Assert.Contains(expected, driver.FindElement(By.TagName("main")).Text, StringComparison.Ordinal);
        }
    }

    // Every value of the page (data-field = its JSON path) equals the CLI's; the uptime is a clock, read just before the
    // CLI's, so never later. A counter that moved between the two reads is read again.
    private static async Task CompareStatusAsync(OpenUmProcess um, IWebDriver driver, string site)
    {
        List<string> differences = [];
        for (int attempt = 0; attempt < 5; attempt++)
        {
            driver.Navigate().GoToUrl(site + "/console/");
            var page = driver.FindElements(By.CssSelector("[data-field]")).ToDictionary(e => e.GetAttribute("data-field")!, e => e.Text);
            using var cli = JsonDocument.Parse((await um.CliOkAsync("status", "--json")).StdOut);
            var expected = new Dictionary<string, string>();
            Flatten(cli.RootElement, "", expected);
            Assert.Equal(expected.Keys.Order(), page.Keys.Order());
            Assert.True(int.Parse(page["activeCalls"], CultureInfo.InvariantCulture) >= 1, "the Status page shows no active call during the call");
            Assert.True(double.Parse(page["uptimeSeconds"], CultureInfo.InvariantCulture) <= double.Parse(expected["uptimeSeconds"], CultureInfo.InvariantCulture));
            differences = [.. expected.Where(e => e.Key != "uptimeSeconds" && Spaces(page[e.Key]) != Spaces(e.Value)).Select(e => $"{e.Key}: page {page[e.Key]}, cli {e.Value}")];
            if (differences.Count == 0) return;
        }
        Assert.Fail("the Status page differs from `openum status --json`:\n" + string.Join('\n', differences));
    }

    private static DateTime Minute(DateTime utc) => new(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, DateTimeKind.Utc);

    // WebDriver gives an element's text with its white space collapsed and trimmed.
    private static string Spaces(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static void Flatten(JsonElement value, string path, Dictionary<string, string> into)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in value.EnumerateObject()) Flatten(p.Value, path.Length == 0 ? p.Name : path + "." + p.Name, into);
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var v in value.EnumerateArray()) Flatten(v, $"{path}.{i++}", into);
                break;
            default:
                into[path] = value.ValueKind switch { JsonValueKind.String => value.GetString()!, JsonValueKind.Null => "", _ => value.GetRawText() };
                break;
        }
    }

    // Clicks a submit button and waits for the page it leads to: the old page's root element goes stale. Asked in the
    // middle of the navigation, Chromium may say so as an inspector error ("Node with given id does not belong to the
    // document") rather than as a stale element: the old page is gone either way.
    private static async Task SubmitAsync(IWebDriver driver, string button)
    {
        var old = driver.FindElement(By.TagName("html"));
        driver.FindElement(By.CssSelector(button)).Click();
        await UntilAsync(() =>
        {
            try { _ = old.TagName; return false; }
            catch (StaleElementReferenceException) { return true; }
            catch (UnknownErrorException e) when (e.Message.Contains("does not belong to the document", StringComparison.Ordinal)) { return true; }
        }, null, "the form led nowhere");
    }

    // Polls condition (each poll a page load) until it holds; fails if the call ended first or the hang guard passed.
    private static async Task UntilAsync(Func<bool> condition, Task? call, string failure)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!condition())
        {
            Assert.True(call is null || !call.IsCompleted, failure);
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(250);
        }
    }
}
