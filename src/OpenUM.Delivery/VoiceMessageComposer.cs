using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MimeKit;

namespace OpenUM.Delivery;

/// <summary>Builds the email for a voice message (DLV-1): text summary plus the WAV attachment, with sortable headers.</summary>
public static class VoiceMessageComposer
{
    /// <summary>Header carrying the calling number.</summary>
    public const string CallerIdHeader = "X-OpenUM-CallerId";
    /// <summary>Header carrying the called extension.</summary>
    public const string CalledExtensionHeader = "X-OpenUM-CalledExtension";
    /// <summary>Header carrying the duration in whole seconds.</summary>
    public const string DurationHeader = "X-OpenUM-Duration";
    /// <summary>Header carrying the SIP Call-ID.</summary>
    public const string CallIdHeader = "X-OpenUM-CallId";

    /// <summary>
    /// Composes the message. The attachment streams from <see cref="VoiceMessage.AudioPath"/>, which stays
    /// open until the returned message is disposed: dispose it after writing it out.
    /// </summary>
    public static MimeMessage Compose(VoiceMessage message, string senderAddress)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrEmpty(senderAddress);
        var seconds = WholeSeconds(message.Duration);
        var caller = CallerLabel(message);
        var callerId = Clean(message.CallerId);
        var fileName = AttachmentFileName(message.ReceivedAt);

        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(Clean(message.CallerDisplayName) is { Length: > 0 } name ? name : callerId is { Length: > 0 } ? callerId : "Caller", senderAddress));
        mime.To.Add(new MailboxAddress(Clean(message.RecipientDisplayName), message.RecipientAddress));
        mime.Subject = $"Voice mail from {caller} ({FormatDuration(seconds)})";
        mime.Date = message.ReceivedAt;
        mime.MessageId = MessageIdFor(message.CallId);

        if (callerId.Length > 0)
        {
            mime.Headers.Add(CallerIdHeader, callerId);
            // [MS-OXCMAIL] 2.2.3.2.23: the headers Exchange/Outlook map to voice-mail properties.
            mime.Headers.Add("X-CallingTelephoneNumber", callerId);
        }

        mime.Headers.Add(CalledExtensionHeader, Clean(message.CalledExtension));
        mime.Headers.Add(DurationHeader, seconds.ToString(CultureInfo.InvariantCulture));
        mime.Headers.Add(CallIdHeader, Clean(message.CallId));
        mime.Headers.Add("X-VoiceMessageDuration", seconds.ToString(CultureInfo.InvariantCulture));
        if (Clean(message.CallerDisplayName) is { Length: > 0 } senderName)
        {
            mime.Headers.Add("X-VoiceMessageSenderName", senderName);
        }

        var summary = new TextPart("plain") { Text = Summary(message, caller, seconds, fileName) };
        summary.ContentType.Charset = "utf-8";

        // Opened last so nothing above can throw with the file already open.
        var audio = new FileStream(message.AudioPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        var attachment = new MimePart("audio", "wav")
        {
            Content = new MimeContent(audio),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = fileName,
        };

        mime.Body = new Multipart("mixed") { summary, attachment };
        return mime;
    }

    /// <summary>Message-ID derived from the Call-ID alone, so a re-delivered call is recognisably the same message.</summary>
    public static string MessageIdFor(string callId)
    {
        ArgumentNullException.ThrowIfNull(callId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(callId));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16)) + "@openum";
    }

    /// <summary>The attachment name, from the receive time in UTC: voicemail-20250102T030405Z.wav.</summary>
    public static string AttachmentFileName(DateTimeOffset receivedAt) =>
        "voicemail-" + receivedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + ".wav";

    /// <summary>Duration as m:ss (h:mm:ss from one hour).</summary>
    public static string FormatDuration(int seconds) => seconds >= 3600
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}:{seconds / 60 % 60:00}:{seconds % 60:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}:{seconds % 60:00}");

    private static int WholeSeconds(TimeSpan duration) =>
        (int)Math.Max(0, Math.Round(duration.TotalSeconds, MidpointRounding.AwayFromZero));

    private static string CallerLabel(VoiceMessage message)
    {
        var id = Clean(message.CallerId);
        var name = Clean(message.CallerDisplayName);
        return (name.Length, id.Length) switch
        {
            ( > 0, > 0) => $"{name} ({id})",
            ( > 0, 0) => name,
            (0, > 0) => id,
            _ => "an unknown caller",
        };
    }

    private static string Summary(VoiceMessage message, string caller, int seconds, string fileName)
    {
        var text = new StringBuilder();
        text.Append("You received a voice message from ").Append(caller).Append(".\r\n\r\n");
        text.Append("Caller ID:         ").Append(Clean(message.CallerId) is { Length: > 0 } id ? id : "unknown").Append("\r\n");
        text.Append("Called extension:  ").Append(Clean(message.CalledExtension)).Append("\r\n");
        text.Append("Received:          ").Append(message.ReceivedAt.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)).Append("\r\n");
        text.Append("Duration:          ").Append(FormatDuration(seconds)).Append("\r\n\r\n");
        text.Append("The recording is attached as ").Append(fileName).Append(".\r\n");
        return text.ToString();
    }

    // Values come from SIP signalling (caller-controlled): control characters could fold or forge headers.
    private static string Clean(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        var result = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            result.Append(char.IsControl(c) ? ' ' : c);
        }

        return result.ToString().Trim();
    }
}
