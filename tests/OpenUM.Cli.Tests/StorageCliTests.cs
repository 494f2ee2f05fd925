using System.Text.Json;

namespace OpenUM.Cli.Tests;

/// <summary>`openum server set --min-free-space-mb/--min-free-inodes` and `openum dialplan set --storage-full-action`.</summary>
public sealed class StorageCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-storage-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => OpenUmCli.Run(_data, args);

    [Fact]
    public void TheThresholdsAreSetShownAndCheckedWithTheFieldName()
    {
        Assert.Equal(0, Run("server", "set", "--name", "um1", "--min-free-space-mb", "500", "--min-free-inodes", "2000").Code);
        var server = JsonDocument.Parse(Run("server", "get", "--json").Out).RootElement.EnumerateArray()
            .Single(s => s.GetProperty("name").GetString() == "um1");
        Assert.Equal(500, server.GetProperty("minFreeSpaceMB").GetInt32());
        Assert.Equal(2000, server.GetProperty("minFreeInodes").GetInt32());
        Assert.Contains("MinFreeSpaceMB", Run("server", "get").Out, StringComparison.Ordinal);

        var (code, _, err) = Run("server", "set", "--name", "um1", "--min-free-space-mb", "-3");
        Assert.Equal(2, code);
        Assert.Contains("--min-free-space-mb", err, StringComparison.Ordinal);
        Assert.Contains("0 for automatic", err, StringComparison.Ordinal);
        server = JsonDocument.Parse(Run("server", "get", "--json").Out).RootElement.EnumerateArray()
            .Single(s => s.GetProperty("name").GetString() == "um1");
        Assert.Equal(500, server.GetProperty("minFreeSpaceMB").GetInt32());
    }

    [Fact]
    public void StorageFullActionIsRefuseUntilSetAndOnlyTakesItsTwoValues()
    {
        Assert.Equal(0, Run("dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4").Code);
        var plan = JsonDocument.Parse(Run("dialplan", "get", "Contoso", "--json").Out).RootElement;
        Assert.Equal("Refuse", plan.GetProperty("storageFullAction").GetString());

        Assert.Equal(0, Run("dialplan", "set", "Contoso", "--storage-full-action", "Announce").Code);
        plan = JsonDocument.Parse(Run("dialplan", "get", "Contoso", "--json").Out).RootElement;
        Assert.Equal("Announce", plan.GetProperty("storageFullAction").GetString());

        var (code, _, err) = Run("dialplan", "set", "Contoso", "--storage-full-action", "Sometimes");
        Assert.NotEqual(0, code);
        Assert.Contains("--storage-full-action", err, StringComparison.Ordinal);
    }
}
