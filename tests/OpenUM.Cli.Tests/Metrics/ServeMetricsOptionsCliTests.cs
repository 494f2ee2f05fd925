namespace OpenUM.Cli.Tests.Metrics;

/// <summary>`openum serve --metrics-listen / --metrics-tls`: a wrong value is a usage error naming the option and the fix, before anything starts.</summary>
[Collection(nameof(InProcessCliCollection))]
public sealed class ServeMetricsOptionsCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost:9464")]
    [InlineData("127.0.0.1:99999")]
    public void AListenValueThatIsNotAddressAndPortIsRefused(string value)
    {
        var (code, _, err) = InProcessCli.Run(_data, "serve", "--metrics-listen", value);
        Assert.Equal(2, code);
        Assert.StartsWith($"error: --metrics-listen: '{value}' is not ADDRESS:PORT (e.g. 127.0.0.1:9464", err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_data, "events.jsonl")), "the server started despite the usage error");
    }

    [Fact]
    public void TlsMustBeTrueOrFalse()
    {
        var (code, _, err) = InProcessCli.Run(_data, "serve", "--metrics-listen", "9464", "--metrics-tls", "yes");
        Assert.Equal(2, code);
        Assert.StartsWith("error: --metrics-tls: 'yes' is not true or false.", err, StringComparison.Ordinal);
    }

    [Fact]
    public void TlsWithoutListenSaysWhatTurnsTheEndpointOn()
    {
        var (code, _, err) = InProcessCli.Run(_data, "serve", "--metrics-tls", "true");
        Assert.Equal(2, code);
        Assert.StartsWith("error: --metrics-tls: applies only with --metrics-listen ADDRESS:PORT", err, StringComparison.Ordinal);
    }
}
