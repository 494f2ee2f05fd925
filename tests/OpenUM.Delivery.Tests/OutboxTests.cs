using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using OpenUM.Delivery.Smtp;

namespace OpenUM.Delivery.Tests;

public class OutboxTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 4, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task EnqueuedItemIsOnDiskWithItsMimeAndNothingTemporaryIsLeft()
    {
        using var fixture = new Fixture();
        var outbox = new SmtpOutbox(Path.Combine(fixture.Directory, "outbox"), new FakeTimeProvider(Start));

        var item = await outbox.EnqueueAsync(fixture.Message(), "vm@um.example.test", CancellationToken.None);

        Assert.True(File.Exists(Path.Combine(outbox.QueuePath, item.Id + ".eml")));
        Assert.True(File.Exists(Path.Combine(outbox.QueuePath, item.Id + ".json")));
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(outbox.Root, "tmp")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(outbox.QueuePath, item.Id + ".eml")));
        var stored = Assert.Single(outbox.Queued());
        Assert.Equal(item, stored);
        Assert.Equal("alice@example.com", stored.Recipient);
        Assert.Equal(Start, stored.NextAttemptAt);
        // The recording is inside the item: the spool may delete its WAV once this returned.
        File.Delete(fixture.WavPath);
        using var mime = await outbox.LoadMessageAsync(stored, CancellationToken.None);
        Assert.NotNull(mime);
        Assert.Equal(VoiceMessageComposer.MessageIdFor(fixture.Message().CallId), mime.MessageId);
        var audio = (MimePart)((Multipart)mime.Body!)[1];
        using var decoded = new MemoryStream();
        await audio.Content!.DecodeToAsync(decoded);
        Assert.Equal(fixture.WavBytes, decoded.ToArray());
    }

    [Fact]
    public async Task TheSameCallGivesTheSameMessageIdEvenWhenQueuedTwice()
    {
        using var fixture = new Fixture();
        var outbox = new SmtpOutbox(Path.Combine(fixture.Directory, "outbox"));
        var a = await outbox.EnqueueAsync(fixture.Message(), "vm@um.example.test", CancellationToken.None);
        var b = await outbox.EnqueueAsync(fixture.Message(), "vm@um.example.test", CancellationToken.None);
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal(a.MessageId, b.MessageId);
    }

    [Fact]
    public async Task RestartRemovesAnUnfinishedEnqueueAndFinishesARecordedDelivery()
    {
        using var fixture = new Fixture();
        string root = Path.Combine(fixture.Directory, "outbox");
        var outbox = new SmtpOutbox(root);
        var kept = await outbox.EnqueueAsync(fixture.Message(), "vm@um.example.test", CancellationToken.None);
        var delivered = await outbox.EnqueueAsync(fixture.Message("carol@example.com"), "vm@um.example.test", CancellationToken.None);
        var unfinished = await outbox.EnqueueAsync(fixture.Message("dave@example.com"), "vm@um.example.test", CancellationToken.None);
        // Crash states: the 250 was recorded (JSON in sent/) but the MIME file not yet removed; an enqueue
        // stopped between the MIME file and its JSON; a temporary file was being written.
        File.Move(Path.Combine(root, "queue", delivered.Id + ".json"), Path.Combine(root, "sent", delivered.Id + ".json"));
        File.Delete(Path.Combine(root, "queue", unfinished.Id + ".json"));
        File.WriteAllText(Path.Combine(root, "tmp", "x.json.123"), "{");

        var restarted = new SmtpOutbox(root);
        Assert.True(File.Exists(Path.Combine(root, "queue", unfinished.Id + ".eml"))); // only Recover removes it
        restarted.Recover();

        Assert.Equal([kept.Id], restarted.Queued().Select(i => i.Id));
        Assert.Equal([kept.Id + ".eml", kept.Id + ".json"], System.IO.Directory.GetFiles(Path.Combine(root, "queue")).Select(Path.GetFileName).Order());
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(root, "sent")));
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(root, "tmp")));
    }

    [Fact]
    public async Task RecordDeliveredRemovesTheItemForGood()
    {
        using var fixture = new Fixture();
        string root = Path.Combine(fixture.Directory, "outbox");
        var outbox = new SmtpOutbox(root);
        var item = await outbox.EnqueueAsync(fixture.Message(), "vm@um.example.test", CancellationToken.None);
        outbox.RecordDelivered(item);
        Assert.Empty(outbox.Queued());
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(root, "queue")));
        Assert.Empty(new SmtpOutbox(root).Queued());
    }

    [Fact]
    public async Task DeadLetterKeepsTheMessageUntilRetriedOrPurged()
    {
        using var fixture = new Fixture();
        var time = new FakeTimeProvider(Start);
        var outbox = new SmtpOutbox(Path.Combine(fixture.Directory, "outbox"), time);
        var item = await outbox.EnqueueAsync(fixture.Message(), "vm@um.example.test", CancellationToken.None);

        await outbox.DeadLetterAsync(item with { Attempts = 3 }, "550 5.1.1 User unknown", CancellationToken.None);

        Assert.Empty(outbox.Queued());
        var dead = Assert.Single(outbox.List());
        Assert.Equal(OutboxFolder.Dead, dead.Folder);
        Assert.Equal("550 5.1.1 User unknown", dead.Item.LastError);
        Assert.True(dead.SizeBytes > fixture.WavBytes.Length);
        Assert.True(File.Exists(Path.Combine(outbox.DeadPath, item.Id + ".eml")));

        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await outbox.RetryAsync(item.Id, CancellationToken.None));
        var back = Assert.Single(outbox.Queued());
        Assert.Equal(0, back.Attempts);
        Assert.Null(back.DeadAt);
        Assert.Equal(time.GetUtcNow(), back.NextAttemptAt);

        await outbox.DeadLetterAsync(back, "again", CancellationToken.None);
        Assert.Equal(1, outbox.Purge(null, includeQueued: false));
        Assert.Empty(outbox.List());
        Assert.Empty(System.IO.Directory.GetFiles(outbox.DeadPath));
    }

    [Fact]
    public async Task PurgeLeavesQueuedItemsUnlessAsked()
    {
        using var fixture = new Fixture();
        var outbox = new SmtpOutbox(Path.Combine(fixture.Directory, "outbox"));
        await outbox.EnqueueAsync(fixture.Message(), "vm@um.example.test", CancellationToken.None);
        Assert.Equal(0, outbox.Purge(null, includeQueued: false));
        Assert.Single(outbox.Queued());
        Assert.Equal(1, outbox.Purge(null, includeQueued: true));
        Assert.Empty(outbox.Queued());
    }

    [Fact]
    public async Task StateFileIsPlainJsonAnOperatorCanRead()
    {
        using var fixture = new Fixture();
        var outbox = new SmtpOutbox(Path.Combine(fixture.Directory, "outbox"));
        var item = await outbox.EnqueueAsync(fixture.Message(), "vm@um.example.test", CancellationToken.None);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outbox.QueuePath, item.Id + ".json")));
        Assert.Equal("alice@example.com", json.RootElement.GetProperty("Recipient").GetString());
        Assert.Equal(item.MessageId, json.RootElement.GetProperty("MessageId").GetString());
    }
}
