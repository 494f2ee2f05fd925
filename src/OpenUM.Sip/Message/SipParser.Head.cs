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

    private struct Singles
    {
        public string? ContentLength, CallId, CSeq, From, To, MaxForwards;
        public bool DuplicateContentLength;
    }

    // head = start line and header lines, each ending in CRLF (the blank line excluded).
    private static SipMessage? ParseHead(ReadOnlySpan<byte> head, int headerCapacity, bool escapedControls, out Fault? fault,
        out Singles singles)
    {
        fault = null;
        singles = default;
        var firstEnd = head.IndexOf("\r\n"u8);
        if (firstEnd < 0) return null;
        var headers = new SipHeaders(headerCapacity);
        var message = ParseStartLine(head[..firstEnd], headers, ref fault);

        var p = firstEnd + 2;
        while (p < head.Length)
        {
            var lineEnd = p + head[p..].IndexOf("\r\n"u8);
            var q = lineEnd + 2;
            while (q < head.Length && head[q] is (byte)' ' or (byte)'\t') q += head[q..].IndexOf("\r\n"u8) + 2;
            ParseHeader(head[p..lineEnd], head[p..(q - 2)], escapedControls, headers, ref singles, ref fault);
            p = q;
        }
        return message;
    }

    private static void ParseHeader(ReadOnlySpan<byte> firstLine, ReadOnlySpan<byte> whole, bool escapedControls,
        SipHeaders headers, ref Singles singles, ref Fault? fault)
    {
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
        // A control character, even escaped in a quoted-string, is only taken where a display name can hold it:
        // other headers are either undefined (header-value is TEXT-UTF8, no controls) or have no quoted-string.
        if (escapedControls && whole.ContainsAny(QuotedPairControls) && !ReferenceEquals(name, SipHeaderNames.From)
            && !ReferenceEquals(name, SipHeaderNames.To) && !ReferenceEquals(name, SipHeaderNames.Contact))
        {
            fault ??= Fault.Bad(name);
        }
        var value = UnfoldValue(whole[(c + 1)..]);
        headers.AddCanonical(name, value);

        if (ReferenceEquals(name, SipHeaderNames.ContentLength))
        {
            if (singles.ContentLength is not null && singles.ContentLength != value) singles.DuplicateContentLength = true;
            singles.ContentLength ??= value;
        }
        else if (ReferenceEquals(name, SipHeaderNames.CallId)) Single(ref singles.CallId, name, value, ref fault);
        else if (ReferenceEquals(name, SipHeaderNames.CSeq)) Single(ref singles.CSeq, name, value, ref fault);
        else if (ReferenceEquals(name, SipHeaderNames.From)) Single(ref singles.From, name, value, ref fault);
        else if (ReferenceEquals(name, SipHeaderNames.To)) Single(ref singles.To, name, value, ref fault);
        else if (ReferenceEquals(name, SipHeaderNames.MaxForwards)) Single(ref singles.MaxForwards, name, value, ref fault);
    }

    // Repeating a single-valued header with another value is how requests get smuggled past a proxy
    // that reads the first copy while the UAS reads the last: refuse it.
    private static void Single(ref string? slot, string name, string value, ref Fault? fault)
    {
        if (slot is null) slot = value;
        else if (!string.Equals(slot, value, StringComparison.Ordinal)) fault ??= Fault.Duplicate(name);
    }

    // LWS (CRLF followed by SP/HTAB) becomes one SP; leading and trailing whitespace goes.
    private static string UnfoldValue(ReadOnlySpan<byte> raw)
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

    private static SipMessage? ParseStartLine(ReadOnlySpan<byte> line, SipHeaders headers, ref Fault? fault)
    {
        if (line.Length >= 4 && Ascii.EqualsIgnoreCase(line[..4], "SIP/"u8)) return ParseStatusLine(line, headers, ref fault);

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
            return SipMessage.NewRequest(method, null, headers);
        }
        if (!IsVersion20(rest[(sp2 + 1)..])) fault = Fault.UnsupportedVersion;

        var uri = ParseRequestUri(rest[..sp2], out var uriFault);
        fault ??= uriFault;
        return SipMessage.NewRequest(method, uri, headers);
    }

    private static SipUri? ParseRequestUri(ReadOnlySpan<byte> bytes, out Fault? fault)
    {
        fault = null;
        if (bytes.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E))
        {
            fault = Fault.BadRequestUri;
            return null;
        }
        var rented = bytes.Length > 256 ? ArrayPool<char>.Shared.Rent(bytes.Length) : null;
        try
        {
            var chars = rented is null ? stackalloc char[bytes.Length] : rented.AsSpan(0, bytes.Length);
            Ascii.ToUtf16(bytes, chars, out _);
            if (SipUri.TryParse(chars, out var uri, out var unsupportedScheme))
            {
                // RFC 3261 §19.1.1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11: 400, not ignored).
                if (uri!.Headers.Count == 0) return uri;
                fault = Fault.BadRequestUri;
                return null;
            }
            fault = unsupportedScheme ? Fault.UnsupportedScheme : Fault.BadRequestUri;
            return null;
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }

    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    private static SipMessage? ParseStatusLine(ReadOnlySpan<byte> line, SipHeaders headers, ref Fault? fault)
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
        return SipMessage.NewResponse(code, reason, headers);
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
}
