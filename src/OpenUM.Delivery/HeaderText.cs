using System.Buffers;
using System.Text;
using MimeKit;

namespace OpenUM.Delivery;

/// <summary>
/// Header values that read back exactly as written. MimeKit encodes only words with non-ASCII characters, so an
/// ASCII word that already has the form of an RFC 2047 encoded-word ("=?utf-8?q?Boss=0D=0ABcc:...?=") would go
/// out as it is, and every mail reader would decode it into something else: a line break and a "Bcc:". Text
/// that is not <see cref="IsPlain"/> is therefore written here, all of it inside base64 encoded-words of the
/// literal characters (RFC 2047 §4.1, §5), so decoding gives back exactly the text; plain text is left to MimeKit.
/// </summary>
internal static class HeaderText
{
    // RFC 2047 §2: an encoded-word is at most 75 characters, a line holding one at most 76. "=?utf-8?b?" + 60
    // base64 characters (45 bytes) + "?=" is 72, so each fits on a folded line of its own.
    private const int MaxLine = 76;
    private const int BytesPerWord = 45;
    private const string WordStart = "=?utf-8?b?";
    private const string WordEnd = "?=";
    private static readonly SearchValues<char> Printable = SearchValues.Create(
        Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c).ToArray());

    /// <summary>Printable ASCII without "=?": MimeKit writes it unchanged (quoting or folding it) and no reader decodes it.</summary>
    public static bool IsPlain(string text) =>
        !text.AsSpan().ContainsAnyExcept(Printable) && !text.Contains("=?", StringComparison.Ordinal);

    /// <summary>
    /// The text as base64 encoded-words of UTF-8, split between characters (never inside one), each word at most
    /// <paramref name="firstBytes"/> bytes for the first and 45 bytes (72 characters) for the others.
    /// </summary>
    public static List<string> EncodedWords(string text, int firstBytes = BytesPerWord)
    {
        var words = new List<string>();
        var bytes = new byte[BytesPerWord];
        int n = 0, limit = Math.Clamp(firstBytes, 4, BytesPerWord);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            int length = rune.EncodeToUtf8(utf8);
            if (n + length > limit)
            {
                words.Add(WordStart + Convert.ToBase64String(bytes, 0, n) + WordEnd);
                (n, limit) = (0, BytesPerWord);
            }
            utf8[..length].CopyTo(bytes.AsSpan(n));
            n += length;
        }
        if (n > 0) words.Add(WordStart + Convert.ToBase64String(bytes, 0, n) + WordEnd);
        return words;
    }

    /// <summary>Adds an unstructured header (X-VoiceMessageSenderName...) whose whole value is <paramref name="text"/>.</summary>
    public static void Add(HeaderList headers, string field, string text)
    {
        if (IsPlain(text))
        {
            headers.Add(field, text);
            return;
        }
        var header = new Header(field, "");
        header.SetRawValue(new RawValue(field).Encoded(text).ToBytes());
        headers.Add(header);
    }

    /// <summary>
    /// Sets an unstructured header to <paramref name="before"/> (fixed ASCII text), <paramref name="text"/> and
    /// <paramref name="after"/> (fixed ASCII text), separated by spaces.
    /// </summary>
    public static void Set(HeaderList headers, HeaderId id, string before, string text, string after)
    {
        headers[id] = string.Join(' ', new[] { before, text, after }.Where(s => s.Length > 0));
        if (IsPlain(text)) return;
        var raw = new RawValue(id.ToHeaderName()).Plain(before).Encoded(text).Plain(after);
        headers[headers.IndexOf(id)].SetRawValue(raw.ToBytes());
    }

    /// <summary>Sets an address header (From, To, Sender) to one mailbox whose display name is <paramref name="name"/>.</summary>
    public static void SetMailbox(MimeMessage message, HeaderId id, string name, MailboxAddress address)
    {
        var mailbox = new MailboxAddress(name, address.Address);
        switch (id)
        {
            case HeaderId.From: message.From.Add(mailbox); break;
            case HeaderId.To: message.To.Add(mailbox); break;
            case HeaderId.Sender: message.Sender = mailbox; break;
            default: throw new ArgumentOutOfRangeException(nameof(id), id, "not a single-mailbox header");
        }
        if (IsPlain(name)) return;
        // A phrase of encoded-words, then the angle-addr (RFC 2047 §5 (3), RFC 5322 §3.4).
        var raw = new RawValue(id.ToHeaderName()).Encoded(name).Token("<" + mailbox.GetAddress(idnEncode: true) + ">");
        message.Headers[message.Headers.IndexOf(id)].SetRawValue(raw.ToBytes());
    }

    /// <summary>A raw header value folded at spaces so that no line passes 76 characters where it can be helped.</summary>
    private sealed class RawValue(string field)
    {
        private readonly StringBuilder _text = new();
        private int _column = field.Length + 1; // after "Field:"

        public RawValue Plain(string text)
        {
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries)) Token(word);
            return this;
        }

        // Adjacent encoded-words decode as one run (RFC 2047 §6.2: the space between them is not text), so a
        // value can be split between any two characters. The first word fills what is left of the current line
        // (folding before it would give readers that keep the folding space a value starting with a space).
        public RawValue Encoded(string text)
        {
            int room = MaxLine - _column - 1 - WordStart.Length - WordEnd.Length;
            int firstBytes = room / 4 * 3;
            foreach (var word in EncodedWords(text, firstBytes >= 12 ? firstBytes : BytesPerWord)) Token(word);
            return this;
        }

        public RawValue Token(string token)
        {
            if (_column + 1 + token.Length > MaxLine)
            {
                _text.Append("\r\n ");
                _column = 1;
            }
            else
            {
                _text.Append(' ');
                _column++;
            }
            _text.Append(token);
            _column += token.Length;
            return this;
        }

        public byte[] ToBytes() => Encoding.ASCII.GetBytes(_text.Append("\r\n").ToString());
    }
}
