using System.Net;
using Microsoft.OpenApi.Reader;

namespace OpenUM.AdminApi.Tests;

/// <summary>The OpenAPI document: served, equal to docs/admin-api.openapi.json, and valid for a client generator.</summary>
public sealed class OpenApiTests : IAsyncLifetime
{
    private ApiServer _api = null!;

    public async Task InitializeAsync() => _api = await ApiServer.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task TheServedDocumentIsTheOneInDocsAndItIsValid()
    {
        using var client = _api.Client(_api.ReadOnlyToken);
        using var response = await client.GetAsync("/api/v1/openapi.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string served = await response.Content.ReadAsStringAsync();

        string checkedIn = Path.Combine(RepositoryRoot(), "docs", "admin-api.openapi.json");
        if (Environment.GetEnvironmentVariable("OPENUM_WRITE_OPENAPI") == "1") File.WriteAllText(checkedIn, served);
        Assert.True(File.ReadAllText(checkedIn) == served,
            "docs/admin-api.openapi.json differs from the served document: run this test with OPENUM_WRITE_OPENAPI=1 and commit the file");

        var read = Microsoft.OpenApi.OpenApiDocument.Parse(served, "json", new OpenApiReaderSettings());
        Assert.NotNull(read.Document);
        Assert.Empty(read.Diagnostic?.Errors ?? []);
        // And the specification's own rules (unique operation ids, path parameters declared, ...), as a generator checks them.
        Assert.Empty(Microsoft.OpenApi.OpenApiElementExtensions.Validate(read.Document!, Microsoft.OpenApi.ValidationRuleSet.GetDefaultRuleSet()) ?? []);
        Assert.Contains("/api/v1/dialplan/{key}", read.Document!.Paths.Keys);
        var patch = read.Document.Paths["/api/v1/dialplan/{key}"].Operations![HttpMethod.Patch];
        var schema = patch.RequestBody!.Content!["application/json"].Schema!;
        Assert.Contains("number-of-digits-in-extension", schema.Properties!.Keys);
        Assert.Contains("Secured", schema.Properties["voip-security"].Enum!.Select(e => e!.ToString()), StringComparer.Ordinal);
    }

    [Fact]
    public async Task TheDocumentNeedsCredentials()
    {
        using var client = _api.Client(token: null);
        using var response = await client.GetAsync("/api/v1/openapi.json");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpenUM.slnx"))) return dir.FullName;
        throw new InvalidOperationException("OpenUM.slnx not found above " + AppContext.BaseDirectory);
    }
}
