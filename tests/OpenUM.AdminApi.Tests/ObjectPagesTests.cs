using System.Net;
using System.Text.Json;
using OpenUM.TestSupport.Logging;

namespace OpenUM.AdminApi.Tests;

/// <summary>
/// The console's object pages over HTTP, each form read and posted as a browser submits it: the edit form clears an
/// emptied value and sends nothing it did not change, Remove asks first, an auto attendant is enabled and disabled by
/// its buttons, and ReadOnly sessions see no change buttons and are refused if they post anyway.
/// </summary>
public sealed class ObjectPagesTests : IAsyncLifetime
{
    private const string EditContoso = "/console/objects/dialplan/edit?key=Contoso";
    private ApiServer _api = null!;
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiServer.StartAsync(setup: [.. Setup.OneOfEach,
            ["dialplan", "set", "Contoso", "--country-or-region-code", "33", "--national-number-prefix", "0", "--access-telephone-numbers", "5000"]]);
        _browser = new ConsoleBrowser(_api);
    }

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        await _api.DisposeAsync();
    }

    private JsonElement Get(string noun, string key)
    {
        var (code, json, err) = Cli.Run(_api.Data, noun, "get", key, "--json");
        Assert.True(code == 0, err);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    // The form of page posting to action, as a browser submits it, with the fields of changes replacing theirs.
    private static (string, string)[] Submit(string page, string action, params (string Name, string Value)[] changes)
    {
        var fields = ConsoleBrowser.Form(page, action);
        foreach (var (name, value) in changes)
        {
            int at = fields.FindIndex(f => f.Name == name);
            Assert.True(at >= 0, $"the form has no field {name}");
            fields[at] = (name, value);
        }
        return [.. fields];
    }

    [Fact]
    public async Task TheEditFormShowsTheCurrentValuesAndAnEmptiedFieldClearsTheValue()
    {
        var (cookie, _) = await _browser.SignInAsync(_api.AdminToken);
        string page = await _browser.GetAsync(EditContoso, cookie);
        var form = ConsoleBrowser.Form(page, EditContoso);

        using var saved = await _browser.PostAsync(EditContoso, cookie, _browser.Origin, Submit(page, EditContoso, ("outside-line-access-code", "")));
        var plan = Get("dialplan", "Contoso");

        Assert.Contains(("outside-line-access-code", "9"), form);
        Assert.Contains(("national-number-prefix", "0"), form);
        Assert.Contains(("country-or-region-code", "33"), form);
        Assert.Contains(("voip-security", "Unsecured"), form); // the select shows the current choice
        Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);
        Assert.Equal("", plan.GetProperty("outsideLineAccessCode").GetString());
        Assert.Equal("33", plan.GetProperty("countryOrRegionCode").GetString());
        Assert.Equal("0", plan.GetProperty("nationalNumberPrefix").GetString());
        Assert.Contains("Saved outside-line-access-code.", await _browser.GetAsync(saved.Headers.Location!.OriginalString, cookie), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFieldTheCliCannotClearShowsItsErrorNextToTheField()
    {
        var (cookie, _) = await _browser.SignInAsync(_api.AdminToken);
        var (code, _, err) = Cli.Run(_api.Data, "dialplan", "set", "Contoso", "--country-or-region-code", "");
        string page = await _browser.GetAsync(EditContoso, cookie);

        using var refused = await _browser.PostAsync(EditContoso, cookie, _browser.Origin, Submit(page, EditContoso, ("country-or-region-code", "")));
        string answer = await refused.Content.ReadAsStringAsync();

        Assert.NotEqual(0, code);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(err.TrimEnd()), answer, StringComparison.Ordinal);
        Assert.Contains("id=\"f-country-or-region-code\" name=\"country-or-region-code\" value=\"\" aria-invalid=\"true\" aria-describedby=\"e-country-or-region-code\"", answer, StringComparison.Ordinal);
        Assert.Contains(("was:country-or-region-code", "33"), ConsoleBrowser.Form(answer, EditContoso)); // still compared with what was first shown
        Assert.Equal("33", Get("dialplan", "Contoso").GetProperty("countryOrRegionCode").GetString());
    }

    [Fact]
    public async Task EditingOneFieldSendsNoOtherEvenOneChangedMeanwhile()
    {
        var (cookie, _) = await _browser.SignInAsync(_api.AdminToken);
        string page = await _browser.GetAsync(EditContoso, cookie);
        // Someone else changes two fields after the form was shown: the form still holds the old values.
        Assert.Equal(0, Cli.Run(_api.Data, "dialplan", "set", "Contoso", "--country-or-region-code", "44", "--access-telephone-numbers", "5001").Code);

        using var saved = await _browser.PostAsync(EditContoso, cookie, _browser.Origin, Submit(page, EditContoso, ("outside-line-access-code", "8")));
        var plan = Get("dialplan", "Contoso");

        Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);
        Assert.Equal("8", plan.GetProperty("outsideLineAccessCode").GetString());
        Assert.Equal("44", plan.GetProperty("countryOrRegionCode").GetString());
        Assert.Equal(["5001"], plan.GetProperty("accessTelephoneNumbers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(4, plan.GetProperty("numberOfDigitsInExtension").GetInt32());
    }

    [Fact]
    public async Task AListIsEditedOneValueALineAndClearedByEmptyingIt()
    {
        const string edit = "/console/objects/autoattendant/edit?key=Reception";
        var (cookie, _) = await _browser.SignInAsync(_api.AdminToken);

        string page = await _browser.GetAsync(edit, cookie);
        using (var two = await _browser.PostAsync(edit, cookie, _browser.Origin, Submit(page, edit, ("pilot-identifier-list", "5100\r\n5101\r\n"))))
            Assert.Equal(HttpStatusCode.SeeOther, two.StatusCode);
        var pilots = Get("autoattendant", "Reception").GetProperty("pilotIdentifierList").EnumerateArray().Select(e => e.GetString()).ToList();
        page = await _browser.GetAsync(edit, cookie);
        var shown = ConsoleBrowser.Form(page, edit);
        using (var cleared = await _browser.PostAsync(edit, cookie, _browser.Origin, Submit(page, edit, ("pilot-identifier-list", ""))))
            Assert.Equal(HttpStatusCode.SeeOther, cleared.StatusCode);

        Assert.Equal(["5100", "5101"], pilots);
        Assert.Contains(("pilot-identifier-list", "5100\r\n5101"), shown);
        Assert.Empty(Get("autoattendant", "Reception").GetProperty("pilotIdentifierList").EnumerateArray());
    }

    [Fact]
    public async Task RemoveAsksFirstThenRemovesAndARefusalIsShownOnThePage()
    {
        var (cookie, csrf) = await _browser.SignInAsync(_api.AdminToken);

        string edit = await _browser.GetAsync("/console/objects/mailbox/edit?key=1000", cookie);
        string confirm = await _browser.GetAsync("/console/objects/mailbox/remove?key=1000", cookie);
        using var withoutCsrf = await _browser.PostAsync("/console/objects/mailbox/remove?key=1000", cookie, _browser.Origin);
        bool keptWithoutCsrf = Cli.Run(_api.Data, "mailbox", "get", "1000").Code == 0;
        using var removed = await _browser.PostAsync("/console/objects/mailbox/remove?key=1000", cookie, _browser.Origin, ConsoleBrowser.Form(confirm, "/console/objects/mailbox/remove?key=1000").ToArray());
        string list = await _browser.GetAsync(removed.Headers.Location!.OriginalString, cookie);
        var (inUseCode, _, inUse) = Cli.Run(_api.Data, "dialplan", "remove", "Contoso"); // refused: nothing removed
        using var refused = await _browser.PostAsync("/console/objects/dialplan/remove?key=Contoso", cookie, _browser.Origin, ("csrf", csrf));
        string refusal = await refused.Content.ReadAsStringAsync();

        Assert.Contains("href=\"/console/objects/mailbox/remove?key=1000\"", edit, StringComparison.Ordinal);
        Assert.Contains("<h1>Remove mailbox 1000?</h1>", confirm, StringComparison.Ordinal);
        Assert.Contains("href=\"/console/objects/mailbox/edit?key=1000\">Cancel</a>", confirm, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, withoutCsrf.StatusCode);
        Assert.True(keptWithoutCsrf);
        Assert.Equal(HttpStatusCode.SeeOther, removed.StatusCode);
        Assert.Contains("Removed mailbox 1000.", list, StringComparison.Ordinal);
        Assert.NotEqual(0, Cli.Run(_api.Data, "mailbox", "get", "1000").Code);
        // The dial plan is still used: the CLI's refusal, naming the field, on the confirmation page; nothing removed.
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("<h1>Remove dial plan Contoso?</h1>", refusal, StringComparison.Ordinal);
        Assert.NotEqual(0, inUseCode);
        Assert.Contains(WebUtility.HtmlEncode(inUse.TrimEnd()), refusal, StringComparison.Ordinal);
        Assert.Contains("error: name: dial plan &#39;Contoso&#39; is still used by", refusal, StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run(_api.Data, "dialplan", "get", "Contoso").Code);
    }

    [Fact]
    public async Task AnAutoAttendantIsEnabledAndDisabledByItsButtons()
    {
        const string edit = "/console/objects/autoattendant/edit?key=Reception";
        var (cookie, csrf) = await _browser.SignInAsync(_api.AdminToken);
        var (_, _, err) = Cli.Run(_api.Data, "autoattendant", "enable", "Reception");
        string page = await _browser.GetAsync(edit, cookie);

        using var refused = await _browser.PostAsync("/console/objects/autoattendant/enable?key=Reception", cookie, _browser.Origin, ("csrf", csrf));
        string refusal = await refused.Content.ReadAsStringAsync();
        Assert.Equal(0, Cli.Run(_api.Data, "autoattendant", "set", "Reception", "--pilot-identifier-list", "5100").Code);
        using var enabled = await _browser.PostAsync("/console/objects/autoattendant/enable?key=Reception", cookie, _browser.Origin, ConsoleBrowser.Form(page, "/console/objects/autoattendant/enable?key=Reception").ToArray());
        string afterEnable = Get("autoattendant", "Reception").GetProperty("status").GetString()!;
        string shown = await _browser.GetAsync(enabled.Headers.Location!.OriginalString, cookie);
        using var disabled = await _browser.PostAsync("/console/objects/autoattendant/disable?key=Reception", cookie, _browser.Origin, ("csrf", csrf));
        using var unknown = await _browser.PostAsync("/console/objects/dialplan/enable?key=Contoso", cookie, _browser.Origin, ("csrf", csrf));

        Assert.Contains(">Enable</button>", page, StringComparison.Ordinal);
        Assert.Contains(">Disable</button>", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(err.TrimEnd()), refusal, StringComparison.Ordinal); // names --pilot-identifier-list
        Assert.Equal(HttpStatusCode.SeeOther, enabled.StatusCode);
        Assert.Equal("Enabled", afterEnable);
        Assert.Contains("Auto attendant Reception is Enabled.", shown, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, disabled.StatusCode);
        Assert.Equal("Disabled", Get("autoattendant", "Reception").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task AHuntGroupWhichHasNoSetHasRemoveButNoChangeForm()
    {
        var (cookie, csrf) = await _browser.SignInAsync(_api.AdminToken);

        string page = await _browser.GetAsync("/console/objects/huntgroup/edit?key=pbx1-Contoso", cookie);
        using var change = await _browser.PostAsync("/console/objects/huntgroup/edit?key=pbx1-Contoso", cookie, _browser.Origin, ("csrf", csrf), ("pilot-identifier", "5000"));

        Assert.Contains("<h1>Hunt group pbx1-Contoso</h1>", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/console/objects/huntgroup/remove?key=pbx1-Contoso\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<h2>Change</h2>", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, change.StatusCode);
    }

    [Fact]
    public async Task AReadOnlySessionSeesNoChangeButtonsAndIsRefusedIfItPostsAnyway()
    {
        var (cookie, csrf) = await _browser.SignInAsync(_api.ReadOnlyToken);

        string list = await _browser.GetAsync("/console/objects/autoattendant", cookie);
        string edit = await _browser.GetAsync("/console/objects/autoattendant/edit?key=Reception", cookie);
        string outbox = await _browser.GetAsync("/console/outbox", cookie);
        using var confirm = await _browser.SendGetAsync("/console/objects/autoattendant/remove?key=Reception", cookie);
        using var remove = await _browser.PostAsync("/console/objects/autoattendant/remove?key=Reception", cookie, _browser.Origin, ("csrf", csrf));
        using var disable = await _browser.PostAsync("/console/objects/autoattendant/disable?key=Reception", cookie, _browser.Origin, ("csrf", csrf));
        using var change = await _browser.PostAsync("/console/objects/autoattendant/edit?key=Reception", cookie, _browser.Origin, ("csrf", csrf), ("time-zone", "Europe/Paris"));

        foreach (string page in new[] { list, edit, outbox })
        {
            Assert.Single(Posts(page)); // the sign-out form only
            Assert.DoesNotContain("Remove…", page, StringComparison.Ordinal);
        }
        Assert.Contains("Reception", edit, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, confirm.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, remove.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, disable.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, change.StatusCode);
        Assert.Contains(2363, _api.Events.EventIds());
        Assert.Equal("UTC", Get("autoattendant", "Reception").GetProperty("timeZone").GetString());
    }

    private static IEnumerable<string> Posts(string page) =>
        page.Split("<form ").Skip(1).Where(f => f.StartsWith("method=\"post\"", StringComparison.Ordinal));
}
