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
    /// <summary>Header present only on an incomplete recording, saying why (<see cref="VoiceMessage.Truncated"/>).</summary>
    public const string TruncatedHeader = "X-OpenUM-Recording-Incomplete";

    // Longest truncation note kept: it is server text, but it ends up on a header line.
    private const int MaxTruncatedLength = 200;

    /// <summary>The Subject's text before the caller.</summary>
    public const string SubjectPrefix = "Voice mail from";

    // A SIP Call-ID has no length limit of its own; this keeps the header on a line (RFC 5322 §2.1.1: 998).
    private const int MaxCallIdLength = 256;

    /// <summary>
    /// Composes the message. Caller text (name, number, Call-ID) is cleaned by <see cref="CallerText"/> and only ever
    /// written as text: in the From display name, the Subject and the X- headers, encoded by <see cref="HeaderText"/>
    /// when it needs encoding; the From address is <paramref name="senderAddress"/>, or the caller's own mailbox
    /// (<see cref="VoiceMessage.CallerMailboxAddress"/>, with Sender: <paramref name="senderAddress"/>). Write the
    /// result with MimeKit's default <see cref="FormatOptions"/>: FormatOptions.International re-formats parsed
    /// headers from their decoded text, which would undo that encoding.
    /// The attachment streams from <see cref="VoiceMessage.AudioPath"/>, which stays
    /// open until the returned message is disposed: dispose it after writing it out. A message marked
    /// <see cref="VoiceMessage.Truncated"/> says so in its text and in <see cref="TruncatedHeader"/>; when none of
    /// its audio could be saved (no file, or a file without samples) it has no attachment and its text says that.
    /// </summary>
    public static MimeMessage Compose(VoiceMessage message, string senderAddress)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrEmpty(senderAddress);
        var seconds = WholeSeconds(message.Duration);
        var caller = Caller.Of(message);
        var fileName = AttachmentFileName(message.ReceivedAt);
        var sender = MailboxAddress.Parse(senderAddress);

        var mime = new MimeMessage();
        if (caller.Mailbox is { } own)
        {
            // The caller's number is an extension with a mailbox: the message is from that user, sent by the server.
            HeaderText.SetMailbox(mime, HeaderId.From, caller.Name, own);
            HeaderText.SetMailbox(mime, HeaderId.Sender, "", sender);
        }
        else
        {
            HeaderText.SetMailbox(mime, HeaderId.From, caller.Name.Length > 0 ? caller.Name : caller.Number.Length > 0 ? caller.Number : "Caller", sender);
        }
        HeaderText.SetMailbox(mime, HeaderId.To, CallerText.Name(message.RecipientDisplayName), MailboxAddress.Parse(message.RecipientAddress));
        HeaderText.Set(mime.Headers, HeaderId.Subject, SubjectPrefix, caller.Label, $"({FormatDuration(seconds)})");
        mime.Date = message.ReceivedAt;
        mime.MessageId = MessageIdFor(message.CallId);

        if (caller.Number.Length > 0)
        {
            HeaderText.Add(mime.Headers, CallerIdHeader, caller.Number);
            // [MS-OXCMAIL] 2.2.3.2.23: the headers Exchange/Outlook map to voice-mail properties.
            HeaderText.Add(mime.Headers, "X-CallingTelephoneNumber", caller.Number);
        }

        HeaderText.Add(mime.Headers, CalledExtensionHeader, CallerText.Clean(message.CalledExtension, CallerText.MaxNumberLength));
        mime.Headers.Add(DurationHeader, seconds.ToString(CultureInfo.InvariantCulture));
        HeaderText.Add(mime.Headers, CallIdHeader, CallerText.Clean(message.CallId, MaxCallIdLength));
        mime.Headers.Add("X-VoiceMessageDuration", seconds.ToString(CultureInfo.InvariantCulture));
        if (caller.Name.Length > 0)
        {
            HeaderText.Add(mime.Headers, "X-VoiceMessageSenderName", caller.Name);
        }

        var truncated = message.Truncated is { } note ? CallerText.Clean(note, MaxTruncatedLength) : null;
        if (truncated is { Length: > 0 })
        {
            HeaderText.Add(mime.Headers, TruncatedHeader, truncated);
        }

        // An incomplete recording may have no audio at all (the disk was full from its first byte): the message still
        // tells the recipient who called. A complete one without its file is an error, as it always was.
        bool hasAudio = truncated is null || HasSamples(message.AudioPath);
        var summary = new TextPart("plain") { Text = Summary(message, caller, seconds, hasAudio ? fileName : null, truncated) };
        summary.ContentType.Charset = "utf-8";
        if (!hasAudio)
        {
            mime.Body = summary;
            return mime;
        }

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

    // 44 bytes: the header of our WAV files; anything beyond it is audio.
    private static bool HasSamples(string path)
    {
        try
        {
            return path.Length > 0 && new FileInfo(path) is { Exists: true, Length: > 44 };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    private static string Summary(VoiceMessage message, Caller caller, int seconds, string? fileName, string? truncated)
    {
        var text = new StringBuilder();
        text.Append("You received a voice message from ").Append(caller.Label).Append(".\r\n\r\n");
        text.Append("Caller ID:         ").Append(caller.Number.Length > 0 ? caller.Number : "unknown").Append("\r\n");
        text.Append("Called extension:  ").Append(CallerText.Clean(message.CalledExtension, CallerText.MaxNumberLength)).Append("\r\n");
        text.Append("Received:          ").Append(message.ReceivedAt.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)).Append("\r\n");
        text.Append("Duration:          ").Append(FormatDuration(seconds)).Append("\r\n\r\n");
        if (truncated is not null)
        {
            text.Append("This message is incomplete: ").Append(truncated).Append(".\r\n");
            text.Append(fileName is null ? "None of the recording could be saved.\r\n" : "What was recorded before that is attached.\r\n");
        }
        if (fileName is not null)
            text.Append("The recording is attached as ").Append(fileName).Append(".\r\n");
        return text.ToString();
    }

    /// <summary>
    /// Who called, as shown: the name and number cleaned, and the caller's own mailbox when the call layer found
    /// one for the number (its display name, from the directory, is then the name shown).
    /// </summary>
    private sealed record Caller(string Name, string Number, MailboxAddress? Mailbox)
    {
        public static Caller Of(VoiceMessage message)
        {
            var number = CallerText.Number(message.CallerId);
            var name = CallerText.Name(message.CallerDisplayName);
            if (message.CallerMailboxAddress is { Length: > 0 } address && MailboxAddress.TryParse(address, out var mailbox))
            {
                var directoryName = CallerText.Name(message.CallerMailboxName);
                return new Caller(directoryName.Length > 0 ? directoryName : name, number, mailbox);
            }
            return new Caller(name, number, null);
        }

        /// <summary>"Name (number)", the name or the number alone, or "an unknown caller".</summary>
        public string Label => (Name.Length, Number.Length) switch
        {
            ( > 0, > 0) => $"{Name} ({Number})",
            ( > 0, 0) => Name,
            (0, > 0) => Number,
            _ => "an unknown caller",
        };
    }
}
