using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace OpenUM.Sip.Message;

/// <summary>
/// An RFC 3842 message summary (Content-Type application/simple-message-summary, Event message-summary) for voice
/// messages: the status line, an optional Message-Account and one Voice-Message line with new/old and urgent counts.
/// </summary>
/// <remarks>
/// Grammar, RFC 3842 §5.2: <c>msg-status-line CRLF [msg-account CRLF] [*(msg-summary-line CRLF)] [*opt-msg-headers]</c>
/// with <c>msg-summary-line = message-context-class HCOLON newmsgs SLASH oldmsgs [LPAREN new-urgentmsgs SLASH
/// old-urgentmsgs RPAREN]</c> and counts of at most 2^32-1. <see cref="Format"/> always writes the urgent pair
/// (some phones only read the long form); <see cref="TryParse"/> reads what peers send, for tests and fuzzing.
/// </remarks>
/// <param name="MessagesWaiting">"Messages-Waiting: yes" (the lamp is lit) or "no".</param>
/// <param name="MessageAccount">The mailbox URI (Message-Account), or null to leave the line out.</param>
/// <param name="NewMessages">Unheard voice messages.</param>
/// <param name="OldMessages">Heard voice messages still kept.</param>
/// <param name="UrgentNewMessages">Unheard urgent voice messages (included in <paramref name="NewMessages"/>).</param>
/// <param name="UrgentOldMessages">Heard urgent voice messages (included in <paramref name="OldMessages"/>).</param>
public readonly record struct MessageSummary(bool MessagesWaiting, string? MessageAccount, uint NewMessages, uint OldMessages,
    uint UrgentNewMessages = 0, uint UrgentOldMessages = 0)
{
    /// <summary>The body's media type (RFC 3842 §3.5).</summary>
    public const string ContentType = "application/simple-message-summary";

    /// <summary>The event package name for Event and Allow-Events (RFC 3842 §3.1).</summary>
    public const string EventPackage = "message-summary";

    /// <summary>Bodies longer than this are refused by <see cref="TryParse"/> (a summary is a few lines).</summary>
    public const int MaxParsedLength = 4096;

    // Longest message-context-class line we read, name included; longer lines are refused, not scanned.
    private const int MaxLineLength = 1024;

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary>A voice summary: the lamp is lit when there is an unheard message.</summary>
    public static MessageSummary ForVoice(uint newMessages, uint oldMessages, string? messageAccount = null) =>
        new(newMessages > 0, messageAccount, newMessages, oldMessages);

    /// <summary>Writes the body (CRLF line ends) to <paramref name="writer"/>.</summary>
    /// <exception cref="ArgumentException"><see cref="MessageAccount"/> is empty or holds a control character.</exception>
    public void Format(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (MessageAccount is { } account && (account.Length == 0 || account.AsSpan().ContainsAnyInRange('\0', ' ') || account.Contains('\x7f')))
        {
            // Written verbatim into a line: a CR/LF would let a caller add lines to the body.
            throw new ArgumentException("The message account must be a URI without spaces or control characters.", nameof(MessageAccount));
        }
        Write(writer, MessagesWaiting ? "Messages-Waiting: yes\r\n"u8 : "Messages-Waiting: no\r\n"u8);
        if (MessageAccount is not null)
        {
            Write(writer, "Message-Account: "u8);
            var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(MessageAccount.Length));
            writer.Advance(Encoding.UTF8.GetBytes(MessageAccount, span));
            Write(writer, Crlf);
        }
        Write(writer, "Voice-Message: "u8);
        WriteCount(writer, NewMessages);
        Write(writer, "/"u8);
        WriteCount(writer, OldMessages);
        Write(writer, " ("u8);
        WriteCount(writer, UrgentNewMessages);
        Write(writer, "/"u8);
        WriteCount(writer, UrgentOldMessages);
        Write(writer, ")\r\n"u8);
    }

    /// <summary>The body as a new array.</summary>
    public byte[] ToArray()
    {
        var writer = new ArrayBufferWriter<byte>(128);
        Format(writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads a body: the status line first, then an optional Message-Account, then summary lines up to an empty
    /// line (the optional message headers after it are not read). Voice-Message gives the counts (0 when absent);
    /// the other RFC 3458 classes are checked and skipped. Lines may end CRLF or LF; names are case-insensitive.
    /// False for anything else, and for bodies over <see cref="MaxParsedLength"/> bytes.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out MessageSummary summary)
    {
        summary = default;
        if (body.Length > MaxParsedLength) return false;
        bool? waiting = null;
        string? account = null;
        bool voiceSeen = false;
        uint newCount = 0, oldCount = 0, urgentNew = 0, urgentOld = 0;
        var rest = body;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            if (end < 0) return false; // every line, the last one too, ends with a line break
            var line = rest[..end];
            rest = rest[(end + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
            if (line.IsEmpty)
            {
                if (waiting is null) return false;
                break; // opt-msg-headers follow
            }
            if (line.Length > MaxLineLength || !SplitHeader(line, out var name, out var value)) return false;
            if (waiting is null)
            {
                if (!Ascii.EqualsIgnoreCase(name, "Messages-Waiting"u8)) return false;
                if (Ascii.EqualsIgnoreCase(value, "yes"u8)) waiting = true;
                else if (Ascii.EqualsIgnoreCase(value, "no"u8)) waiting = false;
                else return false;
                continue;
            }
            if (Ascii.EqualsIgnoreCase(name, "Message-Account"u8))
            {
                // Only directly after the status line, and once.
                if (account is not null || voiceSeen || value.IsEmpty || value.IndexOfAny(" \t"u8) >= 0 || value.IndexOf((byte)':') <= 0) return false;
                account = Encoding.UTF8.GetString(value);
                continue;
            }
            if (!IsContextClass(name, out var voice) || !TryParseCounts(value, out var n, out var o, out var un, out var uo)) return false;
            if (voice)
            {
                if (voiceSeen) return false;
                voiceSeen = true;
                (newCount, oldCount, urgentNew, urgentOld) = (n, o, un, uo);
            }
        }
        if (waiting is null) return false;
        summary = new MessageSummary(waiting.Value, account, newCount, oldCount, urgentNew, urgentOld);
        return true;
    }

    // name HCOLON value, HCOLON = *(SP / HTAB) ":" SWS; the value is trimmed of surrounding blanks.
    private static bool SplitHeader(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        var colon = line.IndexOf((byte)':');
        name = colon > 0 ? line[..colon].TrimEnd(" \t"u8) : default;
        value = colon > 0 ? line[(colon + 1)..].Trim(" \t"u8) : default;
        if (name.IsEmpty) return false;
        foreach (var b in name)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b == (byte)'-')) return false;
        }
        foreach (var b in value)
        {
            if (b < 0x20 && b != (byte)'\t') return false;
        }
        return true;
    }

    // RFC 3458 message-context-class, case-insensitive.
    private static bool IsContextClass(ReadOnlySpan<byte> name, out bool voice)
    {
        voice = Ascii.EqualsIgnoreCase(name, "Voice-Message"u8);
        return voice || Ascii.EqualsIgnoreCase(name, "Fax-Message"u8) || Ascii.EqualsIgnoreCase(name, "Pager-Message"u8)
            || Ascii.EqualsIgnoreCase(name, "Multimedia-Message"u8) || Ascii.EqualsIgnoreCase(name, "Text-Message"u8)
            || Ascii.EqualsIgnoreCase(name, "None"u8);
    }

    // newmsgs SLASH oldmsgs [ LPAREN new-urgentmsgs SLASH old-urgentmsgs RPAREN ]; SLASH and the parentheses
    // may have blanks around them (RFC 3261 §25.1 SWS).
    private static bool TryParseCounts(ReadOnlySpan<byte> value, out uint newCount, out uint oldCount, out uint urgentNew, out uint urgentOld)
    {
        urgentNew = urgentOld = oldCount = 0;
        if (!TryCount(ref value, out newCount) || !TryChar(ref value, (byte)'/') || !TryCount(ref value, out oldCount)) return false;
        value = value.TrimStart(" \t"u8);
        if (value.IsEmpty) return true;
        return TryChar(ref value, (byte)'(') && TryCount(ref value, out urgentNew) && TryChar(ref value, (byte)'/')
            && TryCount(ref value, out urgentOld) && TryChar(ref value, (byte)')') && value.TrimStart(" \t"u8).IsEmpty;
    }

    private static bool TryChar(ref ReadOnlySpan<byte> value, byte c)
    {
        value = value.TrimStart(" \t"u8);
        if (value.IsEmpty || value[0] != c) return false;
        value = value[1..];
        return true;
    }

    // msgcount = 1*DIGIT, at most 2^32-1; leading zeros are digits like any other.
    private static bool TryCount(ref ReadOnlySpan<byte> value, out uint count)
    {
        count = 0;
        value = value.TrimStart(" \t"u8);
        var digits = 0;
        while (digits < value.Length && char.IsAsciiDigit((char)value[digits])) digits++;
        if (digits == 0) return false;
        ulong n = 0;
        foreach (var d in value[..digits])
        {
            n = n * 10 + (ulong)(d - '0');
            if (n > uint.MaxValue) return false;
        }
        count = (uint)n;
        value = value[digits..];
        return true;
    }

    private static void Write(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }

    private static void WriteCount(IBufferWriter<byte> writer, uint count)
    {
        var span = writer.GetSpan(10);
        Utf8Formatter.TryFormat(count, span, out var written);
        writer.Advance(written);
    }
}
