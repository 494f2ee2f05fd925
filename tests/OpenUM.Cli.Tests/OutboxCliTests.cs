using System.Text.Json;
using OpenUM.Delivery;
using OpenUM.Delivery.Smtp;

namespace OpenUM.Cli.Tests;

/// <summary>`openum outbox list|retry|purge` through the real command on an outbox filled by the library.</summary>
public sealed class OutboxCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-outbox-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => OpenUmCli.Run(_data, args);

    private SmtpOutbox Outbox => new(Path.Combine(_data, "outbox"));

    private async Task<OutboxItem> EnqueueAsync(string callId)
    {
        string wav = Path.Combine(_data, callId + ".wav");
        // 44-byte RIFF/WAVE header of 8 kHz mono PCM16 and 0.1 s of silence: the composer only attaches the bytes.
        var bytes = new byte[44 + 1600];
        "RIFF"u8.CopyTo(bytes); BitConverter.TryWriteBytes(bytes.AsSpan(4), bytes.Length - 8); "WAVEfmt "u8.CopyTo(bytes.AsSpan(8));
        BitConverter.TryWriteBytes(bytes.AsSpan(16), 16); BitConverter.TryWriteBytes(bytes.AsSpan(20), (short)1); BitConverter.TryWriteBytes(bytes.AsSpan(22), (short)1);
        BitConverter.TryWriteBytes(bytes.AsSpan(24), 8000); BitConverter.TryWriteBytes(bytes.AsSpan(28), 16000); BitConverter.TryWriteBytes(bytes.AsSpan(32), (short)2);
        BitConverter.TryWriteBytes(bytes.AsSpan(34), (short)16); "data"u8.CopyTo(bytes.AsSpan(36)); BitConverter.TryWriteBytes(bytes.AsSpan(40), 1600);
        await File.WriteAllBytesAsync(wav, bytes);
        var message = new VoiceMessage("user1000@example.test", "User 1000", "5551234", null, "1000", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(0.1), wav, callId);
        return await Outbox.EnqueueAsync(message, "voicemail@um.example.test", CancellationToken.None);
    }

    private JsonElement[] List()
    {
        var r = Run("outbox", "list", "--json");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    private string[] Files(string id) => System.IO.Directory.GetFiles(Path.Combine(_data, "outbox"), id + ".*", SearchOption.AllDirectories);

    private string Events => File.Exists(Path.Combine(_data, "events.jsonl")) ? File.ReadAllText(Path.Combine(_data, "events.jsonl")) : "";

    [Fact]
    public async Task PurgeOfAQueuedItemIsRefusedWithoutIncludeQueued()
    {
        var item = await EnqueueAsync("queued-1@192.0.2.1");

        var refused = Run("outbox", "purge", "--id", item.Id);

        Assert.Equal(1, refused.Code);
        Assert.Contains("still queued", refused.Err);
        Assert.Contains("--include-queued", refused.Err);
        Assert.Equal(2, Files(item.Id).Length);
        Assert.Equal("Queued", Assert.Single(List()).GetProperty("state").GetString());
        Assert.DoesNotContain("\"id\":2027", Events);

        var purged = Run("outbox", "purge", "--id", item.Id, "--include-queued");

        Assert.True(purged.Code == 0, purged.Err);
        Assert.Contains("1 item(s) deleted", purged.Out);
        Assert.Empty(Files(item.Id));
        Assert.Empty(List());
        Assert.Contains("\"id\":2027", Events);
        Assert.Contains("queued included", Events);
    }

    [Fact]
    public async Task PurgeOfAllKeepsQueuedItemsAndSaysSo()
    {
        var queued = await EnqueueAsync("queued-2@192.0.2.1");
        var dead = await EnqueueAsync("dead-2@192.0.2.1");
        await Outbox.DeadLetterAsync(dead, "550 5.1.1 <user1000@example.test>: Recipient address rejected", CancellationToken.None);

        var r = Run("outbox", "purge");

        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("1 item(s) deleted", r.Out);
        Assert.Contains("1 queued item(s) kept", r.Out);
        Assert.Empty(Files(dead.Id));
        Assert.Equal(queued.Id, Assert.Single(List()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task DeadLetterIsListedWithItsReasonAndRetryQueuesItAgain()
    {
        var item = await EnqueueAsync("dead-1@192.0.2.1");
        await Outbox.DeadLetterAsync(item with { Attempts = 1 }, "554 5.7.1 <user1000@example.test>: Recipient address rejected: Access denied", CancellationToken.None);

        var listed = Assert.Single(List());
        Assert.Equal("Dead", listed.GetProperty("state").GetString());
        Assert.Contains("Recipient address rejected", listed.GetProperty("lastError").GetString());
        Assert.Equal(1, listed.GetProperty("attempts").GetInt32());

        var r = Run("outbox", "retry", "--id", item.Id);

        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("1 item(s) queued", r.Out);
        var requeued = Assert.Single(List());
        Assert.Equal("Queued", requeued.GetProperty("state").GetString());
        Assert.Equal(0, requeued.GetProperty("attempts").GetInt32());
        Assert.Contains("\"id\":2026", Events);
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(_data, "outbox", "dead")));
    }

    [Fact]
    public void RetryAndPurgeOfAnUnknownItemFail()
    {
        foreach (var args in new[] { new[] { "outbox", "retry", "--id", "0123" }, ["outbox", "purge", "--id", "0123"] })
        {
            var r = Run(args);
            Assert.Equal(1, r.Code);
            Assert.Contains("error: --id: no outbox item 0123", r.Err);
        }
    }
}
