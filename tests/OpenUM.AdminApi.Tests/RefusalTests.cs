using System.Net;
using System.Text.Json;

namespace OpenUM.AdminApi.Tests;

/// <summary>What the API refuses before anything runs: files on the server, unknown fields, options as values, floods.</summary>
public sealed class RefusalTests : IAsyncLifetime
{
    private ApiServer _api = null!;

    public async Task InitializeAsync() => _api = await ApiServer.StartAsync(setup: Setup.OneOfEach);

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Theory]
    [InlineData("/api/v1/mailbox/1000", """{"greeting": "/etc/passwd"}""", "greeting")]
    [InlineData("/api/v1/dialplan/Contoso", """{"configured-international-groups-csv": "/etc/passwd"}""", "configured-international-groups-csv")]
    [InlineData("/api/v1/autoattendant/Reception", """{"business-hours-welcome-greeting": "/var/lib/openum/x.wav"}""", "business-hours-welcome-greeting")]
    [InlineData("/api/v1/autoattendant/Reception", """{"holiday-schedule": ["Xmas,/etc/passwd,2026-12-25"]}""", "holiday-schedule")]
    [InlineData("/api/v1/autoattendant/Reception", """{"business-hours-key-mapping": ["3,Directions,,,/etc/passwd"]}""", "business-hours-key-mapping")]
    [InlineData("/api/v1/server/um1", """{"smart-host-password-file": "/etc/shadow"}""", "smart-host-password-file")]
    public async Task AFileOnTheServerIsNeverRead(string path, string body, string field)
    {
        using var client = _api.Client(_api.AdminToken);
        using var response = await client.PatchAsync(path, ApiServer.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = Assert.Single(problem.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Contains("names a file on the server", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHolidayWithoutAGreetingFileIsAccepted()
    {
        using var client = _api.Client(_api.AdminToken);
        using var response = await client.PatchAsync("/api/v1/autoattendant/Reception", ApiServer.Json("""{"holiday-schedule": ["Xmas,,2026-12-25"]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AnEmptyValueIsAValueNeverTheNextWord()
    {
        using var client = _api.Client(_api.AdminToken);
        using var set = await client.PatchAsync("/api/v1/autoattendant/Reception", ApiServer.Json("""{"pilot-identifier-list": ["4100"]}"""));
        using var cleared = await client.PatchAsync("/api/v1/autoattendant/Reception", ApiServer.Json("""{"pilot-identifier-list": []}"""));
        using var empty = await client.PatchAsync("/api/v1/dialplan/Contoso", ApiServer.Json("""{"operator-extension": ""}"""));
        var (_, _, err) = Cli.Run(_api.Data, "dialplan", "set", "Contoso", "--operator-extension", "");

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Empty(JsonDocument.Parse(await cleared.Content.ReadAsStringAsync()).RootElement.GetProperty("pilotIdentifierList").EnumerateArray());
        // "" reached the option as its value (refused by the dial plan's rules, as on the command line), not the word after it.
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(err.TrimEnd(), JsonDocument.Parse(await empty.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task UnknownFieldsAreNamedWithTheNearestOne()
    {
        using var client = _api.Client(_api.AdminToken);
        using var response = await client.PatchAsync("/api/v1/dialplan/Contoso", ApiServer.Json("""{"voip-securty": "Secured", "data-dir": "/tmp"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal(["voip-securty", "data-dir"], errors.Select(e => e.GetProperty("field").GetString()));
        Assert.Contains("did you mean 'voip-security'?", errors[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AValueThatLooksLikeAnOptionOrAResponseFileIsAValue()
    {
        using var client = _api.Client(_api.AdminToken);
        // "--json" and "@/etc/passwd" as values: a display name is whatever was given, never an option or a file to expand.
        using var response = await client.PatchAsync("/api/v1/mailbox/1000", ApiServer.Json("""{"display-name": "@/etc/passwd"}"""));
        using var second = await client.PatchAsync("/api/v1/mailbox/1000", ApiServer.Json("""{"sip-uri": "--json"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("@/etc/passwd", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("displayName").GetString());
        Assert.NotEqual(HttpStatusCode.InternalServerError, second.StatusCode);
    }

    [Fact]
    public async Task AKeyThatLooksLikeAnOptionIsRefusedAsTheCliRefusesIt()
    {
        using var client = _api.Client(_api.AdminToken);
        using var response = await client.DeleteAsync("/api/v1/dialplan/--data-dir=elsewhere");
        var (code, _, err) = Cli.Run(_api.Data, "dialplan", "remove", "--", "--data-dir=elsewhere");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(2, code);
        Assert.Equal(err.TrimEnd(), JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
        Assert.Equal(0, Cli.Run(_api.Data, "dialplan", "get", "Contoso").Code);
    }

    [Fact]
    public async Task AFloodGets429WithRetryAfterAndAnEvent()
    {
        // A bucket of 3 that is not refilled during the test: the 4th request is over, whatever the machine's speed.
        await using var api = await ApiServer.StartAsync(s => s with { Burst = 3, RequestsPerSecond = 1, ReplenishmentPeriod = TimeSpan.FromHours(1) });
        using var client = api.Client(api.ReadOnlyToken);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (int i = 0; i < 4; i++)
        {
            last?.Dispose();
            last = await client.GetAsync("/api/v1/dialplan");
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.NotNull(last!.Headers.RetryAfter);
        Assert.Equal("nosniff", last.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains(2364, OpenUM.TestSupport.Logging.FakeLogExtensions.EventIds(api.Events));
        last.Dispose();
    }

    [Fact]
    public async Task AllClientsTogetherShareOneBucketToo()
    {
        // Each client's bucket is large; the one for everyone holds 2: the 3rd request is over, from whichever client.
        await using var api = await ApiServer.StartAsync(s => s with { GlobalBurst = 2, GlobalRequestsPerSecond = 1, ReplenishmentPeriod = TimeSpan.FromHours(1) });
        using var client = api.Client(api.ReadOnlyToken);
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync("/api/v1/dialplan");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    public void AnIPv6ClientIsItsSlash64(string address, string key) =>
        Assert.Equal(key, AdminApiEndpoint.ClientKey(IPAddress.Parse(address)));
}
