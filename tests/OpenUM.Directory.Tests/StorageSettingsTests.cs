using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests;

// UmServer.MinFreeSpaceMB/MinFreeInodes and DialPlan.StorageFullAction (schema migration 8): defaults, the automatic
// reserve, round trip, upgrade, validation.
public class StorageSettingsTests
{
    [Fact]
    public void DefaultsAreAutomaticAndRefuse()
    {
        Assert.Equal(0, Server().MinFreeSpaceMB);
        Assert.Equal(0, Server().MinFreeInodes);
        Assert.Equal(StorageFullAction.Refuse, DialPlan().StorageFullAction);
    }

    [Fact]
    public void TheReserveOfTheDefaultRecordingHoldsTheWavAndItsBase64Copy()
    {
        long reserve = UmServer.RecordingReserveBytes(DialPlan().MaxRecordingDuration);
        // 20 min + 0.5 s of 16 kB/s with its 44-byte header ...
        long wav = 1200_5 * 16_000 / 10 + 44;
        // ... and the same encoded: 4 characters per 3 bytes, CRLF every 76 characters, 64 KB of headers.
        long base64 = (wav + 2) / 3 * 4;
        Assert.Equal(wav + base64 + base64 / 76 * 2 + 65_536, reserve);
        Assert.InRange(reserve / 1048576.0, 43.4, 43.5); // the README's figure
        Assert.True(UmServer.RecordingReserveBytes(TimeSpan.FromMinutes(1)) < reserve / 19);
    }

    [Theory]
    [InlineData(1, 1, StorageFullAction.Announce)]
    [InlineData(0, 0, StorageFullAction.Refuse)]
    [InlineData(UmServer.MaxMinFreeSpaceMB, UmServer.MaxMinFreeInodes, StorageFullAction.Announce)]
    public void EveryValueRoundTrips(int megabytes, int inodes, StorageFullAction action)
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.UpdateUmServer(Server() with { MinFreeSpaceMB = megabytes, MinFreeInodes = inodes });
        temp.Store.UpdateDialPlan(temp.Store.GetDialPlan("Main")! with { StorageFullAction = action });
        using var other = temp.OpenAnother();
        var server = other.GetUmServer("um1")!;
        Assert.Equal((megabytes, inodes), (server.MinFreeSpaceMB, server.MinFreeInodes));
        Assert.Equal(action, other.GetDialPlan("main")!.StorageFullAction);
    }

    [Fact]
    public void AStoreFromBeforeMigration8GetsTheDefaults()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.Dispose();
        // What a version-7 file looks like: none of the three columns, no record of migration 8.
        using (var raw = StoreTests.RawConnection(temp.FilePath))
            RevertMigration8(raw);

        using var upgraded = temp.OpenAnother();
        var snapshot = upgraded.Load();
        var server = Assert.Single(snapshot.UmServers);
        Assert.Equal((0, 0), (server.MinFreeSpaceMB, server.MinFreeInodes));
        Assert.All(snapshot.DialPlans, d => Assert.Equal(StorageFullAction.Refuse, d.StorageFullAction));
        upgraded.UpdateUmServer(server with { MinFreeSpaceMB = 500 });
        Assert.Equal(500, upgraded.GetUmServer("um1")!.MinFreeSpaceMB);
    }

    /// <summary>Takes a store back to version 7 (for the upgrade tests of earlier migrations too).</summary>
    internal static void RevertMigration8(Microsoft.Data.Sqlite.SqliteConnection raw)
    {
        ImapSettingsTests.RevertMigration9(raw);
        StoreTests.Execute(raw, "ALTER TABLE um_servers DROP COLUMN min_free_space_mb");
        StoreTests.Execute(raw, "ALTER TABLE um_servers DROP COLUMN min_free_inodes");
        StoreTests.Execute(raw, "ALTER TABLE dial_plans DROP COLUMN storage_full_action");
        StoreTests.Execute(raw, "DELETE FROM schema_migrations WHERE version = 8");
    }

    [Theory]
    [InlineData(-1, 0, "min-free-space-mb", "1 to 1048576 MB, or 0 for automatic")]
    [InlineData(UmServer.MaxMinFreeSpaceMB + 1, 0, "min-free-space-mb", "1 to 1048576 MB, or 0 for automatic")]
    [InlineData(0, -5, "min-free-inodes", "or 0 for automatic")]
    [InlineData(0, UmServer.MaxMinFreeInodes + 1, "min-free-inodes", "1 to 1000000000")]
    public void OutOfRangeIsRefusedWithTheFieldAndTheRange(int megabytes, int inodes, string field, string text)
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        var ex = Assert.Throws<ConfigurationValidationException>(
            () => temp.Store.UpdateUmServer(Server() with { MinFreeSpaceMB = megabytes, MinFreeInodes = inodes }));
        Assert.Equal(field, ex.Field);
        Assert.Contains(text, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, temp.Store.GetUmServer("um1")!.MinFreeSpaceMB);
    }

    [Fact]
    public void AnUndefinedActionIsRefusedWithTheFieldAndTheChoices()
    {
        using var temp = new TempStore();
        var ex = Assert.Throws<ConfigurationValidationException>(() => temp.Store.AddDialPlan(DialPlan() with { StorageFullAction = (StorageFullAction)9 }));
        Assert.Equal("storage-full-action", ex.Field);
        Assert.Contains("Refuse, Announce", ex.Message, StringComparison.Ordinal);
    }
}
