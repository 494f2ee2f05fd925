using System.Net;
using System.Text.Json;
using OpenUM.Management;

namespace OpenUM.AdminApi.Tests;

/// <summary>
/// The API and the CLI are one code path: every verb of the exposed nouns has its endpoint, and the same mistake gets the
/// same words from both, the same change the same audit event.
/// </summary>
public sealed class ParityTests : IAsyncLifetime
{
    private ApiServer _api = null!;
    private readonly string _cliData = System.IO.Directory.CreateTempSubdirectory("openum-api-cli-").FullName;

    public async Task InitializeAsync()
    {
        _api = await ApiServer.StartAsync(setup: Setup.OneOfEach);
        foreach (var args in Setup.OneOfEach) Assert.Equal(0, Cli.Run(_cliData, args).Code);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        System.IO.Directory.Delete(_cliData, recursive: true);
    }

    /// <summary>One invalid change per noun: the CLI's words, and the same change as a request.</summary>
    public static readonly TheoryData<string, string[], string, string, string> InvalidChanges = new()
    {
        { "dialplan", ["dialplan", "set", "Contoso", "--number-of-digits-in-extension", "0"], "PATCH", "/api/v1/dialplan/Contoso", """{"number-of-digits-in-extension": 0}""" },
        { "dialplan", ["dialplan", "set", "Contoso", "--voip-security", "Bogus"], "PATCH", "/api/v1/dialplan/Contoso", """{"voip-security": "Bogus"}""" },
        { "dialplan", ["dialplan", "new", "--name", "Fabrikam"], "POST", "/api/v1/dialplan", """{"name": "Fabrikam"}""" },
        { "gateway", ["gateway", "set", "pbx1", "--port", "70000"], "PATCH", "/api/v1/gateway/pbx1", """{"port": 70000}""" },
        { "huntgroup", ["huntgroup", "new", "--name", "hg2", "--ip-gateway", "nope", "--dial-plan", "Contoso"], "POST", "/api/v1/huntgroup", """{"name": "hg2", "ip-gateway": "nope", "dial-plan": "Contoso"}""" },
        { "mailbox", ["mailbox", "set", "1000", "--email", "not-an-address"], "PATCH", "/api/v1/mailbox/1000", """{"email": "not-an-address"}""" },
        { "mailboxpolicy", ["mailboxpolicy", "set", "Staff", "--min-pin-length", "2"], "PATCH", "/api/v1/mailboxpolicy/Staff", """{"min-pin-length": 2}""" },
        { "autoattendant", ["autoattendant", "set", "Reception", "--time-zone", "Mars/Olympus"], "PATCH", "/api/v1/autoattendant/Reception", """{"time-zone": "Mars/Olympus"}""" },
        { "server", ["server", "set", "--name", "um1", "--max-calls-allowed", "-1"], "PATCH", "/api/v1/server/um1", """{"max-calls-allowed": -1}""" },
        { "dialplan", ["dialplan", "set", "Nowhere", "--voip-security", "Secured"], "PATCH", "/api/v1/dialplan/Nowhere", """{"voip-security": "Secured"}""" },
        { "mailbox", ["mailbox", "get", "1999"], "GET", "/api/v1/mailbox/1999", "" },
    };

    [Fact]
    public void EveryNounHasAnInvalidChangeBelow()
    {
        var covered = InvalidChanges.Select(row => (string)row[0]).ToHashSet();
        foreach (string noun in ApiRoutes.ObjectNouns.Append("server")) Assert.Contains(noun, covered);
    }

    [Theory]
    [MemberData(nameof(InvalidChanges))]
    public async Task TheSameMistakeGetsTheSameWords(string noun, string[] cli, string method, string path, string body)
    {
        var (code, _, err) = Cli.Run(_cliData, cli);
        Assert.NotEqual(0, code);

        using var client = _api.Client(_api.AdminToken);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body.Length > 0 ? ApiServer.Json(body) : null };
        using var response = await client.SendAsync(request);

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        // The CLI ends with "See: openum ... --help" after a usage error: the API's detail is the same text.
        Assert.Equal(err.TrimEnd(), problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal(err.Contains("there is no", StringComparison.Ordinal) ? HttpStatusCode.NotFound : HttpStatusCode.BadRequest, response.StatusCode);
        var fields = problem.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        // Each "error: --option:" line of the CLI is an error naming that field.
        foreach (var line in err.Split('\n').Where(l => l.StartsWith("error: --", StringComparison.Ordinal)))
            Assert.Contains(line["error: --".Length..line.IndexOf(": ", "error: ".Length, StringComparison.Ordinal)], fields);
        Assert.NotEmpty(noun);
    }

    /// <summary>One valid change per noun: the CLI's words, and the same change as a request.</summary>
    public static readonly TheoryData<string[], string, string, string> ValidChanges = new()
    {
        { ["dialplan", "set", "Contoso", "--country-or-region-code", "33", "--access-telephone-numbers", "4000", "--access-telephone-numbers", "4001"],
            "PATCH", "/api/v1/dialplan/Contoso", """{"country-or-region-code": "33", "access-telephone-numbers": ["4000", "4001"]}""" },
        { ["gateway", "set", "pbx1", "--port", "5070", "--outcalls-allowed", "false"], "PATCH", "/api/v1/gateway/pbx1", """{"port": 5070, "outcalls-allowed": false}""" },
        { ["huntgroup", "new", "--name", "hg2", "--ip-gateway", "pbx1", "--dial-plan", "Contoso", "--pilot-identifier", "4100"],
            "POST", "/api/v1/huntgroup", """{"name": "hg2", "ip-gateway": "pbx1", "dial-plan": "Contoso", "pilot-identifier": "4100"}""" },
        { ["mailbox", "set", "1000", "--display-name", "User 1000", "--away", "true"], "PATCH", "/api/v1/mailbox/1000", """{"display-name": "User 1000", "away": true}""" },
        { ["mailboxpolicy", "set", "Staff", "--min-pin-length", "8"], "PATCH", "/api/v1/mailboxpolicy/Staff", """{"min-pin-length": 8}""" },
        // (No key mapping here: its spoken menu is a WAV named after the attendant's id, which differs between the two directories.)
        { ["autoattendant", "set", "Reception", "--time-zone", "Europe/Paris", "--operator-extension", "1000"],
            "PATCH", "/api/v1/autoattendant/Reception", """{"time-zone": "Europe/Paris", "operator-extension": "1000"}""" },
        { ["autoattendant", "disable", "Reception"], "POST", "/api/v1/autoattendant/Reception/disable", "" },
        { ["server", "set", "--name", "um1", "--max-calls-allowed", "50"], "PATCH", "/api/v1/server/um1", """{"max-calls-allowed": 50}""" },
        { ["huntgroup", "remove", "pbx1-Contoso"], "DELETE", "/api/v1/huntgroup/pbx1-Contoso", "" },
    };

    [Theory]
    [MemberData(nameof(ValidChanges))]
    public async Task TheSameChangeGetsTheSameAuditEventButForItsActor(string[] cli, string method, string path, string body)
    {
        var (code, _, err) = Cli.Run(_cliData, cli);
        Assert.True(code == 0, err);
        using var client = _api.Client(_api.AdminToken);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body.Length > 0 ? ApiServer.Json(body) : null };
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        var cliEvent = LastChange(_cliData);
        var apiEvent = LastChange(_api.Data);
        Assert.Equal(Environment.UserName, cliEvent.GetProperty("user").GetString());
        Assert.Equal("token:ops@127.0.0.1", apiEvent.GetProperty("user").GetString());
        foreach (string field in new[] { "kind", "objectType", "name", "version" })
            Assert.Equal(cliEvent.GetProperty(field).ToString(), apiEvent.GetProperty(field).ToString());
        // The object before and after, but for its id (each data directory made its own objects).
        foreach (string field in new[] { "before", "after" })
            Assert.Equal(WithoutId(cliEvent.GetProperty(field).GetString()!), WithoutId(apiEvent.GetProperty(field).GetString()!));
    }

    [Fact]
    public async Task TheAnswerIsWhatTheCliPrints()
    {
        using var client = _api.Client(_api.AdminToken);
        using var response = await client.PatchAsync("/api/v1/dialplan/Contoso", ApiServer.Json("""{"access-telephone-numbers": ["4000", "4001"]}"""));
        var (_, cli, _) = Cli.Run(_api.Data, "dialplan", "get", "Contoso", "--json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(cli.Trim(), (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task EveryVerbOfTheExposedNounsHasItsEndpoint()
    {
        var root = ManagementCommands.CreateRoot();
        var verbs = ApiRoutes.From(root);
        using var client = _api.Client(_api.AdminToken);
        foreach (string noun in ApiRoutes.ObjectNouns)
        {
            foreach (var command in root.Subcommands.Single(c => c.Name == noun).Subcommands)
            {
                string words = $"{noun} {command.Name}";
                if (ApiRoutes.NotExposed.ContainsKey(words)) continue;
                var twins = verbs.Where(v => string.Join(' ', v.Path) == words).ToList();
                Assert.True(twins.Count > 0, $"`openum {words}` has no endpoint (and no reason in ApiRoutes.NotExposed)");
                foreach (var verb in twins)
                {
                    // Reached, not the fallback: a made-up key answers 404 "there is no ...", a missing body 400, never "no such endpoint".
                    using var request = new HttpRequestMessage(new HttpMethod(verb.Method), verb.Route.Replace("{key}", "zz-none", StringComparison.Ordinal));
                    using var response = await client.SendAsync(request);
                    string text = await response.Content.ReadAsStringAsync();
                    Assert.DoesNotContain("no such endpoint", text, StringComparison.Ordinal);
                    Assert.NotEqual(HttpStatusCode.MethodNotAllowed, response.StatusCode);
                }
            }
        }
    }

    private static string WithoutId(string json)
    {
        if (json.Length == 0) return json; // no object before an addition, none after a removal
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        Assert.True(node.Remove("id"));
        return node.ToJsonString();
    }

    // The last ConfigurationChanged (2100) event of a data directory, its properties.
    private static JsonElement LastChange(string data)
    {
        string line = File.ReadLines(Path.Combine(data, "events.jsonl")).Last(l => l.Contains("\"id\":2100", StringComparison.Ordinal));
        return JsonDocument.Parse(line).RootElement.GetProperty("properties").Clone();
    }
}
