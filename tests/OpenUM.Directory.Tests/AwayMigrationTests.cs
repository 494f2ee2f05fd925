using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests;

/// <summary>The away flag of a mailbox (mailboxes.away): mailboxes stored before its migration are not away, and it round-trips.</summary>
public sealed class AwayMigrationTests
{
    // Migration 13 of the allocation, the 11th element on this branch: renumbered with the migrations before it.
    private const int AwayVersion = 11;

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

    /// <summary>Takes a store back to before the away flag (for the upgrade tests of earlier migrations too).</summary>
    internal static void RevertAwayMigration(Microsoft.Data.Sqlite.SqliteConnection raw)
    {
        StoreTests.Execute(raw, "ALTER TABLE mailboxes DROP COLUMN away");
        StoreTests.Execute(raw, $"DELETE FROM schema_migrations WHERE version = {AwayVersion}");
    }
}
