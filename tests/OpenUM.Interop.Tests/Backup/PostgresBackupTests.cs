using System.Formats.Tar;
using System.Text.Json;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Postgres;

namespace OpenUM.Interop.Tests.Backup;

/// <summary>
/// A configuration held in PostgreSQL is backed up through the store (configuration.json, no pg_dump) and restored
/// both into a data directory's own SQLite file and into another, empty PostgreSQL database.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresBackupTests(TempPostgres postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task PostgresConfigurationRestoresIntoSqliteAndIntoAnEmptyDatabase()
    {
        string source = await postgres.CreateDatabaseAsync("backup_" + Guid.NewGuid().ToString("N")[..12]);
        string empty = await postgres.CreateDatabaseAsync("restore_" + Guid.NewGuid().ToString("N")[..12]);
        await using var original = new OpenUmProcess(output);
        await using var intoSqlite = new OpenUmProcess(output);
        await using var intoPostgres = new OpenUmProcess(output);
        await original.CliOkAsync("--store", source, "dialplan", "new", "--name", "Test", "--number-of-digits-in-extension", "4");
        await original.CliOkAsync("--store", source, "gateway", "new", "--name", "pbx", "--address", "192.0.2.44", "--dial-plan", "Test");
        await original.CliOkAsync("--store", source, "mailbox", "new", "--extension", "1000", "--dial-plan", "Test", "--email", OpenUmProcess.MailboxAddress);
        string archive = Path.Combine(original.DataDir, "..", Path.GetFileName(original.DataDir) + ".tar");
        try
        {
            await original.CliOkAsync("--store", source, "backup", "--out", archive);
            using (var reader = new TarReader(File.OpenRead(archive)))
            {
                var names = new List<string>();
                while (reader.GetNextEntry() is { } entry)
                    names.Add(entry.Name);
                Assert.Contains("configuration.json", names);
                Assert.DoesNotContain("config.db", names);
            }

            await intoSqlite.CliOkAsync("restore", archive);
            Assert.True(File.Exists(Path.Combine(intoSqlite.DataDir, "config.db")), "the restore wrote no config.db");
            AssertGateway((await intoSqlite.CliOkAsync("gateway", "get", "--json")).StdOut);

            await intoPostgres.CliOkAsync("--store", empty, "restore", archive);
            Assert.False(File.Exists(Path.Combine(intoPostgres.DataDir, "config.db")), "a restore into PostgreSQL must not leave a config.db");
            AssertGateway((await intoPostgres.CliOkAsync("--store", empty, "gateway", "get", "--json")).StdOut);
            var mailbox = await intoPostgres.CliOkAsync("--store", empty, "mailbox", "get", "--json");
            Assert.Contains(OpenUmProcess.MailboxAddress, mailbox.StdOut, StringComparison.Ordinal);

            // The database now holds a configuration: a second restore into it is refused, naming the cause.
            await using var again = new OpenUmProcess(output);
            var refused = await again.CliAsync("--store", empty, "restore", archive);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("not empty", refused.StdErr, StringComparison.Ordinal);
            Assert.Empty(System.IO.Directory.GetFileSystemEntries(again.DataDir));
        }
        finally
        {
            File.Delete(archive);
        }
    }

    private static void AssertGateway(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var gateway = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal("pbx", gateway.GetProperty("name").GetString());
        Assert.Equal("192.0.2.44", gateway.GetProperty("address").GetString());
    }
}
