using OpenUM.Delivery.Mailboxes.Imap;
using OpenUM.Delivery.Smtp;

namespace OpenUM.Delivery.Mailboxes;

/// <summary>
/// The change feed of the store <see cref="VoiceMessageStore"/> reads, by the same rule at each use: with an IMAP store
/// configured its feed (pushes, resync, outages); otherwise with a smart host none at all (the messages went by SMTP and
/// the server can see nothing of them: always <see cref="MessageStoreState.Available"/>, nothing is ever raised);
/// otherwise the local maildir's. Notices of a feed that is not the selected one are dropped.
/// </summary>
public sealed class MailboxChangeFeed : IMailboxChangeFeed
{
    private readonly Func<ImapSettings?> _imapSettings;
    private readonly IMailboxChangeFeed? _imap;
    private readonly Func<SmartHostSettings?> _smartHost;
    private readonly IMailboxChangeFeed _local;
    // Smart host without IMAP: a maildir feed no sink or store reports to is exactly "always available, nothing ever
    // changes", so it serves as the empty feed. One per instance, so nothing a caller hangs on it outlives this feed.
    private readonly MaildirChangeFeed _none = new();

    /// <summary>The feed over <paramref name="local"/> (the maildir's), without IMAP.</summary>
    public MailboxChangeFeed(Func<SmartHostSettings?> smartHost, IMailboxChangeFeed local) : this(() => null, null, smartHost, local) { }

    /// <summary>The feed of <paramref name="imap"/> whenever <paramref name="imapSettings"/> gives settings, else as without IMAP.</summary>
    public MailboxChangeFeed(Func<ImapSettings?> imapSettings, IMailboxChangeFeed? imap, Func<SmartHostSettings?> smartHost, IMailboxChangeFeed local)
    {
        ArgumentNullException.ThrowIfNull(imapSettings);
        ArgumentNullException.ThrowIfNull(smartHost);
        ArgumentNullException.ThrowIfNull(local);
        (_imapSettings, _imap, _smartHost, _local) = (imapSettings, imap, smartHost, local);
        local.MailboxChanged += address => { if (ReferenceEquals(Selected, local)) Listeners.Raise(MailboxChanged, address); };
        if (imap is null) return;
        imap.MailboxChanged += address => { if (ReferenceEquals(Selected, imap)) Listeners.Raise(MailboxChanged, address); };
        imap.StateChanged += state => { if (ReferenceEquals(Selected, imap)) Listeners.Raise(StateChanged, state); };
    }

    /// <inheritdoc />
    public event Action<string>? MailboxChanged;

    /// <inheritdoc />
    public event Action<MessageStoreState>? StateChanged;

    /// <summary>The feed the current settings select: IMAP host set → IMAP; else smart host → none; else the maildir.</summary>
    public IMailboxChangeFeed Selected =>
        _imap is not null && _imapSettings() is not null ? _imap
        : VoiceMessageRouter.KeepsLocalCopies(_smartHost()) ? _local
        : _none;

    /// <inheritdoc />
    public MessageStoreState State => Selected.State;

    /// <inheritdoc />
    /// <remarks>Given to every feed: the IMAP feed keeps the list while no IMAP store is configured, ready when one is.</remarks>
    public void Watch(string emailAddress)
    {
        _imap?.Watch(emailAddress);
        _local.Watch(emailAddress);
    }

    /// <inheritdoc />
    public void Unwatch(string emailAddress)
    {
        _imap?.Unwatch(emailAddress);
        _local.Unwatch(emailAddress);
    }

    /// <inheritdoc />
    public void DepositHint(string emailAddress) => Selected.DepositHint(emailAddress);
}
