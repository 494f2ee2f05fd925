namespace OpenUM.Delivery.Mailboxes;

/// <summary>
/// Where the voice messages of mailboxes are read (subscriber access, Play on Phone): opens one mailbox at a time. The
/// local maildir is one implementation; a store on an IMAP server is another, so every operation is asynchronous and
/// may throw <see cref="MessageStoreUnavailableException"/>, which is never the same as an empty mailbox.
/// </summary>
public interface IVoiceMessageStore
{
    /// <summary>
    /// The mailbox of <paramref name="emailAddress"/>; a mailbox the store holds nothing for is empty, not an error.
    /// Throws <see cref="MessageStoreUnavailableException"/> when the store cannot be reached.
    /// </summary>
    ValueTask<IVoiceMailbox> OpenAsync(string emailAddress, CancellationToken ct);

    /// <summary>
    /// How many voice messages of <paramref name="emailAddress"/> are new (unheard) and old (heard), as
    /// <see cref="IVoiceMailbox.ListAsync"/> would list them; throws <see cref="MessageStoreUnavailableException"/> like it.
    /// </summary>
    ValueTask<MessageCounts> CountAsync(string emailAddress, CancellationToken ct);
}

/// <summary>
/// The voice messages of one mailbox: list, read, mark heard, delete. Any member may throw
/// <see cref="MessageStoreUnavailableException"/> when the store cannot be reached; a message that is gone meanwhile
/// (deleted by a mail client) is not an error. Disposing it ends the session it holds with the store (an IMAP
/// connection); open it with <c>await using</c>.
/// </summary>
public interface IVoiceMailbox : IAsyncDisposable
{
    /// <summary>New messages (newest first), then saved ones (newest first); messages that cannot be read are left out.</summary>
    ValueTask<IReadOnlyList<StoredMessage>> ListAsync(CancellationToken ct);

    /// <summary>The message with this id, or null.</summary>
    ValueTask<StoredMessage?> FindAsync(string id, CancellationToken ct);

    /// <summary>The bytes of the message's WAV attachment (its first audio/wav or *.wav part), or null when it has none that can be read.</summary>
    ValueTask<byte[]?> ReadAudioAsync(StoredMessage message, CancellationToken ct);

    /// <summary>Marks a new message heard (saved, Seen); returns it as it is now (unchanged when already saved or gone).</summary>
    ValueTask<StoredMessage> MarkHeardAsync(StoredMessage message, CancellationToken ct);

    /// <summary>Deletes the message as the store is set to (the local maildir and, by default, IMAP: moved to the trash, where it can still be recovered); false when it was already gone.</summary>
    ValueTask<bool> DeleteAsync(StoredMessage message, CancellationToken ct);
}
