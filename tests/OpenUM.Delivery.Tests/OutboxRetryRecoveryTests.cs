using Microsoft.Extensions.Time.Testing;
using OpenUM.Delivery.Smtp;

namespace OpenUM.Delivery.Tests;

/// <summary>
/// `openum outbox retry` of a dead letter interrupted at each step (Ctrl-C, power loss), then the server's
/// restart: the voice message is never lost and is in exactly one folder.
/// </summary>
public class OutboxRetryRecoveryTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 4, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RetryMovesTheDeadLetterBackWithAFreshStart()
    {
        using var fixture = new Fixture();
        var time = new FakeTimeProvider(Start);
        var (outbox, dead) = await DeadLetterAsync(fixture, time);
        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(1, await outbox.RetryAsync(dead.Id, CancellationToken.None));

        var queued = Assert.Single(outbox.Queued());
        Assert.Equal(dead.Id, queued.Id);
        Assert.Equal(0, queued.Attempts);
        Assert.Null(queued.DeadAt);
        Assert.Equal(time.GetUtcNow(), queued.NextAttemptAt);
        Assert.Equal(time.GetUtcNow(), queued.QueuedAt); // the expiry counts from the retry, not from the call
        Assert.Empty(System.IO.Directory.GetFiles(outbox.DeadPath));
        Assert.NotNull(await outbox.LoadMessageAsync(queued, CancellationToken.None));
    }

    [Fact]
    public async Task RetryInterruptedAfterTheQueuedStateWasWrittenLeavesTheDeadLetterWhole()
    {
        using var fixture = new Fixture();
        var (outbox, dead) = await DeadLetterAsync(fixture, new FakeTimeProvider(Start));
        // The first step of a retry: the queued JSON, while the MIME file and the dead JSON are still in dead/.
        File.Copy(Path.Combine(outbox.DeadPath, dead.Id + ".json"), Path.Combine(outbox.QueuePath, dead.Id + ".json"));

        outbox.Recover();

        var entry = Assert.Single(outbox.List());
        Assert.Equal(OutboxFolder.Dead, entry.Folder);
        Assert.Empty(System.IO.Directory.GetFiles(outbox.QueuePath));
        Assert.Equal(1, await outbox.RetryAsync(dead.Id, CancellationToken.None));
        Assert.Equal(OutboxFolder.Queued, Assert.Single(outbox.List()).Folder);
    }

    [Fact]
    public async Task RetryInterruptedBeforeTheMimeFileMovedIsFinishedAtRestart()
    {
        using var fixture = new Fixture();
        var (outbox, dead) = await DeadLetterAsync(fixture, new FakeTimeProvider(Start));
        // Queued JSON written, dead JSON removed, MIME file still in dead/.
        File.Move(Path.Combine(outbox.DeadPath, dead.Id + ".json"), Path.Combine(outbox.QueuePath, dead.Id + ".json"));

        outbox.Recover();

        var entry = Assert.Single(outbox.List());
        Assert.Equal(OutboxFolder.Queued, entry.Folder);
        Assert.NotNull(await outbox.LoadMessageAsync(entry.Item, CancellationToken.None));
    }

    [Fact]
    public async Task PurgedDeadLetterLeavesNoFileBehind()
    {
        using var fixture = new Fixture();
        var (outbox, dead) = await DeadLetterAsync(fixture, new FakeTimeProvider(Start));

        Assert.Equal(1, outbox.Purge(dead.Id, includeQueued: false));

        Assert.Empty(outbox.List());
        Assert.Empty(System.IO.Directory.GetFiles(outbox.DeadPath));
        Assert.Empty(System.IO.Directory.GetFiles(outbox.QueuePath));
    }

    private static async Task<(SmtpOutbox Outbox, OutboxItem Dead)> DeadLetterAsync(Fixture fixture, TimeProvider time)
    {
        var outbox = new SmtpOutbox(Path.Combine(fixture.Directory, "outbox"), time);
        var item = await outbox.EnqueueAsync(fixture.Message(), "vm@um.example.test", CancellationToken.None);
        await outbox.DeadLetterAsync(item with { Attempts = 1 }, "550 5.1.1 <alice@example.com>: Recipient address rejected", CancellationToken.None);
        var dead = Assert.Single(outbox.List());
        Assert.Equal(OutboxFolder.Dead, dead.Folder);
        return (outbox, dead.Item);
    }
}
