namespace OpenUM.Delivery.Mailboxes;

/// <summary>
/// The voice messages kept in the local maildir (DLV-3, <c>maildir/&lt;address&gt;/{new,cur}</c>), whatever the
/// delivery setting: what the administrator's tools read. Calls read through <see cref="VoiceMessageStore"/>, which
/// knows that with a smart host the server keeps no copy. With <paramref name="changes"/>, messages heard or deleted
/// through it are reported there.
/// </summary>
public sealed class MaildirMessageStore(string maildirRoot, MaildirChangeFeed? changes = null) : IVoiceMessageStore
{
    private readonly MaildirSink _layout = new(maildirRoot);

    /// <summary>The mailbox of <paramref name="emailAddress"/>; an address that cannot name a maildir folder has an empty one.</summary>
    public ValueTask<IVoiceMailbox> OpenAsync(string emailAddress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(emailAddress);
        ct.ThrowIfCancellationRequested();
        // The sink's own rule: an address that cannot name a maildir folder names no mailbox either, so it holds nothing.
        try { return ValueTask.FromResult<IVoiceMailbox>(new MaildirMailbox(_layout.RecipientFolder(emailAddress), emailAddress, changes)); }
        catch (ArgumentException) { return ValueTask.FromResult(EmptyMailbox.Instance); }
    }

    /// <summary>The new (new/) and saved (cur/) voice messages of <paramref name="emailAddress"/>; none for an address without a folder.</summary>
    public async ValueTask<MessageCounts> CountAsync(string emailAddress, CancellationToken ct)
    {
        await using var box = await OpenAsync(emailAddress, ct).ConfigureAwait(false);
        return box is MaildirMailbox maildir ? maildir.Count() : default;
    }
}

/// <summary>A mailbox with no messages: SMTP delivery keeps no local copy, or the address names no maildir folder.</summary>
internal sealed class EmptyMailbox : IVoiceMailbox
{
    public static readonly IVoiceMailbox Instance = new EmptyMailbox();

    public ValueTask<IReadOnlyList<StoredMessage>> ListAsync(CancellationToken ct) => ValueTask.FromResult<IReadOnlyList<StoredMessage>>([]);
    public ValueTask<StoredMessage?> FindAsync(string id, CancellationToken ct) => ValueTask.FromResult<StoredMessage?>(null);
    public ValueTask<byte[]?> ReadAudioAsync(StoredMessage message, CancellationToken ct) => ValueTask.FromResult<byte[]?>(null);
    public ValueTask<StoredMessage> MarkHeardAsync(StoredMessage message, CancellationToken ct) => ValueTask.FromResult(message);
    public ValueTask<bool> DeleteAsync(StoredMessage message, CancellationToken ct) => ValueTask.FromResult(false);
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
