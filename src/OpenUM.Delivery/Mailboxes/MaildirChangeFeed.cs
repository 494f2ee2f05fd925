namespace OpenUM.Delivery.Mailboxes;

/// <summary>
/// The changes of the local maildir as this process makes them: a voice message deposited by <see cref="MaildirSink"/>,
/// heard or deleted through <see cref="MaildirMessageStore"/>. The maildir is always there, so the state is always
/// <see cref="MessageStoreState.Available"/> and there is nothing to watch. Changes made by another process (the
/// <c>openum mailbox play-on-phone</c> command, a mail client reading the folder) are not seen here.
/// </summary>
public sealed class MaildirChangeFeed : IMailboxChangeFeed
{
    /// <inheritdoc />
    public event Action<string>? MailboxChanged;

    /// <inheritdoc />
    /// <remarks>Never raised: the local maildir does not go away.</remarks>
    public event Action<MessageStoreState>? StateChanged
    {
        add { }
        remove { }
    }

    /// <inheritdoc />
    public MessageStoreState State => MessageStoreState.Available;

    /// <inheritdoc />
    /// <remarks>Nothing to do: every change this process makes is reported as it is made.</remarks>
    public void Watch(string emailAddress) => ArgumentException.ThrowIfNullOrEmpty(emailAddress);

    /// <inheritdoc />
    public void Unwatch(string emailAddress) => ArgumentException.ThrowIfNullOrEmpty(emailAddress);

    /// <inheritdoc />
    /// <remarks>Nothing to do: the sink reports the deposit itself once the message is in new/.</remarks>
    public void DepositHint(string emailAddress) => ArgumentException.ThrowIfNullOrEmpty(emailAddress);

    /// <summary>Reports that the voice messages of <paramref name="emailAddress"/> changed.</summary>
    internal void Changed(string emailAddress) => Listeners.Raise(MailboxChanged, emailAddress);
}
