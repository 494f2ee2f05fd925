using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests;

/// <summary>The away flag of a mailbox (mailboxes.away): mailboxes stored before its migration are not away, and it round-trips.</summary>
public sealed class AwayMigrationTests
{
    private const int AwayVersion = 12;

    [Fact]
    public void MailboxesFromBeforeTheMigrationAreNotAwayAndTheFlagRoundTrips()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.Dispose();
        using (var raw = StoreTests.RawConnection(temp.FilePath))
            RevertAwayMigration(raw);

        using var upgraded = temp.OpenAnother();
        var mailbox = upgraded.GetMailbox("Main", "1234")!;
        Assert.False(mailbox.Away);
        var change = upgraded.UpdateMailbox("Main", "1234", mailbox with { Away = true });
        Assert.False(((Mailbox)change.Before!).Away);
        Assert.True(upgraded.GetMailbox("Main", "1234")!.Away);
        Assert.True(Assert.Single(upgraded.Load().Mailboxes).Away);
    }

    /// <summary>Takes a store back to version 11, before the away flag (the newest migration first: the upgrade tests of earlier ones call it).</summary>
    internal static void RevertAwayMigration(Microsoft.Data.Sqlite.SqliteConnection raw)
    {
        AutoAttendants.AutoAttendantStoreTests.RevertAutoAttendantMigration(raw);
        StoreTests.Execute(raw, "ALTER TABLE mailboxes DROP COLUMN away");
        StoreTests.Execute(raw, $"DELETE FROM schema_migrations WHERE version = {AwayVersion}");
    }
}
