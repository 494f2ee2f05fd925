using System.Text;
using MimeKit;

namespace OpenUM.Delivery;

/// <summary>
/// DLV-3: delivers into a local maildir, <c>&lt;root&gt;/&lt;recipient lower-case&gt;/{tmp,new,cur}</c>, the
/// maildir way: write to tmp/, fsync, move to new/, fsync new/. A reader never sees a partial file,
/// and a message in new/ survives a crash.
/// </summary>
public sealed class MaildirSink : IVoiceMessageSink
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;
    private static long s_counter;
    /// <summary>Meter of delivery (shared with the SMTP outbox).</summary>
    private static readonly System.Diagnostics.Metrics.Meter s_meter = new(Smtp.OutboxWorker.MeterName);
    private static readonly System.Diagnostics.Metrics.Histogram<double> s_latency = s_meter.CreateHistogram<double>("openum.maildir.latency", "s",
        "End of the recording to the voice message in the recipient's maildir new/");

    private readonly string _senderAddress;
    private readonly TimeProvider _time;
    private readonly string _host = MaildirHostName(Environment.MachineName);

    /// <summary>Creates a sink writing under <paramref name="maildirRoot"/>, with messages from <paramref name="senderAddress"/>.</summary>
    public MaildirSink(string maildirRoot, string senderAddress = "voicemail@localhost", TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(maildirRoot);
        ArgumentException.ThrowIfNullOrEmpty(senderAddress);
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(maildirRoot));
        _senderAddress = senderAddress;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Full path of the maildir root.</summary>
    public string Root { get; }

    /// <summary>Told of every voice message this sink puts in a recipient's new/ (message-waiting indication listens).</summary>
    public Mailboxes.MaildirChangeFeed? Changes { get; init; }

    /// <summary>Writes the message and returns its final path in new/.</summary>
    public async Task<string> DeliverAsync(VoiceMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var folder = RecipientFolder(message.RecipientAddress);
        using var mime = VoiceMessageComposer.Compose(message, _senderAddress);
        var name = message.DeliveryKey is { } key ? KeyedName(message.ReceivedAt, key) : UniqueName();
        var path = await WriteAsync(folder, name, mime, overwrite: message.DeliveryKey is not null, ct).ConfigureAwait(false);
        // From the end of the recording (its start plus its length) to durable in new/.
        s_latency.Record(Math.Max(0, (_time.GetUtcNow() - message.ReceivedAt - message.Duration).TotalSeconds));
        // After the message is durable: a listener that counts at once finds it.
        Changes?.Changed(message.RecipientAddress);
        return path;
    }

    /// <summary>
    /// Writes a message the server wrote itself (a PIN reset notice) into <paramref name="recipientAddress"/>'s maildir,
    /// the same durable way; returns its path in new/. Voice mailbox readers skip it (it has no voice message headers).
    /// </summary>
    public Task<string> DeliverAsync(MimeMessage mime, string recipientAddress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mime);
        return WriteAsync(RecipientFolder(recipientAddress), UniqueName(), mime, overwrite: false, ct);
    }

    private async Task<string> WriteAsync(string folder, string name, MimeMessage mime, bool overwrite, CancellationToken ct)
    {
        var tmp = Path.Combine(folder, "tmp");
        var @new = Path.Combine(folder, "new");
        CreateDirectory(Root);
        CreateDirectory(folder);
        CreateDirectory(tmp);
        CreateDirectory(@new);
        CreateDirectory(Path.Combine(folder, "cur"));

        var tmpPath = Path.Combine(tmp, name);
        var newPath = Path.Combine(@new, name);
        var moved = false;
        try
        {
            // A keyed name is this message's own: a tmp/ file of that name is what a crash left of an earlier attempt.
            await using (var file = new FileStream(tmpPath, FileOptionsForNewFile(overwrite)))
            {
                await mime.WriteToAsync(file, ct).ConfigureAwait(false);
                await file.FlushAsync(ct).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            Checkpoint?.Invoke("maildir-tmp-written");
            ct.ThrowIfCancellationRequested();
            // Without overwrite .NET links then unlinks, as the maildir convention asks.
            File.Move(tmpPath, newPath, overwrite: false);
            moved = true;
            DirectorySync.Flush(@new);
            return newPath;
        }
        catch
        {
            TryDelete(tmpPath);
            if (moved)
            {
                // Not durable, so not delivered: the caller will retry, and must not find a duplicate.
                TryDelete(newPath);
            }

            throw;
        }
    }

    /// <summary>
    /// The recipient's folder; refuses addresses that could escape the root or confuse a maildir reader
    /// (separators, "..", a leading dot, whitespace, control characters).
    /// </summary>
    public string RecipientFolder(string recipientAddress)
    {
        if (string.IsNullOrEmpty(recipientAddress) || recipientAddress.Length > 254 || recipientAddress[0] == '.'
            || recipientAddress.Contains("..", StringComparison.Ordinal)
            || recipientAddress.Any(c => c is '/' or '\\' or ':' || char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException(
                $"recipient address '{Printable(recipientAddress)}' cannot name a maildir folder: it must not be empty, start with '.', or contain '/', '\\', ':', '..', spaces or control characters",
                nameof(recipientAddress));
        }

        var folder = Path.GetFullPath(Path.Combine(Root, recipientAddress.ToLowerInvariant()));
        if (!string.Equals(Path.GetDirectoryName(folder), Root, StringComparison.Ordinal))
        {
            throw new ArgumentException($"recipient address '{Printable(recipientAddress)}' leads outside the maildir", nameof(recipientAddress));
        }

        return folder;
    }

    /// <summary>
    /// The message's file in new/ or cur/ (where a reader may have moved it, with flags) when a delivery with its
    /// <see cref="VoiceMessage.DeliveryKey"/> completed; null otherwise.
    /// </summary>
    public Task<string?> FindDeliveredAsync(VoiceMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.DeliveryKey is not { } key) return Task.FromResult<string?>(null);
        string folder;
        try
        {
            folder = RecipientFolder(message.RecipientAddress);
        }
        catch (ArgumentException)
        {
            return Task.FromResult<string?>(null);
        }
        var name = KeyedName(message.ReceivedAt, key);
        var fresh = Path.Combine(folder, "new", name);
        if (File.Exists(fresh)) return Task.FromResult<string?>(fresh);
        var cur = Path.Combine(folder, "cur");
        if (!System.IO.Directory.Exists(cur)) return Task.FromResult<string?>(null);
        var seen = System.IO.Directory.EnumerateFiles(cur, name + "*")
            .FirstOrDefault(p => Path.GetFileName(p) is var f && (f.Length == name.Length || f[name.Length] == ':'));
        return Task.FromResult(seen);
    }

    /// <summary>Called after the message is written to tmp/ (tests take a copy of the disk there).</summary>
    internal Action<string>? Checkpoint { get; set; }

    // The same name for every attempt at one message, so that a second attempt after a crash finds the first. The
    // maildir convention only asks that names be unique, which the spool's id is; "V" marks a voice message's key.
    private string KeyedName(DateTimeOffset receivedAt, string key)
    {
        var clean = string.Concat(key.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
        return $"{receivedAt.ToUnixTimeSeconds()}.V{clean}.{_host}";
    }

    private string UniqueName()
    {
        var now = _time.GetUtcNow();
        var seconds = now.ToUnixTimeSeconds();
        var microseconds = now.Ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond;
        var counter = Interlocked.Increment(ref s_counter);
        return $"{seconds}.M{microseconds}P{Environment.ProcessId}Q{counter}.{_host}";
    }

    // Maildir names use '/' and ':' specially; the convention encodes them as \057 and \072.
    private static string MaildirHostName(string host)
    {
        var result = new StringBuilder(host.Length);
        foreach (var c in host)
        {
            result.Append(c switch
            {
                '/' => "\\057",
                ':' => "\\072",
                _ when char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' => c.ToString(),
                _ => "_",
            });
        }

        return result.Length > 0 ? result.ToString() : "localhost";
    }

    private static FileStreamOptions FileOptionsForNewFile(bool overwrite)
    {
        var options = new FileStreamOptions
        {
            Mode = overwrite ? FileMode.Create : FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        return options;
    }

    // Voice mail is private: folders this sink creates are owner-only.
    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(path);
        }
        else
        {
            System.IO.Directory.CreateDirectory(path, OwnerOnlyDirectory);
        }
    }

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

    private static string Printable(string? value) =>
        value is null ? "(null)" : string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
