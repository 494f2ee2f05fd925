using System.Globalization;
using System.Text;
using MimeKit;

namespace OpenUM.Delivery;

/// <summary>
/// The message that gives a user the PIN the system reset after LogonFailuresBeforePINReset wrong PINs (Exchange mailed
/// it, with the access numbers). The PIN is in the text body and nowhere else: not in the Subject, a header or the
/// Message-ID, which mail servers log.
/// </summary>
public static class PinResetMessage
{
    /// <summary>The Subject.</summary>
    public const string Subject = "Your voice mail PIN was reset";

    /// <summary>Composes the notice to <paramref name="recipientAddress"/> from <paramref name="senderAddress"/>.</summary>
    /// <param name="recipientAddress">The mailbox's email address.</param>
    /// <param name="recipientName">Its display name.</param>
    /// <param name="extension">Its extension (what the user keys in at logon).</param>
    /// <param name="dialPlan">Its dial plan.</param>
    /// <param name="accessNumbers">The dial plan's subscriber access numbers (may be empty).</param>
    /// <param name="failures">Wrong PINs in a row that led to the reset.</param>
    /// <param name="pin">The new PIN.</param>
    /// <param name="at">When it was reset.</param>
    /// <param name="senderAddress">The server's address.</param>
    public static MimeMessage Compose(string recipientAddress, string recipientName, string extension, string dialPlan,
        IReadOnlyList<string> accessNumbers, int failures, string pin, DateTimeOffset at, string senderAddress)
    {
        ArgumentException.ThrowIfNullOrEmpty(recipientAddress);
        ArgumentNullException.ThrowIfNull(extension);
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(accessNumbers);
        ArgumentException.ThrowIfNullOrEmpty(pin);
        ArgumentException.ThrowIfNullOrEmpty(senderAddress);

        var mime = new MimeMessage();
        HeaderText.SetMailbox(mime, HeaderId.From, "Voice Mail", MailboxAddress.Parse(senderAddress));
        HeaderText.SetMailbox(mime, HeaderId.To, CallerText.Name(recipientName), MailboxAddress.Parse(recipientAddress));
        mime.Subject = Subject;
        mime.Date = at;
        mime.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(MailboxAddress.Parse(senderAddress).Domain);
        // A notice, not something to answer or to file with voice messages.
        mime.Headers.Add("Auto-Submitted", "auto-generated");

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"The PIN of your voice mailbox was reset after {failures} unsuccessful logons in a row.\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Your new PIN: {pin}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Extension: {extension}\n");
        text.Append(CultureInfo.InvariantCulture, $"Dial plan: {dialPlan}\n");
        if (accessNumbers.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Access number{(accessNumbers.Count > 1 ? "s" : "")}: {string.Join(", ", accessNumbers)}\n");
        }

        text.Append("\nThis PIN is temporary: you must choose a new one at your next logon.\n");
        text.Append("If you did not try to log on, someone else may have: tell your administrator.\n");
        mime.Body = new TextPart("plain") { Text = text.ToString() };
        return mime;
    }
}
