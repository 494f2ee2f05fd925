using System.Net;
using System.Text;
using System.Text.Json;

namespace OpenUM.AdminApi.Tests;

/// <summary>The endpoints beyond configuration objects: status, outbox, security audit; and bodies the API will not read.</summary>
public sealed class ServerEndpointsTests : IAsyncLifetime
{
    private ApiServer _api = null!;

    public async Task InitializeAsync() => _api = await ApiServer.StartAsync(setup: Setup.OneOfEach);

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task TheSecurityAuditIsTheCliReportAndItsEventNamesTheClient()
    {
        using var client = _api.Client(_api.ReadOnlyToken);
        using var response = await client.GetAsync("/api/v1/security/audit?fqdn=um.example.test");
        var (_, cliOut, _) = Cli.Run(_api.Data, "security", "audit", "--json", "--fqdn", "um.example.test");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var api = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        using var cli = JsonDocument.Parse(cliOut);
        Assert.Equal(Ids(cli), Ids(api));
        Assert.Contains("OUM-SEC-001", Ids(api)); // Contoso is Unsecured
        Assert.Contains(File.ReadLines(Path.Combine(_api.Data, "events.jsonl")),
            l => l.Contains("\"id\":2150", StringComparison.Ordinal) && l.Contains("token:viewer@127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutARunningServerStatusSaysWhatTheCliSays()
    {
        using var client = _api.Client(_api.ReadOnlyToken);
        using var response = await client.GetAsync("/api/v1/status");
        var (code, _, err) = Cli.Run(_api.Data, "status", "--json");

        Assert.Equal(1, code);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(err.TrimEnd(), JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheOutboxListsAndAnUnknownItemIs404NamingTheField()
    {
        using var client = _api.Client(_api.AdminToken);
        using var list = await client.GetAsync("/api/v1/outbox");
        using var retry = await client.PostAsync("/api/v1/outbox/retry", ApiServer.Json("""{"id": "0195-none"}"""));

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal("[]", (await list.Content.ReadAsStringAsync()).Trim());
        Assert.Equal(HttpStatusCode.NotFound, retry.StatusCode);
        using var problem = JsonDocument.Parse(await retry.Content.ReadAsStringAsync());
        Assert.Equal("id", problem.RootElement.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task ABodyOver64KiBOrNotJsonIsNotRead()
    {
        using var client = _api.Client(_api.AdminToken);
        string big = "{\"display-name\": \"" + new string('x', 70 * 1024) + "\"}";
        using var tooLarge = await client.PatchAsync("/api/v1/mailbox/1000", new StringContent(big, Encoding.UTF8, "application/json"));
        using var notJson = await client.PatchAsync("/api/v1/mailbox/1000", new StringContent("display-name=x", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
    }

    private static List<string> Ids(JsonDocument report) =>
        [.. report.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];
}
