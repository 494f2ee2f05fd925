using System.Diagnostics.CodeAnalysis;
using OpenUM.Delivery.Smtp;

namespace OpenUM.Delivery;

/// <summary>
/// Where a voice message goes: with a smart host configured, into the durable SMTP outbox (DLV-2); without
/// one, into the local maildir (DLV-3). Either way the message is on disk when this returns.
/// </summary>
public sealed class VoiceMessageRouter(Func<SmartHostSettings?> settings, SmtpOutbox outbox, MaildirSink maildir, string senderAddress, Action? queued = null)
    : IVoiceMessageSink
{
    /// <summary>The address messages are sent from.</summary>
    public string SenderAddress => senderAddress;

    /// <summary>
    /// Delivers a message the server wrote itself (a PIN reset notice) by the same path and rule as voice messages:
    /// the local maildir without a smart host, the durable SMTP outbox with one. Returns where it went.
    /// </summary>
    public async Task<string> SendAsync(MimeKit.MimeMessage message, string recipientAddress, string extension, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var smartHost = settings();
        if (KeepsLocalCopies(smartHost)) return await maildir.DeliverAsync(message, recipientAddress, ct).ConfigureAwait(false);
        var item = await outbox.EnqueueAsync(message, senderAddress, recipientAddress, extension, ct).ConfigureAwait(false);
        queued?.Invoke();
        return $"the SMTP outbox (item {item.Id}, smart host {smartHost.Endpoint})";
    }

    /// <inheritdoc />
    public async Task<string> DeliverAsync(VoiceMessage message, CancellationToken ct)
    {
        var smartHost = settings();
        if (KeepsLocalCopies(smartHost)) return await maildir.DeliverAsync(message, ct).ConfigureAwait(false);
        var item = await outbox.EnqueueAsync(message, senderAddress, ct).ConfigureAwait(false);
        queued?.Invoke();
        return $"the SMTP outbox (item {item.Id}, smart host {smartHost.Endpoint})";
    }

    /// <summary>
    /// The one rule of where voice messages live: without a smart host in the local maildir, which is then where they are
    /// read (<see cref="Mailboxes.VoiceMessageStore"/>); with one they leave by SMTP and the server keeps no copy.
    /// </summary>
    public static bool KeepsLocalCopies([NotNullWhen(false)] SmartHostSettings? smartHost) => smartHost is null;

    /// <inheritdoc />
    /// <remarks>Both places are looked at: the smart host setting may have changed since the message was delivered.</remarks>
    public async Task<string?> FindDeliveredAsync(VoiceMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (await maildir.FindDeliveredAsync(message, ct).ConfigureAwait(false) is { } path) return path;
        if (message.DeliveryKey is { } key && outbox.FindByDeliveryKey(key) is { } item)
            return $"the SMTP outbox (item {item.Id})";
        return null;
    }
}
