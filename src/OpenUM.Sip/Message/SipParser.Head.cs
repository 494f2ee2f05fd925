using System.Buffers;
using System.Text;

namespace OpenUM.Sip.Message;

// Start line and header lines. The scanner has already proved every line ends in CRLF and holds no
// control characters, so this part only applies the token/HCOLON grammar and unfolds values.
public static partial class SipParser
{
    private static readonly string[] KnownReasons = ["OK", "Trying", "Ringing", "Session Progress"];

    // What a quoted-pair may escape besides printable characters: every control but CR and LF.
    private static readonly SearchValues<byte> QuotedPairControls = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127]);

    // Where the single-valued headers were first seen (value ranges of the head), to refuse a repeat with another value.
    private struct Singles
    {
        public ValueRange ContentLength, CallId, CSeq, From, To, MaxForwards;
        public bool DuplicateContentLength;
    }

    // A header value as offsets into the message bytes, white space trimmed; Start -1 = not seen.
    private readonly record struct ValueRange(int Start, int Length)
    {
        public static readonly ValueRange None = new(-1, 0);
        public bool Found => Start >= 0;
    }

    // head = start line and header lines, each ending in CRLF (the blank line excluded). Values are kept as
    // offsets into head; the message is attached to its bytes once the framing is known.
    private static SipMessage? ParseHead(ReadOnlySpan<byte> head, int headerCapacity, bool escapedControls, SipMessage? reuse,
        out Fault? fault, out Singles singles)
    {
        fault = null;
        singles = new Singles
        {
            ContentLength = ValueRange.None, CallId = ValueRange.None, CSeq = ValueRange.None,
            From = ValueRange.None, To = ValueRange.None, MaxForwards = ValueRange.None,
        };
        var firstEnd = head.IndexOf("\r\n"u8);
        if (firstEnd < 0) return null;
        var headers = reuse?.Headers ?? new SipHeaders(headerCapacity);
        var message = ParseStartLine(head[..firstEnd], headers, reuse, ref fault);

        var p = firstEnd + 2;
        while (p < head.Length)
        {
            var lineEnd = p + head[p..].IndexOf("\r\n"u8);
            var q = lineEnd + 2;
            while (q < head.Length && head[q] is (byte)' ' or (byte)'\t') q += head[q..].IndexOf("\r\n"u8) + 2;
            ParseHeader(head, p, lineEnd, q - 2, escapedControls, headers, ref singles, ref fault);
            p = q;
        }
        return message;
    }

    // The line starts at head[p]; its first physical line ends at firstEnd, the whole (folded) field at end.
    private static void ParseHeader(ReadOnlySpan<byte> head, int p, int firstEnd, int end, bool escapedControls,
        SipHeaders headers, ref Singles singles, ref Fault? fault)
    {
        var firstLine = head[p..firstEnd];
        // header-name = token; HCOLON = *( SP / HTAB ) ":" SWS. Anything else (including a folded line
        // right after the start line) is malformed.
        var nameLen = firstLine.IndexOfAnyExcept(SipGrammar.TokenBytes);
        if (nameLen <= 0)
        {
            fault ??= Fault.MalformedHeaderLine;
            return;
        }
        var c = nameLen;
        while (c < firstLine.Length && firstLine[c] is (byte)' ' or (byte)'\t') c++;
        if (c >= firstLine.Length || firstLine[c] != ':')
        {
            fault ??= Fault.MalformedHeaderLine;
            return;
        }
        var name = SipHeaderNames.FromBytes(firstLine[..nameLen]);
        var whole = head[p..end];
        // A control character, even escaped in a quoted-string, is only taken where a display name can hold it:
        // other headers are either undefined (header-value is TEXT-UTF8, no controls) or have no quoted-string.
        if (escapedControls && whole.ContainsAny(QuotedPairControls) && !ReferenceEquals(name, SipHeaderNames.From)
            && !ReferenceEquals(name, SipHeaderNames.To) && !ReferenceEquals(name, SipHeaderNames.Contact))
        {
            fault ??= Fault.Bad(name);
        }
        var valueStart = p + c + 1;
        var raw = head[valueStart..end];
        var lead = raw.IndexOfAnyExcept(" \t"u8);
        var value = lead < 0
            ? new ValueRange(valueStart, 0)
            : new ValueRange(valueStart + lead, raw[lead..].TrimEnd(" \t"u8).Length);
        headers.AddRaw(name, value.Start, value.Length);

        if (ReferenceEquals(name, SipHeaderNames.ContentLength))
        {
            if (singles.ContentLength.Found && !SameValue(head, singles.ContentLength, value)) singles.DuplicateContentLength = true;
            if (!singles.ContentLength.Found) singles.ContentLength = value;
        }
        else if (ReferenceEquals(name, SipHeaderNames.CallId)) Single(head, ref singles.CallId, name, value, ref fault);
        else if (ReferenceEquals(name, SipHeaderNames.CSeq)) Single(head, ref singles.CSeq, name, value, ref fault);
        else if (ReferenceEquals(name, SipHeaderNames.From)) Single(head, ref singles.From, name, value, ref fault);
        else if (ReferenceEquals(name, SipHeaderNames.To)) Single(head, ref singles.To, name, value, ref fault);
        else if (ReferenceEquals(name, SipHeaderNames.MaxForwards)) Single(head, ref singles.MaxForwards, name, value, ref fault);
    }

    // Repeating a single-valued header with another value is how requests get smuggled past a proxy
    // that reads the first copy while the UAS reads the last: refuse it.
    private static void Single(ReadOnlySpan<byte> head, ref ValueRange slot, string name, ValueRange value, ref Fault? fault)
    {
        if (!slot.Found) slot = value;
        else if (!SameValue(head, slot, value)) fault ??= Fault.Duplicate(name);
    }

    // Equal as the strings the values become: equal bytes are; otherwise only a fold or non-ASCII bytes (an invalid
    // UTF-8 sequence reads as U+FFFD) can make different bytes the same string, and only then are strings built.
    private static bool SameValue(ReadOnlySpan<byte> head, ValueRange a, ValueRange b)
    {
        var x = head.Slice(a.Start, a.Length);
        var y = head.Slice(b.Start, b.Length);
        if (x.SequenceEqual(y)) return true;
        if (Ascii.IsValid(x) && Ascii.IsValid(y) && x.IndexOf((byte)'\r') < 0 && y.IndexOf((byte)'\r') < 0) return false;
        return string.Equals(DecodeValue(x), DecodeValue(y), StringComparison.Ordinal);
    }

    // The characters of a value (LWS unfolded), in scratch when it fits and holds no fold, else as a new string.
    private static ReadOnlySpan<char> ValueChars(ReadOnlySpan<byte> head, ValueRange r, Span<char> scratch)
    {
        var raw = head.Slice(r.Start, r.Length);
        return raw.Length <= scratch.Length && raw.IndexOf((byte)'\r') < 0
            ? scratch[..Encoding.UTF8.GetChars(raw, scratch)]
            : DecodeValue(raw);
    }

    // A value as a string: LWS (CRLF followed by SP/HTAB) becomes one SP; leading and trailing whitespace goes.
    internal static string DecodeValue(ReadOnlySpan<byte> raw)
    {
        var fold = raw.IndexOf((byte)'\r');
        if (fold < 0) return Decode(raw.Trim(" \t"u8));

        var rented = ArrayPool<byte>.Shared.Rent(raw.Length);
        try
        {
            var n = 0;
            var rest = raw;
            while (true)
            {
                var cr = rest.IndexOf((byte)'\r');
                var part = (cr < 0 ? rest : rest[..cr]).Trim(" \t"u8);
                if (part.Length > 0)
                {
                    if (n > 0) rented[n++] = (byte)' ';
                    part.CopyTo(rented.AsSpan(n));
                    n += part.Length;
                }
                if (cr < 0) break;
                rest = rest[(cr + 2)..];
            }
            return Decode(rented.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static string Decode(ReadOnlySpan<byte> bytes) => bytes.Length == 0 ? "" : Encoding.UTF8.GetString(bytes);

    private static SipMessage? ParseStartLine(ReadOnlySpan<byte> line, SipHeaders headers, SipMessage? reuse, ref Fault? fault)
    {
        if (line.Length >= 4 && Ascii.EqualsIgnoreCase(line[..4], "SIP/"u8)) return ParseStatusLine(line, headers, reuse, ref fault);

        // Request-Line = Method SP Request-URI SP SIP-Version, single spaces only.
        var sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0 || line[..sp1].ContainsAnyExcept(SipGrammar.TokenBytes))
        {
            fault = Fault.MalformedRequestLine;
            return null;
        }
        var method = InternMethod(line[..sp1]);
        var rest = line[(sp1 + 1)..];
        var sp2 = rest.IndexOf((byte)' ');
        if (sp2 <= 0 || !IsVersion(rest[(sp2 + 1)..]))
        {
            fault = Fault.MalformedRequestLine;
            return SipMessage.NewRequest(method, -1, 0, headers, reuse);
        }
        if (!IsVersion20(rest[(sp2 + 1)..])) fault = Fault.UnsupportedVersion;

        // The URI is checked now and built by its first reader (the line starts the message: offsets are the message's).
        var uriFault = CheckRequestUri(rest[..sp2]);
        fault ??= uriFault;
        return uriFault is null
            ? SipMessage.NewRequest(method, sp1 + 1, sp2, headers, reuse)
            : SipMessage.NewRequest(method, -1, 0, headers, reuse);
    }

    private static Fault? CheckRequestUri(ReadOnlySpan<byte> bytes)
    {
        if (bytes.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E)) return Fault.BadRequestUri;
        var rented = bytes.Length > 256 ? ArrayPool<char>.Shared.Rent(bytes.Length) : null;
        try
        {
            var chars = rented is null ? stackalloc char[bytes.Length] : rented.AsSpan(0, bytes.Length);
            Ascii.ToUtf16(bytes, chars, out _);
            if (SipUri.IsValid(chars, anyScheme: false, out var unsupportedScheme, out var hasHeaders))
            {
                // RFC 3261 §19.1.1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11: 400, not ignored).
                return hasHeaders ? Fault.BadRequestUri : null;
            }
            return unsupportedScheme ? Fault.UnsupportedScheme : Fault.BadRequestUri;
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }

    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    private static SipMessage? ParseStatusLine(ReadOnlySpan<byte> line, SipHeaders headers, SipMessage? reuse, ref Fault? fault)
    {
        var sp = line.IndexOf((byte)' ');
        if (sp < 0 || !IsVersion(line[..sp]))
        {
            fault = Fault.MalformedStatusLine;
            return null;
        }
        var rest = line[(sp + 1)..];
        if (rest.Length < 3 || rest[..3].ContainsAnyExceptInRange((byte)'0', (byte)'9') || rest[0] is < (byte)'1' or > (byte)'6' ||
            (rest.Length > 3 && rest[3] != ' '))
        {
            fault = Fault.MalformedStatusLine;
            return null;
        }
        var code = ((rest[0] - '0') * 100) + ((rest[1] - '0') * 10) + (rest[2] - '0');
        if (!IsVersion20(line[..sp])) fault = Fault.UnsupportedVersion;
        var reason = rest.Length > 4 ? InternReason(rest[4..]) : "";
        return SipMessage.NewResponse(code, reason, headers, reuse);
    }

    // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT
    private static bool IsVersion(ReadOnlySpan<byte> v)
    {
        if (v.Length < 7 || !Ascii.EqualsIgnoreCase(v[..4], "SIP/"u8)) return false;
        var numbers = v[4..];
        var dot = numbers.IndexOf((byte)'.');
        return dot > 0 && dot < numbers.Length - 1 &&
            !numbers[..dot].ContainsAnyExceptInRange((byte)'0', (byte)'9') &&
            !numbers[(dot + 1)..].ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private static bool IsVersion20(ReadOnlySpan<byte> v) => v.Length == 7 && v[4..].SequenceEqual("2.0"u8);

    private static string InternMethod(ReadOnlySpan<byte> method)
    {
        foreach (var known in SipGrammar.KnownMethods)
        {
            if (Ascii.Equals(method, known)) return known;
        }
        return Encoding.ASCII.GetString(method);
    }

    private static string InternReason(ReadOnlySpan<byte> reason)
    {
        foreach (var known in KnownReasons)
        {
            if (Ascii.Equals(reason, known)) return known;
        }
        return Decode(reason);
    }

    // Allocation-free look at a lone, unfolded Content-Length; -1 whenever the full parse must decide.
    private static long PeekContentLength(ReadOnlySpan<byte> head)
    {
        long found = -1;
        var p = head.IndexOf("\r\n"u8) + 2;
        while (p < head.Length)
        {
            var end = p + head[p..].IndexOf("\r\n"u8);
            var line = head[p..end];
            p = end + 2;
            var nameLen = line.IndexOfAnyExcept(SipGrammar.TokenBytes);
            if (nameLen <= 0) continue;
            var name = line[..nameLen];
            if (!Ascii.EqualsIgnoreCase(name, "Content-Length"u8) && !Ascii.EqualsIgnoreCase(name, "l"u8)) continue;
            if (found >= 0 || (p < head.Length && head[p] is (byte)' ' or (byte)'\t')) return -1;
            var value = line[nameLen..].TrimStart(" \t"u8);
            if (value.Length == 0 || value[0] != ':') return -1;
            value = value[1..].Trim(" \t"u8);
            if (value.Length is 0 or > 9 || value.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return -1;
            found = 0;
            foreach (var b in value) found = (found * 10) + (b - '0');
        }
        return found;
    }

    private static string? HeaderNameOf(ReadOnlySpan<byte> linePrefix, bool isStartLine)
    {
        if (isStartLine) return null;
        var colon = linePrefix.IndexOf((byte)':');
        if (colon <= 0) return null;
        var name = linePrefix[..colon].TrimEnd(" \t"u8);
        return name.Length > 0 && !name.ContainsAnyExcept(SipGrammar.TokenBytes) ? SipHeaderNames.FromBytes(name) : null;
    }
}
