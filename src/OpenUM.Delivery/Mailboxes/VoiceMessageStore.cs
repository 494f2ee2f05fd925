using OpenUM.Delivery.Mailboxes.Imap;
using OpenUM.Delivery.Smtp;

namespace OpenUM.Delivery.Mailboxes;

/// <summary>
/// The messages a subscriber can reach, chosen from the server's settings at each opening: with an IMAP store
/// configured, the users' real mailboxes there; otherwise where <see cref="VoiceMessageRouter"/> delivers, from the same
/// smart host setting: with a smart host the messages went by SMTP (DLV-2) and the server kept no copy, so every
/// mailbox is empty; without one they are in the local maildir (DLV-3). Calls read only through this; they never decide.
/// </summary>
public sealed class VoiceMessageStore : IVoiceMessageStore
{
    private readonly Func<ImapSettings?> _imapSettings;
    private readonly IVoiceMessageStore? _imap;
    private readonly Func<SmartHostSettings?> _smartHost;
    private readonly IVoiceMessageStore _local;

    /// <summary>The store over the local maildir at <paramref name="maildirRoot"/>, without IMAP.</summary>
    public VoiceMessageStore(Func<SmartHostSettings?> smartHost, string maildirRoot) : this(smartHost, new MaildirMessageStore(maildirRoot)) { }

    /// <summary>The store over <paramref name="local"/>, without IMAP.</summary>
    public VoiceMessageStore(Func<SmartHostSettings?> smartHost, IVoiceMessageStore local) : this(() => null, null, smartHost, local) { }

    /// <summary>The store that reads <paramref name="imap"/> whenever <paramref name="imapSettings"/> gives settings, else as without IMAP.</summary>
    public VoiceMessageStore(Func<ImapSettings?> imapSettings, IVoiceMessageStore? imap, Func<SmartHostSettings?> smartHost, IVoiceMessageStore local)
    {
        ArgumentNullException.ThrowIfNull(imapSettings);
        ArgumentNullException.ThrowIfNull(smartHost);
        ArgumentNullException.ThrowIfNull(local);
        (_imapSettings, _imap, _smartHost, _local) = (imapSettings, imap, smartHost, local);
    }

    /// <summary>The store the current settings select: IMAP host set → IMAP; else smart host → none (empty); else the maildir.</summary>
    public IVoiceMessageStore Selected =>
        _imap is not null && _imapSettings() is not null ? _imap
        : VoiceMessageRouter.KeepsLocalCopies(_smartHost()) ? _local
        : EmptyMessageStore.Instance;

    /// <inheritdoc />
    public ValueTask<IVoiceMailbox> OpenAsync(string emailAddress, CancellationToken ct) => Selected.OpenAsync(emailAddress, ct);

    /// <inheritdoc />
    public ValueTask<MessageCounts> CountAsync(string emailAddress, CancellationToken ct) => Selected.CountAsync(emailAddress, ct);
}

/// <summary>A store that holds nothing: SMTP delivery without an IMAP store keeps no copy the server could read.</summary>
internal sealed class EmptyMessageStore : IVoiceMessageStore
{
    public static readonly EmptyMessageStore Instance = new();

    public ValueTask<IVoiceMailbox> OpenAsync(string emailAddress, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return ValueTask.FromResult(EmptyMailbox.Instance);
    }

    public ValueTask<MessageCounts> CountAsync(string emailAddress, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return ValueTask.FromResult(default(MessageCounts));
    }
}
