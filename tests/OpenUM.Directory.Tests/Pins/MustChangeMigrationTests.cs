using OpenUM.Directory.Pins;
using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests.Pins;

/// <summary>Migration 9 (mailbox_pins.must_change): PINs stored before it keep working and are not marked.</summary>
public sealed class MustChangeMigrationTests
{
    [Fact]
    public void PinsFromBeforeMigration9AreNotMarkedAndTheMarkRoundTrips()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        var state = new MailboxPinState { Hash = PinHasher.Hash("482917", PinHasher.MinIterations), SetAt = DateTimeOffset.UnixEpoch, ConsecutiveFailures = 2 };
        temp.Store.SavePin("Main", "1234", state);
        temp.Store.Dispose();
        using (var raw = StoreTests.RawConnection(temp.FilePath))
            RevertMigration9(raw);

        using var upgraded = temp.OpenAnother();
        Assert.Equal(state, upgraded.GetPin("Main", "1234"));
        upgraded.SavePin("Main", "1234", state with { MustChange = true });
        Assert.True(upgraded.GetPin("Main", "1234")!.MustChange);
    }

    /// <summary>Takes a store back to version 8 (for the upgrade tests of earlier migrations too).</summary>
    internal static void RevertMigration9(Microsoft.Data.Sqlite.SqliteConnection raw)
    {
        ImapSettingsTests.RevertMigration10(raw);
        StoreTests.Execute(raw, "ALTER TABLE mailbox_pins DROP COLUMN must_change");
        StoreTests.Execute(raw, "DELETE FROM schema_migrations WHERE version = 9");
    }
}
