using System.Globalization;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MimeKit;
using MimeKit.Utils;
using OpenUM.Directory;

namespace OpenUM.Delivery.Mailboxes.Imap;

/// <summary>
/// One user's voice messages in one IMAP folder over one authenticated session. Voice messages are the messages with an
/// <c>X-VoiceMessageDuration</c> header (the composer writes it, and Exchange UM's messages have it) or an
/// <c>X-OpenUM-Duration</c> one, found by <c>UID SEARCH HEADER field ""</c> (RFC 3501 §6.4.4: an empty string matches
/// every message with the field); other mail is never touched. Ids are "UIDVALIDITY-UID": stable while the message stays
/// in the folder, and unknown (never another message) once the server renumbers it. A session the server dropped is
/// opened again once per operation; a second failure throws <see cref="MessageStoreUnavailableException"/>.
/// </summary>
internal sealed class ImapMailbox(ImapMessageStore store, ImapSettings settings, string address) : IVoiceMailbox
{
    /// <summary>
    /// At most this many voice messages (the newest) are listed: a mailbox flooded with messages carrying the header
    /// cannot make one call fetch and hold an unbounded list.
    /// </summary>
    public const int MaxListed = 500;

    /// <summary>
    /// The largest audio part read (its encoded size): the WAV of the default 20-minute recording in base64 with its
    /// headers. A larger part is not played, so mail from anyone cannot make a call hold an unbounded buffer.
    /// </summary>
    public static readonly long MaxAudioOctets = UmServer.RecordingReserveBytes(TimeSpan.FromMinutes(20));

    private const string OutlookDurationHeader = "X-VoiceMessageDuration";
    private static readonly string[] Fields =
        ["Date", VoiceMessageComposer.CallerIdHeader, "X-VoiceMessageSenderName", VoiceMessageComposer.DurationHeader, OutlookDurationHeader];
    private static readonly FetchRequest ListRequest =
        new(MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.InternalDate, Fields);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private ImapClient? _client;
    private IMailFolder? _folder;
    private bool _disposed;

    /// <summary>The voice messages of the folder, whatever else it holds; messages marked \Deleted by a mail client are not ours to play.</summary>
    internal static SearchQuery VoiceMessages { get; } =
        SearchQuery.HeaderContains(OutlookDurationHeader, "").Or(SearchQuery.HeaderContains(VoiceMessageComposer.DurationHeader, "")).And(SearchQuery.NotDeleted);

    /// <summary>Opens the session and selects the folder (read-write); throws <see cref="MessageStoreUnavailableException"/>.</summary>
    internal async Task ConnectAsync(CancellationToken ct)
    {
        var client = await store.ConnectAsync(settings, address, ct).ConfigureAwait(false);
        try
        {
            var folder = string.Equals(settings.Folder, "INBOX", StringComparison.OrdinalIgnoreCase)
                ? client.Inbox
                : await client.GetFolderAsync(settings.Folder, ct).ConfigureAwait(false);
            await folder.OpenAsync(FolderAccess.ReadWrite, ct).ConfigureAwait(false);
            (_client, _folder) = (client, folder);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            client.Dispose();
            throw store.Failed(settings, address, ImapPhase.Open, e);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public ValueTask<IReadOnlyList<StoredMessage>> ListAsync(CancellationToken ct) => RunAsync<IReadOnlyList<StoredMessage>>(async (folder, ct) =>
    {
        var uids = await folder.SearchAsync(VoiceMessages, ct).ConfigureAwait(false);
        IList<UniqueId> newest = uids.Count > MaxListed ? [.. uids.OrderBy(u => u.Id).Skip(uids.Count - MaxListed)] : uids;
        if (newest.Count == 0) return [];
        var messages = (await folder.FetchAsync(newest, ListRequest, ct).ConfigureAwait(false)).Select(s => Describe(folder, s)).ToList();
        return [.. messages.Where(m => m.IsNew).OrderByDescending(m => m.ReceivedAt), .. messages.Where(m => !m.IsNew).OrderByDescending(m => m.ReceivedAt)];
    }, ct);

    public ValueTask<StoredMessage?> FindAsync(string id, CancellationToken ct) => RunAsync(async (folder, ct) =>
    {
        if (Uid(folder, id) is not { } uid) return null;
        var found = await folder.SearchAsync(SearchQuery.Uids([uid]).And(VoiceMessages), ct).ConfigureAwait(false);
        if (found.Count == 0) return null;
        var summary = (await folder.FetchAsync([uid], ListRequest, ct).ConfigureAwait(false)).FirstOrDefault();
        return summary is null ? null : Describe(folder, summary);
    }, ct);

    public ValueTask<byte[]?> ReadAudioAsync(StoredMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        return RunAsync<byte[]?>(async (folder, ct) =>
        {
            if (Uid(folder, message.Id) is not { } uid) return null;
            var summary = (await folder.FetchAsync([uid], MessageSummaryItems.UniqueId | MessageSummaryItems.BodyStructure, ct).ConfigureAwait(false)).FirstOrDefault();
            // The maildir store's rule: the first audio/wav, audio/x-wav or *.wav part.
            var part = summary?.BodyParts.FirstOrDefault(p =>
                p.ContentType.IsMimeType("audio", "wav") || p.ContentType.IsMimeType("audio", "x-wav")
                || (p.FileName?.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) ?? false));
            if (part is null || part.Octets > MaxAudioOctets) return null;
            if (await folder.GetBodyPartAsync(uid, part, ct).ConfigureAwait(false) is not MimePart { Content: { } content }) return null;
            using var audio = new MemoryStream();
            try
            {
                await content.DecodeToAsync(audio, ct).ConfigureAwait(false);
            }
            catch (FormatException)
            {
                return null;
            }
            return audio.ToArray();
        }, ct);
    }

    public ValueTask<StoredMessage> MarkHeardAsync(StoredMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.IsNew) return ValueTask.FromResult(message);
        return RunAsync(async (folder, ct) =>
        {
            if (Uid(folder, message.Id) is not { } uid) return message;
            // UID STORE +FLAGS.SILENT (\Seen): a message already gone is no error (nothing is stored).
            await folder.AddFlagsAsync(uid, MessageFlags.Seen, true, ct).ConfigureAwait(false);
            return message with { IsNew = false };
        }, ct);
    }

    public ValueTask<bool> DeleteAsync(StoredMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        return RunAsync(async (folder, ct) =>
        {
            if (Uid(folder, message.Id) is not { } uid) return false;
            if ((await folder.SearchAsync(SearchQuery.Uids([uid]), ct).ConfigureAwait(false)).Count == 0) return false;
            var capabilities = _client!.Capabilities;
            // Only UID EXPUNGE (RFC 4315) removes exactly this message; a plain EXPUNGE would also remove what other
            // clients marked \Deleted, so without UIDPLUS the message is moved to the trash instead.
            if (settings.DeleteAction == ImapDeleteAction.Expunge && capabilities.HasFlag(ImapCapabilities.UidPlus))
            {
                await folder.AddFlagsAsync(uid, MessageFlags.Deleted, true, ct).ConfigureAwait(false);
                await folder.ExpungeAsync([uid], ct).ConfigureAwait(false);
                return true;
            }
            var trash = await TrashAsync(_client, ct).ConfigureAwait(false);
            if (capabilities.HasFlag(ImapCapabilities.Move))
            {
                await folder.MoveToAsync([uid], trash, ct).ConfigureAwait(false);
                return true;
            }
            // No MOVE (RFC 6851): copy, mark, and remove exactly this one only when UID EXPUNGE exists; otherwise the
            // original stays marked \Deleted (left out of the list) for the user's client to expunge.
            await folder.CopyToAsync([uid], trash, ct).ConfigureAwait(false);
            await folder.AddFlagsAsync(uid, MessageFlags.Deleted, true, ct).ConfigureAwait(false);
            if (capabilities.HasFlag(ImapCapabilities.UidPlus)) await folder.ExpungeAsync([uid], ct).ConfigureAwait(false);
            return true;
        }, ct);
    }

    /// <summary>New (not \Seen) and old voice messages, by two searches on the server (nothing fetched).</summary>
    internal ValueTask<MessageCounts> CountAsync(CancellationToken ct) => RunAsync(async (folder, ct) =>
    {
        int all = await CountAsync(folder, VoiceMessages, ct).ConfigureAwait(false);
        int fresh = await CountAsync(folder, VoiceMessages.And(SearchQuery.NotSeen), ct).ConfigureAwait(false);
        return new MessageCounts(fresh, Math.Max(0, all - fresh));
    }, ct);

    private async Task<int> CountAsync(IMailFolder folder, SearchQuery query, CancellationToken ct) =>
        _client!.Capabilities.HasFlag(ImapCapabilities.ESearch)
            ? (await folder.SearchAsync(SearchOptions.Count, query, ct).ConfigureAwait(false)).Count
            : (await folder.SearchAsync(query, ct).ConfigureAwait(false)).Count;

    private async Task<IMailFolder> TrashAsync(ImapClient client, CancellationToken ct)
    {
        if (settings.TrashFolder.Length > 0)
        {
            try
            {
                return await client.GetFolderAsync(settings.TrashFolder, ct).ConfigureAwait(false);
            }
            catch (FolderNotFoundException e)
            {
                throw new ImapFailureException(new(ImapFailureScope.Command, $"mailbox {address} has no folder '{settings.TrashFolder}' (--imap-trash-folder)"), e);
            }
        }
        // RFC 6154 SPECIAL-USE: MailKit learns the \Trash folder at login.
        if ((client.Capabilities & (ImapCapabilities.SpecialUse | ImapCapabilities.XList)) != 0 && client.GetFolder(SpecialFolder.Trash) is { } trash)
            return trash;
        throw new ImapFailureException(new(ImapFailureScope.Command,
            $"mailbox {address} has no folder marked \\Trash: give --imap-trash-folder NAME, or --imap-delete-action Expunge"));
    }

    private StoredMessage Describe(IMailFolder folder, IMessageSummary summary)
    {
        var headers = summary.Headers ?? [];
        DateTimeOffset received = DateUtils.TryParse(headers[HeaderId.Date] ?? "", out var date) ? date : summary.InternalDate ?? DateTimeOffset.UnixEpoch;
        string? duration = headers[OutlookDurationHeader] ?? headers[VoiceMessageComposer.DurationHeader];
        int seconds = int.TryParse(duration?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int s) ? s : 0;
        bool seen = summary.Flags is { } flags && flags.HasFlag(MessageFlags.Seen);
        string uid = summary.UniqueId.Id.ToString(CultureInfo.InvariantCulture);
        return new StoredMessage($"{folder.UidValidity.ToString(CultureInfo.InvariantCulture)}-{uid}", !seen, received,
            (headers[VoiceMessageComposer.CallerIdHeader] ?? "").Trim(), headers["X-VoiceMessageSenderName"], TimeSpan.FromSeconds(seconds))
        {
            Location = uid,
        };
    }

    /// <summary>The UID an id names in the folder as it is now; null for an id of another UIDVALIDITY or no id of ours.</summary>
    internal static UniqueId? Uid(IMailFolder folder, string id)
    {
        int dash = id.IndexOf('-');
        if (dash <= 0
            || !uint.TryParse(id.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out uint validity)
            || !uint.TryParse(id.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out uint uid)
            || uid == 0 || validity != folder.UidValidity)
        {
            return null;
        }
        return new UniqueId(validity, uid);
    }

    /// <summary>Runs one operation on the session, opening it again once if the server dropped it; every failure is classified.</summary>
    private async ValueTask<T> RunAsync<T>(Func<IMailFolder, CancellationToken, Task<T>> operation, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (int attempt = 0; ; attempt++)
            {
                if (_client is not { IsConnected: true } || _folder is null)
                {
                    Drop();
                    await ConnectAsync(ct).ConfigureAwait(false);
                }
                try
                {
                    return await operation(_folder!, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (attempt == 0 && ImapConnector.IsConnectionLoss(e) && !ct.IsCancellationRequested)
                {
                    Drop(); // once: a session closed while the caller listened to a message
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    throw store.Failed(settings, address, ImapPhase.Command, e);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Drop()
    {
        _client?.Dispose();
        (_client, _folder) = (null, null);
    }

    /// <summary>Logs out (a courtesy, bounded by a short time-out) and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            if (_client is { IsConnected: true } client)
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await client.DisconnectAsync(quit: true, quick.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or ImapProtocolException or ImapCommandException or OperationCanceledException or ServiceNotConnectedException)
                {
                    // LOGOUT is a courtesy: every change was already acknowledged.
                }
            }
            Drop();
        }
        finally
        {
            _gate.Release();
        }
    }
}
