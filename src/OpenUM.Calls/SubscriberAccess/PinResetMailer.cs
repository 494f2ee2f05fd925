using Microsoft.Extensions.Logging;
using OpenUM.Delivery;
using OpenUM.Directory;
using OpenUM.Directory.Pins;

namespace OpenUM.Calls.SubscriberAccess;

/// <summary>
/// Mails the PIN of an automatic reset (LogonFailuresBeforePINReset) to the mailbox's owner through the server's
/// delivery path, the one voice messages take: the local maildir by default, the SMTP outbox when a smart host is set.
/// Logs 2042 with where the notice went, or 2047 when it could not be written; the PIN is only in the message body.
/// </summary>
public sealed class PinResetMailer(Func<ConfigurationSnapshot> configuration, VoiceMessageRouter delivery, TimeProvider time, ILogger logger)
    : IPinResetNotifier
{
    /// <inheritdoc />
    public async ValueTask PinResetAsync(PinResetNotice notice, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var mailbox = notice.Mailbox;
        try
        {
            var accessNumbers = configuration().FindDialPlan(mailbox.DialPlan)?.AccessTelephoneNumbers ?? [];
            using var message = PinResetMessage.Compose(mailbox.EmailAddress, mailbox.DisplayName, mailbox.Extension, mailbox.DialPlan,
                accessNumbers, notice.ConsecutiveFailures, notice.Pin, time.GetUtcNow(), delivery.SenderAddress);
            var where = await delivery.SendAsync(message, mailbox.EmailAddress, mailbox.Extension, ct).ConfigureAwait(false);
            CallEvents.MailboxPinResetAutomatically(logger, mailbox.Extension, mailbox.DialPlan, notice.ConsecutiveFailures, mailbox.EmailAddress,
                where);
        }
        // The PIN is already changed: whatever failed, the caller's logon goes on and the event says what to do.
        catch (Exception e) when (e is not OperationCanceledException)
        {
            CallEvents.MailboxPinResetNotSent(logger, mailbox.Extension, mailbox.DialPlan, notice.ConsecutiveFailures, mailbox.EmailAddress, e.Message);
        }
    }
}
