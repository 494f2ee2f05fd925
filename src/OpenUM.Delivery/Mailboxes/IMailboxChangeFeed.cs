namespace OpenUM.Delivery.Mailboxes;

/// <summary>Whether the message store answers: while it does not, nothing may be said about anyone's messages.</summary>
public enum MessageStoreState
{
    /// <summary>The store answers (or is the local maildir, which always does).</summary>
    Available,

    /// <summary>The store cannot be reached or refused the service login (event 2036).</summary>
    Unavailable,
}

/// <summary>
/// Tells message-waiting indication when a mailbox's voice messages may have changed — a deposit, heard or deleted by
/// phone, or changed outside OpenUM (another IMAP client) — and when the store as a whole goes away or comes back.
/// Changes only say "count again" (<see cref="IVoiceMessageStore.CountAsync"/>); they carry no counts, so a lost or
/// duplicated notice costs a recount, never a wrong lamp.
/// </summary>
public interface IMailboxChangeFeed
{
    /// <summary>The voice messages of this e-mail address may have changed: count them again.</summary>
    event Action<string>? MailboxChanged;

    /// <summary>The store became available or unavailable (one notice per transition; after Available every watched mailbox is worth a recount).</summary>
    event Action<MessageStoreState>? StateChanged;

    /// <summary>The store's state now.</summary>
    MessageStoreState State { get; }

    /// <summary>Keeps this address under watch (changes made outside OpenUM are noticed); idempotent, bounded by the store.</summary>
    void Watch(string emailAddress);

    /// <summary>Stops watching this address; idempotent.</summary>
    void Unwatch(string emailAddress);

    /// <summary>A voice message for this address was handed on (to the smart host): it will appear in the store soon.</summary>
    void DepositHint(string emailAddress);
}
