using System.Text;

namespace OpenUM.Sip.Message;

/// <summary>Body access that also understands multipart/mixed (RFC 2046 §5.1, RFC 5621), as SIP-I/SIP-T gateways send it.</summary>
public static class SipBody
{
    /// <summary>A multipart body with more parts than this is treated as malformed.</summary>
    public const int MaxParts = 16;

    private const int MaxBoundaryLength = 70; // RFC 2046 §5.1.1

    /// <summary>
    /// The body of <paramref name="contentType"/> (media type without parameters, e.g. "application/sdp"): the whole
    /// body when it has that type, or the first part of that type of a multipart/mixed body. Parts are not searched
    /// recursively: a nested multipart is only ever seen as a part of its own type.
    /// </summary>
    /// <returns>False when there is no such body, or the multipart body is malformed or has more than <see cref="MaxParts"/> parts.</returns>
    public static bool TryGetPart(SipMessage message, string contentType, out ReadOnlyMemory<byte> part)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(contentType);
        part = default;
        if (message.Body.IsEmpty || message.ContentType is not { } type) return false;
        if (string.Equals(type, contentType, StringComparison.OrdinalIgnoreCase))
        {
            part = message.Body;
            return true;
        }
        if (!IsMultipartMixed(type) || !TryGetParts(message, out var parts)) return false;
        foreach (var p in parts)
        {
            if (string.Equals(p.ContentType, contentType, StringComparison.OrdinalIgnoreCase))
            {
                part = p.Body;
                return true;
            }
        }
        return false;
    }

    internal static bool IsMultipartMixed(string mediaType) =>
        string.Equals(mediaType, "multipart/mixed", StringComparison.OrdinalIgnoreCase);

    // The parts of a multipart/mixed body in order; false when it is not one or is malformed.
    internal static bool TryGetParts(SipMessage message, out List<SipBodyPart> parts)
    {
        parts = [];
        return message.ContentType is { } type && IsMultipartMixed(type)
            && TryGetBoundary(message.Headers.Get(SipHeaderNames.ContentType), out var boundary)
            && TrySplit(message.Body, boundary, parts);
    }

    // boundary := 0*69<bchars> bcharsnospace, possibly quoted (RFC 2046 §5.1.1).
    internal static bool TryGetBoundary(string? contentType, out byte[] boundary)
    {
        boundary = [];
        if (contentType is null) return false;
        var s = contentType.AsSpan();
        var semi = s.IndexOf(';');
        while (semi >= 0)
        {
            s = s[(semi + 1)..];
            var next = NextParameterEnd(s);
            var param = SipGrammar.TrimWsp(s[..next]);
            semi = next < s.Length ? next : -1;
            var eq = param.IndexOf('=');
            if (eq < 0 || !SipGrammar.TrimWsp(param[..eq]).Equals("boundary", StringComparison.OrdinalIgnoreCase)) continue;
            var value = SipGrammar.TrimWsp(param[(eq + 1)..]);
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            if (value.Length is 0 or > MaxBoundaryLength || value[^1] == ' ') return false;
            foreach (var c in value)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || "'()+_,-./:=? ".Contains(c))) return false;
            }
            boundary = Encoding.ASCII.GetBytes(value.ToString());
            return true;
        }
        return false;
    }

    // A ';' inside a quoted value does not end the parameter.
    private static int NextParameterEnd(ReadOnlySpan<char> s)
    {
        var quoted = false;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '"') quoted = !quoted;
            else if (s[i] == ';' && !quoted) return i;
        }
        return s.Length;
    }

    // RFC 2046 §5.1.1: [preamble CRLF] "--" boundary LWSP CRLF part (CRLF "--" boundary LWSP CRLF part)* CRLF "--" boundary "--".
    // Strict: the close delimiter is required, every delimiter must be followed by "--" or (LWSP) CRLF, and a
    // part's headers must end with an empty line unless the part has none.
    private static bool TrySplit(ReadOnlyMemory<byte> body, byte[] boundary, List<SipBodyPart> parts)
    {
        var span = body.Span;
        // "\r\n--" + boundary; the first delimiter may also start the body without the CRLF.
        var delimiter = new byte[boundary.Length + 4];
        "\r\n--"u8.CopyTo(delimiter);
        boundary.CopyTo(delimiter, 4);
        int at;
        if (span.StartsWith(delimiter.AsSpan(2)))
        {
            at = delimiter.Length - 2;
        }
        else
        {
            var first = span.IndexOf(delimiter);
            if (first < 0) return false;
            at = first + delimiter.Length;
        }
        while (true)
        {
            var rest = span[at..];
            if (rest.StartsWith("--"u8)) return parts.Count > 0; // close delimiter; the epilogue is ignored
            var lineEnd = rest.IndexOf("\r\n"u8);
            if (lineEnd < 0 || rest[..lineEnd].ContainsAnyExcept(" \t"u8)) return false;
            var start = at + lineEnd + 2;
            var length = span[start..].IndexOf(delimiter);
            if (length < 0 || parts.Count == MaxParts) return false;
            if (!TryReadPart(body.Slice(start, length), out var part)) return false;
            parts.Add(part);
            at = start + length + delimiter.Length;
        }
    }

    private static bool TryReadPart(ReadOnlyMemory<byte> raw, out SipBodyPart part)
    {
        part = default;
        var span = raw.Span;
        string? contentType = null;
        var bodyStart = 0;
        if (!span.StartsWith("\r\n"u8))
        {
            var headEnd = span.IndexOf("\r\n\r\n"u8);
            if (headEnd < 0) return false;
            var head = Encoding.ASCII.GetString(span[..headEnd]);
            foreach (var line in Unfold(head))
            {
                var colon = line.IndexOf(':');
                if (colon <= 0 || !SipGrammar.IsToken(line.AsSpan(0, colon).TrimEnd(" \t"))) return false;
                if (line.AsSpan(0, colon).TrimEnd(" \t").Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    if (!SipMessage.TryParseMediaType(line[(colon + 1)..], out contentType)) return false;
                }
            }
            bodyStart = headEnd + 4;
        }
        else
        {
            bodyStart = 2;
        }
        // RFC 2046 §5.1: a part without Content-Type is text/plain.
        part = new SipBodyPart(contentType ?? "text/plain", raw[bodyStart..]);
        return true;
    }

    // RFC 5322 §2.2.3: a line starting with white space continues the previous header.
    private static List<string> Unfold(string head)
    {
        var lines = new List<string>();
        foreach (var line in head.Split("\r\n"))
        {
            if (line.Length > 0 && line[0] is ' ' or '\t' && lines.Count > 0) lines[^1] += " " + line.Trim();
            else lines.Add(line);
        }
        return lines;
    }
}

// One part of a multipart body: its media type (lower-case, no parameters) and content.
internal readonly record struct SipBodyPart(string ContentType, ReadOnlyMemory<byte> Body);
