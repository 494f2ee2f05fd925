using OpenUM.Delivery.Smtp;

namespace OpenUM.Delivery.Mailboxes;

/// <summary>
/// The messages a subscriber can reach, read where <see cref="VoiceMessageRouter"/> delivers them, from the same smart
/// host setting: with a smart host the messages went by SMTP (DLV-2) and the server kept no copy, so every mailbox is
/// empty; without one they are in the local maildir (DLV-3). Calls read only through this; they never decide.
/// </summary>
public sealed class VoiceMessageStore(Func<SmartHostSettings?> smartHost, IVoiceMessageStore local) : IVoiceMessageStore
{
    /// <summary>The store over the local maildir at <paramref name="maildirRoot"/>.</summary>
    public VoiceMessageStore(Func<SmartHostSettings?> smartHost, string maildirRoot) : this(smartHost, new MaildirMessageStore(maildirRoot)) { }

    /// <inheritdoc />
    public ValueTask<IVoiceMailbox> OpenAsync(string emailAddress, CancellationToken ct) =>
        VoiceMessageRouter.KeepsLocalCopies(smartHost()) ? local.OpenAsync(emailAddress, ct) : ValueTask.FromResult(EmptyMailbox.Instance);
}
