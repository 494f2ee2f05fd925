using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace OpenUM.Server.Logging;

/// <summary>
/// One entry of systemd's Native Journal Protocol (systemd.io/JOURNAL_NATIVE_PROTOCOL): a datagram of
/// fields, each either "NAME=value\n" or, when the value contains a newline, the binary-safe form
/// "NAME\n" + the value's length as 64-bit little-endian + the value + "\n". Values longer than
/// <see cref="FieldLimit"/> bytes are cut (on a UTF-8 character boundary) and end with a marker saying
/// how long they were. Reused from entry to entry; not thread-safe.
/// </summary>
public sealed class JournalEntry
{
    private ArrayBufferWriter<byte> _buffer = new(4096);
    private byte[] _scratch = new byte[1024];

    /// <summary>Largest value in bytes, marker included; longer ones are truncated.</summary>
    public int FieldLimit { get; set; } = 64 * 1024;

    /// <summary>The datagram so far.</summary>
    public ReadOnlySpan<byte> Datagram => _buffer.WrittenSpan;

    /// <summary>Starts a new entry.</summary>
    public void Clear()
    {
        if (_buffer.Capacity > 1024 * 1024) _buffer = new ArrayBufferWriter<byte>(4096); // a rare huge entry's buffer does not stay
        else _buffer.ResetWrittenCount();
        if (_scratch.Length > 1024 * 1024) _scratch = new byte[1024];
    }

    /// <summary>Adds a field; <paramref name="name"/> must be a valid journal field name (see <see cref="FieldName"/>).</summary>
    public void Add(string name, string value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_scratch.Length < max) _scratch = new byte[Math.Max(max, _scratch.Length * 2)];
        int length = Encoding.UTF8.GetBytes(value, _scratch);
        var bytes = _scratch.AsSpan(0, length);
        byte[]? marker = null;
        if (length > FieldLimit)
        {
            marker = Encoding.UTF8.GetBytes($" [truncated by openum: {length} bytes]");
            int cut = Math.Max(0, FieldLimit - marker.Length);
            while (cut > 0 && (bytes[cut] & 0xC0) == 0x80) cut--; // not inside a UTF-8 sequence
            bytes = bytes[..cut];
        }
        int total = bytes.Length + (marker?.Length ?? 0);
        Ascii(name);
        if (bytes.Contains((byte)'\n') || (marker?.AsSpan().Contains((byte)'\n') ?? false))
        {
            Byte((byte)'\n');
            BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), (ulong)total);
            _buffer.Advance(8);
        }
        else
        {
            Byte((byte)'=');
        }
        _buffer.Write(bytes);
        if (marker is not null) _buffer.Write(marker);
        Byte((byte)'\n');
    }

    /// <summary>
    /// A journal field name from a property name: "remoteAddress" -> prefix + "REMOTE_ADDRESS". Journal
    /// names allow only A-Z, 0-9 and "_", must not start with "_" or a digit, and hold at most 64 characters.
    /// </summary>
    public static string FieldName(string prefix, string property)
    {
        var sb = new StringBuilder(prefix.Length + property.Length + 8);
        sb.Append(prefix);
        for (int i = 0; i < property.Length; i++)
        {
            char c = property[i];
            if (char.IsAsciiLetterUpper(c) && i > 0 && sb[^1] != '_' &&
                (char.IsAsciiLetterLower(property[i - 1]) || char.IsAsciiDigit(property[i - 1]) ||
                 (i + 1 < property.Length && char.IsAsciiLetterLower(property[i + 1]))))
                sb.Append('_'); // word boundary: callId -> CALL_ID, SHA256Thumbprint -> SHA256_THUMBPRINT, RTPPort -> RTP_PORT
            sb.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }
        if (sb.Length == 0 || sb[0] == '_' || char.IsAsciiDigit(sb[0])) sb.Insert(0, 'X');
        return sb.Length > 64 ? sb.ToString(0, 64) : sb.ToString();
    }

    private void Ascii(string text)
    {
        int n = Encoding.ASCII.GetBytes(text, _buffer.GetSpan(text.Length));
        _buffer.Advance(n);
    }

    private void Byte(byte b)
    {
        _buffer.GetSpan(1)[0] = b;
        _buffer.Advance(1);
    }
}
