using System.Text.Json;

namespace OpenUM.Cli.Tests;

/// <summary>`openum backup --out` and `openum restore` through the real command: the round trip, events and refusals.</summary>
public sealed class BackupCliTests : IDisposable
{
    private readonly string _work = System.IO.Directory.CreateTempSubdirectory("openum-cli-backup-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_work, recursive: true);

    private string Source => Path.Combine(_work, "source");

    private static void Ok((int Code, string Out, string Err) r) => Assert.True(r.Code == 0, $"exit {r.Code}\n{r.Out}\n{r.Err}");

    private static int[] EventIds(string dataDir) =>
        File.ReadLines(Path.Combine(dataDir, "events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt32()).ToArray();

    [Fact]
    public void BackupThenRestoreIntoANewDirectoryServesTheSameGateway()
    {
        Ok(OpenUmCli.Run(Source, "dialplan", "new", "--name", "Test", "--number-of-digits-in-extension", "4"));
        Ok(OpenUmCli.Run(Source, "gateway", "new", "--name", "gw1", "--address", "192.0.2.7", "--dial-plan", "Test"));
        string archive = Path.Combine(_work, "backup.tar");

        var backup = OpenUmCli.Run(Source, "backup", "--out", archive);

        Ok(backup);
        Assert.Matches($@"to {System.Text.RegularExpressions.Regex.Escape(archive)}: configuration version [1-9][0-9]* \(sqlite\), 1 files", backup.Out);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(archive));
        Assert.Contains(2140, EventIds(Source));

        string target = Path.Combine(_work, "restored");
        var restore = OpenUmCli.Run(target, "restore", archive, "--json");

        Ok(restore);
        using (var restored = JsonDocument.Parse(restore.Out))
        {
            Assert.Equal(1, restored.RootElement.GetProperty("files").GetInt32());   // config.db: nothing else was there
            Assert.Equal("sqlite", restored.RootElement.GetProperty("target").GetString());
            Assert.Equal(target, restored.RootElement.GetProperty("dataDirectory").GetString());
        }
        var get = OpenUmCli.Run(target, "gateway", "get", "--json");
        Ok(get);
        using var doc = JsonDocument.Parse(get.Out);
        var gateway = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal("gw1", gateway.GetProperty("name").GetString());
        Assert.Equal("192.0.2.7", gateway.GetProperty("address").GetString());
        Assert.Contains(2141, EventIds(target));
    }

    [Fact]
    public void RefusalsNameTheOptionAndTheFixAndChangeNothing()
    {
        Ok(OpenUmCli.Run(Source, "dialplan", "new", "--name", "Test", "--number-of-digits-in-extension", "4"));
        string existing = Path.Combine(_work, "existing.tar");
        File.WriteAllText(existing, "keep me");

        var overwrite = OpenUmCli.Run(Source, "backup", "--out", existing);
        Assert.Equal(2, overwrite.Code);
        Assert.Contains("--out", overwrite.Err, StringComparison.Ordinal);
        Assert.Contains("exists", overwrite.Err, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(existing));
        Assert.Contains(2142, EventIds(Source));

        string typo = Path.Combine(_work, "no-such-dir");
        var wrongDir = OpenUmCli.Run(typo, "backup", "--out", Path.Combine(_work, "typo.tar"));
        Assert.Equal(2, wrongDir.Code);
        Assert.Contains("--data-dir", wrongDir.Err, StringComparison.Ordinal);
        Assert.False(System.IO.Directory.Exists(typo), "backup created the data directory it was to read");

        var missing = OpenUmCli.Run(Source, "backup");
        Assert.NotEqual(0, missing.Code);
        Assert.Contains("--out", missing.Err, StringComparison.Ordinal);

        // Restoring over a configured directory would mix two servers' state: refused, the directory untouched.
        var before = System.IO.Directory.GetFileSystemEntries(Source).Order().ToArray();
        Ok(OpenUmCli.Run(Source, "backup", "--out", Path.Combine(_work, "good.tar")));
        var overData = OpenUmCli.Run(Source, "restore", Path.Combine(_work, "good.tar"));
        Assert.Equal(2, overData.Code);
        Assert.Contains("is not empty", overData.Err, StringComparison.Ordinal);
        Assert.Contains("--data-dir", overData.Err, StringComparison.Ordinal);
        Assert.Equal(before, System.IO.Directory.GetFileSystemEntries(Source).Order().ToArray());

        var notThere = OpenUmCli.Run(Path.Combine(_work, "empty"), "restore", Path.Combine(_work, "nothing.tar"));
        Assert.Equal(2, notThere.Code);
        Assert.Contains("does not exist", notThere.Err, StringComparison.Ordinal);
        Assert.Empty(System.IO.Directory.GetFileSystemEntries(Path.Combine(_work, "empty")));
    }
}
