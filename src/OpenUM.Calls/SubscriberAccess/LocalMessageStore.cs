using System.Globalization;
using MimeKit;
using MimeKit.Utils;
using OpenUM.Delivery;
using OpenUM.Media;

namespace OpenUM.Calls;

/// <summary>A voice message in a local maildir; <see cref="Id"/> is its maildir unique name (without the ":2," flags).</summary>
public sealed record StoredMessage(string Id, bool IsNew, DateTimeOffset ReceivedAt, string CallerId, string? CallerName,
    TimeSpan Duration, string Path);

/// <summary>
/// The local message store of one mailbox (DLV-3's maildir, <c>maildir/&lt;address&gt;/{new,cur}</c>): lists new
/// messages then saved ones, newest first, reads the WAV attachment, marks heard messages (new/ → cur/ with
/// the Seen flag) and deletes by moving into the Maildir++ folder <c>.Trash</c>, where a mail client or
/// the administrator can still recover them. With SMTP delivery configured the server keeps no copy, so
/// the store is empty.
/// </summary>
public sealed class LocalMessageStore
{
    private readonly string _folder;

    /// <summary>The store of <paramref name="emailAddress"/> under the maildir root <paramref name="maildirRoot"/>.</summary>
    public LocalMessageStore(string maildirRoot, string emailAddress)
    {
        // The sink's own rule: an address that cannot name a maildir folder names no store either.
        _folder = new MaildirSink(maildirRoot).RecipientFolder(emailAddress);
    }

    /// <summary>The mailbox's maildir folder.</summary>
    public string Folder => _folder;

    /// <summary>New messages (newest first), then saved ones (newest first); unreadable files are skipped.</summary>
    public IReadOnlyList<StoredMessage> List()
    {
        var fresh = Read("new", isNew: true);
        var saved = Read("cur", isNew: false);
        return [.. fresh.OrderByDescending(m => m.ReceivedAt), .. saved.OrderByDescending(m => m.ReceivedAt)];
    }

    /// <summary>The message with this id, or null.</summary>
    public StoredMessage? Find(string id) => List().FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal));

    /// <summary>The message's audio: its first audio/wav (or *.wav) attachment, or null when it has none that plays.</summary>
    public static AudioClip? LoadAudio(StoredMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            using var mime = MimeMessage.Load(message.Path);
            var part = mime.BodyParts.OfType<MimePart>().FirstOrDefault(p =>
                p.ContentType.IsMimeType("audio", "wav") || p.ContentType.IsMimeType("audio", "x-wav")
                || (p.FileName?.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) ?? false));
            if (part?.Content is null) return null;
            using var audio = new MemoryStream();
            part.Content.DecodeTo(audio);
            audio.Position = 0;
            return AudioClip.FromWav(audio);
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Moves a new message to cur/ with the Seen flag; returns it as it is now (unchanged when already saved or gone).</summary>
    public StoredMessage MarkHeard(StoredMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.IsNew) return message;
        string target = System.IO.Path.Combine(_folder, "cur", message.Id + ":2,S");
        try
        {
            System.IO.Directory.CreateDirectory(System.IO.Path.Combine(_folder, "cur"));
            // A rename: atomic; after a crash it may be undone, and the message is merely new again.
            File.Move(message.Path, target, overwrite: false);
            return message with { IsNew = false, Path = target };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return message; // read by a mail client meanwhile, or already moved: nothing to do
        }
    }

    /// <summary>Moves the message into the maildir's .Trash folder; false when it was already gone.</summary>
    public bool Delete(StoredMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        string trash = System.IO.Path.Combine(_folder, ".Trash");
        foreach (var sub in new[] { "tmp", "new", "cur" })
            System.IO.Directory.CreateDirectory(System.IO.Path.Combine(trash, sub));
        string target = System.IO.Path.Combine(trash, "cur", message.Id + ":2,ST"); // Seen + Trashed
        try
        {
            File.Move(message.Path, target, overwrite: false);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private List<StoredMessage> Read(string sub, bool isNew)
    {
        var list = new List<StoredMessage>();
        string dir = System.IO.Path.Combine(_folder, sub);
        if (!System.IO.Directory.Exists(dir)) return list;
        foreach (var path in System.IO.Directory.EnumerateFiles(dir))
        {
            string name = System.IO.Path.GetFileName(path);
            if (name.StartsWith('.')) continue;
            int colon = name.IndexOf(':');
            string id = colon >= 0 ? name[..colon] : name;
            if (ReadHeaders(path) is not { } headers) continue;
            DateTimeOffset received = DateUtils.TryParse(headers[HeaderId.Date] ?? "", out var date) ? date : File.GetLastWriteTimeUtc(path);
            string callerId = headers[VoiceMessageComposer.CallerIdHeader] ?? "";
            string? callerName = headers["X-VoiceMessageSenderName"];
            int seconds = int.TryParse(headers[VoiceMessageComposer.DurationHeader], NumberStyles.None, CultureInfo.InvariantCulture, out int s) ? s : 0;
            list.Add(new StoredMessage(id, isNew, received, callerId.Trim(), callerName, TimeSpan.FromSeconds(seconds), path));
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
