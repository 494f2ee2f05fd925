using System.Text.Json;
using MimeKit;

namespace OpenUM.Delivery.Smtp;

/// <summary>
/// DLV-2 durable outbox on disk: <c>queue/&lt;id&gt;.eml</c> (the MIME message, written once) and
/// <c>queue/&lt;id&gt;.json</c> (envelope and state). Each file is written in <c>tmp/</c>, fsync'd and renamed into
/// place, then the folder is fsync'd: the JSON appears last, so an item exists exactly when its JSON does.
/// Delivered items are recorded by moving their JSON to <c>sent/</c> before anything is deleted; items that
/// can never be delivered move to <c>dead/</c>. Every method is safe against a crash at any point; the only
/// window that can cause a second submission is between the smart host's 250 and <see cref="RecordDelivered"/>.
/// </summary>
public sealed class SmtpOutbox
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly TimeProvider _time;

    /// <summary>Uses <paramref name="root"/> (created owner-only); the server then calls <see cref="Recover"/> once.</summary>
    public SmtpOutbox(string root, TimeProvider? time = null)
    {
        Root = Path.GetFullPath(root);
        _time = time ?? TimeProvider.System;
        foreach (var d in new[] { Root, QueuePath, DeadPath, SentPath, TmpPath }) System.IO.Directory.CreateDirectory(d, OwnerOnlyDirectory);
    }

    /// <summary>The outbox folder.</summary>
    public string Root { get; }
    /// <summary>Items waiting for submission.</summary>
    public string QueuePath => Path.Combine(Root, "queue");
    /// <summary>Dead letters.</summary>
    public string DeadPath => Path.Combine(Root, "dead");
    private string SentPath => Path.Combine(Root, "sent");
    private string TmpPath => Path.Combine(Root, "tmp");

    /// <summary>Composes the message and stores it durably; when this returns, the message survives a crash.</summary>
    public async Task<OutboxItem> EnqueueAsync(VoiceMessage message, string senderAddress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var mime = VoiceMessageComposer.Compose(message, senderAddress);
        var now = _time.GetUtcNow();
        return await EnqueueAsync(mime, new OutboxItem
        {
            Id = NewId(now),
            MessageId = mime.MessageId ?? "",
            Sender = senderAddress,
            Recipient = message.RecipientAddress,
            CallId = message.CallId,
            Extension = message.CalledExtension,
            CallerId = message.CallerId,
            DeliveryKey = message.DeliveryKey,
            QueuedAt = now,
            NextAttemptAt = now,
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores a message the server wrote itself (a PIN reset notice) durably for <paramref name="recipientAddress"/>, about
    /// the mailbox at <paramref name="extension"/>; submitted like a voice message.
    /// </summary>
    public Task<OutboxItem> EnqueueAsync(MimeMessage mime, string senderAddress, string recipientAddress, string extension, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mime);
        ArgumentException.ThrowIfNullOrEmpty(senderAddress);
        ArgumentException.ThrowIfNullOrEmpty(recipientAddress);
        var now = _time.GetUtcNow();
        return EnqueueAsync(mime, new OutboxItem
        {
            Id = NewId(now),
            MessageId = mime.MessageId ?? "",
            Sender = senderAddress,
            Recipient = recipientAddress,
            Extension = extension ?? "",
            QueuedAt = now,
            NextAttemptAt = now,
        }, ct);
    }

    private async Task<OutboxItem> EnqueueAsync(MimeMessage mime, OutboxItem item, CancellationToken ct)
    {
        string eml = EmlPath(QueuePath, item.Id);
        await WriteDurablyAsync(eml, stream => mime.WriteToAsync(stream, ct), ct).ConfigureAwait(false);
        try
        {
            await WriteStateAsync(QueuePath, item, ct).ConfigureAwait(false);
        }
        catch
        {
            TryDelete(eml);
            throw;
        }
        DirectorySync.Flush(QueuePath);
        return item;
    }

    /// <summary>
    /// The queued or dead item enqueued for the voice message with this <see cref="VoiceMessage.DeliveryKey"/>, or null
    /// (never enqueued, or already submitted and removed). Reads every item: for the spool's check after a restart.
    /// </summary>
    public OutboxItem? FindByDeliveryKey(string deliveryKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(deliveryKey);
        return List().Select(e => e.Item).FirstOrDefault(i => string.Equals(i.DeliveryKey, deliveryKey, StringComparison.Ordinal));
    }

    /// <summary>The queued items (those whose JSON is readable), oldest first.</summary>
    public IReadOnlyList<OutboxItem> Queued() => Read(QueuePath).Select(e => e.Item).ToList();

    /// <summary>Queued and dead items, oldest first.</summary>
    public IReadOnlyList<OutboxEntry> List() =>
        [.. Read(QueuePath).Select(e => e with { Folder = OutboxFolder.Queued }), .. Read(DeadPath).Select(e => e with { Folder = OutboxFolder.Dead })];

    /// <summary>Opens the MIME message of a queued item; null when the item is gone (purged meanwhile).</summary>
    public async Task<MimeMessage?> LoadMessageAsync(OutboxItem item, CancellationToken ct)
    {
        try
        {
            // Read whole (a voice message is a few MB at most) so no file handle outlives the send or a parse error.
            await using var stream = File.OpenRead(EmlPath(QueuePath, item.Id));
            return await MimeMessage.LoadAsync(stream, ct).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Rewrites a queued item's state (after a failed attempt); false when the item is no longer queued.</summary>
    public async Task<bool> UpdateAsync(OutboxItem item, CancellationToken ct)
    {
        if (!File.Exists(JsonPath(QueuePath, item.Id))) return false;
        await WriteStateAsync(QueuePath, item, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Records that the smart host accepted the item, then removes it. The record (JSON renamed into sent/, both
    /// folders fsync'd) comes first, so a crash after it never submits the item again.
    /// </summary>
    public void RecordDelivered(OutboxItem item)
    {
        string json = JsonPath(QueuePath, item.Id);
        string sent = JsonPath(SentPath, item.Id);
        try
        {
            File.Move(json, sent, overwrite: true);
        }
        catch (FileNotFoundException)
        {
            // Purged while it was being sent: it was delivered anyway; only the MIME file is left to remove.
        }
        DirectorySync.Flush(SentPath);
        DirectorySync.Flush(QueuePath);
        TryDelete(EmlPath(QueuePath, item.Id));
        TryDelete(sent);
    }

    /// <summary>Moves a queued item to dead/ with the reason; it stays there until retried or purged.</summary>
    public async Task DeadLetterAsync(OutboxItem item, string reason, CancellationToken ct)
    {
        var dead = item with { LastError = reason, DeadAt = _time.GetUtcNow() };
        // MIME first: a crash in between leaves a dead MIME file without JSON, which Recover moves back.
        if (File.Exists(EmlPath(QueuePath, item.Id))) File.Move(EmlPath(QueuePath, item.Id), EmlPath(DeadPath, item.Id), overwrite: true);
        DirectorySync.Flush(DeadPath);
        await WriteStateAsync(DeadPath, dead, ct).ConfigureAwait(false);
        DirectorySync.Flush(DeadPath);
        TryDelete(JsonPath(QueuePath, item.Id));
        DirectorySync.Flush(QueuePath);
    }

    /// <summary>Makes items due now: dead letters go back to the queue; <paramref name="id"/> null = all. Returns how many.</summary>
    public async Task<int> RetryAsync(string? id, CancellationToken ct)
    {
        int count = 0;
        var now = _time.GetUtcNow();
        foreach (var entry in List().Where(e => id is null || e.Item.Id == id))
        {
            var item = entry.Item with { NextAttemptAt = now, DeadAt = null, Attempts = entry.Folder == OutboxFolder.Dead ? 0 : entry.Item.Attempts };
            if (entry.Folder == OutboxFolder.Dead)
            {
                if (!File.Exists(EmlPath(DeadPath, item.Id))) continue;
                // The queued JSON first, then the dead JSON goes, then the MIME file moves: a crash at any point leaves
                // either a dead item or a dead MIME file without JSON beside a queued JSON, which Recover moves back.
                // (MIME first would leave a queued MIME file without JSON, which Recover deletes: the message lost.)
                await WriteStateAsync(QueuePath, item with { QueuedAt = now }, ct).ConfigureAwait(false);
                DirectorySync.Flush(QueuePath);
                TryDelete(JsonPath(DeadPath, item.Id));
                DirectorySync.Flush(DeadPath);
                File.Move(EmlPath(DeadPath, item.Id), EmlPath(QueuePath, item.Id), overwrite: true);
                DirectorySync.Flush(QueuePath);
            }
            else
            {
                await WriteStateAsync(QueuePath, item, ct).ConfigureAwait(false);
            }
            count++;
        }
        return count;
    }

    /// <summary>Deletes dead letters (and queued items too with <paramref name="includeQueued"/>); <paramref name="id"/> null = all.</summary>
    public int Purge(string? id, bool includeQueued)
    {
        int count = 0;
        foreach (var entry in List().Where(e => (id is null || e.Item.Id == id) && (includeQueued || e.Folder == OutboxFolder.Dead)))
        {
            string folder = entry.Folder == OutboxFolder.Dead ? DeadPath : QueuePath;
            TryDelete(JsonPath(folder, entry.Item.Id));
            TryDelete(EmlPath(folder, entry.Item.Id));
            count++;
        }
        // A purge reported as done must not come back after a power loss.
        DirectorySync.Flush(QueuePath);
        DirectorySync.Flush(DeadPath);
        return count;
    }

    /// <summary>
    /// Finishes interrupted operations: a delivered record in sent/ removes what is left of its item; a MIME file
    /// without JSON in queue/ is a message whose enqueue never completed (the call spool still holds it) and is
    /// removed; a dead MIME file without JSON goes back to the queue; a queued JSON without MIME file (a retry
    /// interrupted early) is removed; stray temporary files are deleted.
    /// Only the process that enqueues may call it, before it enqueues: for anyone else (the CLI) an enqueue in
    /// progress looks exactly like an interrupted one.
    /// </summary>
    public void Recover()
    {
        foreach (var tmp in System.IO.Directory.EnumerateFiles(TmpPath)) TryDelete(tmp);
        foreach (var sent in System.IO.Directory.EnumerateFiles(SentPath, "*.json"))
        {
            string id = Path.GetFileNameWithoutExtension(sent);
            TryDelete(JsonPath(QueuePath, id));
            TryDelete(EmlPath(QueuePath, id));
            TryDelete(sent);
        }
        foreach (var eml in System.IO.Directory.EnumerateFiles(DeadPath, "*.eml"))
        {
            string id = Path.GetFileNameWithoutExtension(eml);
            if (File.Exists(JsonPath(DeadPath, id))) continue;
            if (File.Exists(JsonPath(QueuePath, id))) File.Move(eml, EmlPath(QueuePath, id), overwrite: true);
            else TryDelete(eml);
        }
        foreach (var json in System.IO.Directory.EnumerateFiles(QueuePath, "*.json"))
        {
            // A retry interrupted before its MIME file moved: the item is still a whole dead letter (or was purged).
            if (!File.Exists(EmlPath(QueuePath, Path.GetFileNameWithoutExtension(json)))) TryDelete(json);
        }
        foreach (var eml in System.IO.Directory.EnumerateFiles(QueuePath, "*.eml"))
        {
            if (!File.Exists(JsonPath(QueuePath, Path.GetFileNameWithoutExtension(eml)))) TryDelete(eml);
        }
        DirectorySync.Flush(QueuePath);
        DirectorySync.Flush(DeadPath);
    }

    private IEnumerable<OutboxEntry> Read(string folder)
    {
        var entries = new List<OutboxEntry>();
        foreach (var json in System.IO.Directory.EnumerateFiles(folder, "*.json"))
        {
            try
            {
                var item = JsonSerializer.Deserialize<OutboxItem>(File.ReadAllBytes(json), Json);
                var eml = new FileInfo(EmlPath(folder, Path.GetFileNameWithoutExtension(json)));
                if (item is not null && eml.Exists) entries.Add(new OutboxEntry(item, OutboxFolder.Queued, eml.Length));
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                // Removed or rewritten while listing (the worker and the CLI share the folder): skip it this time.
            }
        }
        return entries.OrderBy(e => e.Item.QueuedAt).ThenBy(e => e.Item.Id, StringComparer.Ordinal);
    }

    private Task WriteStateAsync(string folder, OutboxItem item, CancellationToken ct) =>
        WriteDurablyAsync(JsonPath(folder, item.Id), stream => JsonSerializer.SerializeAsync(stream, item, Json, ct), ct);

    /// <summary>tmp/ file, fsync, atomic rename over <paramref name="path"/>.</summary>
    private async Task WriteDurablyAsync(string path, Func<Stream, Task> write, CancellationToken ct)
    {
        string tmp = Path.Combine(TmpPath, Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(tmp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None,
                Options = FileOptions.Asynchronous, UnixCreateMode = OwnerOnlyFile,
            }))
            {
                await write(file).ConfigureAwait(false);
                await file.FlushAsync(ct).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    // Version 7 GUIDs sort by creation time, so file names list in queue order.
    private static string NewId(DateTimeOffset now) => Guid.CreateVersion7(now).ToString("N");

    private static string EmlPath(string folder, string id) => Path.Combine(folder, id + ".eml");
    private static string JsonPath(string folder, string id) => Path.Combine(folder, id + ".json");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
