namespace OpenUM.Cli.Tests.AdminApi;

/// <summary>`openum serve --admin-api-port/--admin-api-address`: wrong values are refused before the server starts.</summary>
[Collection(nameof(InProcessCliCollection))]
public sealed class ServeAdminApiOptionsCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-api-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    [Theory]
    [InlineData(new[] { "--admin-api-port", "99999" }, "error: --admin-api-port: '99999' is not a port number (0-65535).")]
    [InlineData(new[] { "--admin-api-port", "https" }, "error: --admin-api-port: 'https' is not a port number (0-65535).")]
    [InlineData(new[] { "--admin-api-port", "8443", "--admin-api-address", "localhost" }, "error: --admin-api-address: 'localhost' is not an IP address")]
    [InlineData(new[] { "--admin-api-address", "127.0.0.1" }, "error: --admin-api-address: applies only with --admin-api-port PORT")]
    public void AWrongValueIsRefusedBeforeTheServerStarts(string[] options, string error)
    {
        var (code, _, err) = InProcessCli.Run(_data, ["serve", .. options]);
        Assert.Equal(2, code);
        Assert.StartsWith(error, err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_data, "events.jsonl")), "the server started despite the usage error");
    }
}
