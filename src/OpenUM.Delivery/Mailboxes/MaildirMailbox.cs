using System.Globalization;
using MimeKit;
using MimeKit.Utils;

namespace OpenUM.Delivery.Mailboxes;

/// <summary>
/// One mailbox's maildir folder: lists new messages then saved ones, newest first, reads the WAV attachment, marks
/// heard messages (new/ → cur/ with the Seen flag) and deletes by moving into the Maildir++ folder <c>.Trash</c>, where
/// a mail client or the administrator can still recover them. Local files never make the store unavailable: a file
/// that cannot be read is left out, one that is gone is not an error. A message marked heard or deleted here is
/// reported to <paramref name="changes"/> under <paramref name="address"/>.
/// </summary>
internal sealed class MaildirMailbox(string folder, string address = "", MaildirChangeFeed? changes = null) : IVoiceMailbox
{
    /// <summary>The mailbox's maildir folder.</summary>
    public string Folder => folder;

    /// <summary>Nothing to end: every operation opens and closes its own files.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The new and saved messages as listed.</summary>
    internal MessageCounts Count() => MessageCounts.Of(List());

    public ValueTask<IReadOnlyList<StoredMessage>> ListAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return ValueTask.FromResult(List());
    }

    public ValueTask<StoredMessage?> FindAsync(string id, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return ValueTask.FromResult(List().FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal)));
    }

    public ValueTask<byte[]?> ReadAudioAsync(StoredMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        ct.ThrowIfCancellationRequested();
        try
        {
            using var mime = MimeMessage.Load(message.Location, ct);
            var part = mime.BodyParts.OfType<MimePart>().FirstOrDefault(p =>
                p.ContentType.IsMimeType("audio", "wav") || p.ContentType.IsMimeType("audio", "x-wav")
                || (p.FileName?.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) ?? false));
            if (part?.Content is null) return ValueTask.FromResult<byte[]?>(null);
            using var audio = new MemoryStream();
            part.Content.DecodeTo(audio, ct);
            return ValueTask.FromResult<byte[]?>(audio.ToArray());
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidDataException or UnauthorizedAccessException)
        {
            return ValueTask.FromResult<byte[]?>(null);
        }
    }

    public ValueTask<StoredMessage> MarkHeardAsync(StoredMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.IsNew) return ValueTask.FromResult(message);
        string target = Path.Combine(folder, "cur", message.Id + ":2,S");
        try
        {
            System.IO.Directory.CreateDirectory(Path.Combine(folder, "cur"));
            // A rename: atomic; after a crash it may be undone, and the message is merely new again.
            File.Move(message.Location, target, overwrite: false);
            Changed();
            return ValueTask.FromResult(message with { IsNew = false, Location = target });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ValueTask.FromResult(message); // read by a mail client meanwhile, or already moved: nothing to do
        }
    }

    public ValueTask<bool> DeleteAsync(StoredMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        string trash = Path.Combine(folder, ".Trash");
        foreach (var sub in new[] { "tmp", "new", "cur" })
            System.IO.Directory.CreateDirectory(Path.Combine(trash, sub));
        string target = Path.Combine(trash, "cur", message.Id + ":2,ST"); // Seen + Trashed
        try
        {
            File.Move(message.Location, target, overwrite: false);
            Changed();
            return ValueTask.FromResult(true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ValueTask.FromResult(false);
        }
    }

    private void Changed()
    {
        if (address.Length > 0) changes?.Changed(address);
    }

    private IReadOnlyList<StoredMessage> List()
    {
        var fresh = Read("new", isNew: true);
        var saved = Read("cur", isNew: false);
        return [.. fresh.OrderByDescending(m => m.ReceivedAt), .. saved.OrderByDescending(m => m.ReceivedAt)];
    }

    private List<StoredMessage> Read(string sub, bool isNew)
    {
        var list = new List<StoredMessage>();
        string dir = Path.Combine(folder, sub);
        if (!System.IO.Directory.Exists(dir)) return list;
        foreach (var path in System.IO.Directory.EnumerateFiles(dir))
        {
            string name = Path.GetFileName(path);
            if (name.StartsWith('.')) continue;
            int colon = name.IndexOf(':');
            string id = colon >= 0 ? name[..colon] : name;
            if (ReadHeaders(path) is not { } headers) continue;
            // Only voice messages (the composer always writes their Call-ID): a PIN reset notice shares the maildir.
            if (headers[VoiceMessageComposer.CallIdHeader] is null) continue;
            DateTimeOffset received = DateUtils.TryParse(headers[HeaderId.Date] ?? "", out var date) ? date : File.GetLastWriteTimeUtc(path);
            string callerId = headers[VoiceMessageComposer.CallerIdHeader] ?? "";
            string? callerName = headers["X-VoiceMessageSenderName"];
            int seconds = int.TryParse(headers[VoiceMessageComposer.DurationHeader], NumberStyles.None, CultureInfo.InvariantCulture, out int s) ? s : 0;
            list.Add(new StoredMessage(id, isNew, received, callerId.Trim(), callerName, TimeSpan.FromSeconds(seconds)) { Location = path });
        }
        return list;
    }

    private static HeaderList? ReadHeaders(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return HeaderList.Load(stream);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
