using System.Buffers;
using System.Text;

namespace OpenUM.Media.Sdp;

// Line-oriented and strict about structure (RFC 4566 §5: v, o, s first; an unknown type letter rejects the
// whole description), tolerant about what peers commonly get wrong (LF-only line ends, missing t=, empty s=).
internal static class SdpParser
{
    // A SIP body as it arrived: decoded into a pooled buffer rather than a string that would live as long as the call.
    public static bool TryParseUtf8(ReadOnlySpan<byte> utf8, out SessionDescription? sdp, out string? error)
    {
        // Never more characters than bytes; only a body longer than the limit in bytes needs counting.
        int chars = utf8.Length <= SessionDescription.MaxLength ? utf8.Length : Encoding.UTF8.GetCharCount(utf8);
        if (chars > SessionDescription.MaxLength)
        {
            sdp = null;
            error = TooLarge(chars);
            return false;
        }
        var buffer = ArrayPool<char>.Shared.Rent(Math.Max(chars, 1));
        try
        {
            int length = Encoding.UTF8.GetChars(utf8, buffer);
            return TryParse(buffer.AsSpan(0, length), out sdp, out error);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    public static bool TryParse(ReadOnlySpan<char> text, out SessionDescription? sdp, out string? error)
    {
        sdp = null;
        try
        {
            error = Parse(text, out sdp);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Defence in depth: the parser is written not to throw; a bug must not become a crash.
            error = "malformed SDP: " + ex.Message;
        }
        if (error is not null)
            sdp = null;
        return error is null;
    }

    private static string TooLarge(int chars) => $"SDP too large ({chars} characters, limit {SessionDescription.MaxLength})";

    private static string? Parse(ReadOnlySpan<char> text, out SessionDescription? result)
    {
        result = null;
        if (text.IsEmpty)
            return "empty SDP";
        if (text.Length > SessionDescription.MaxLength)
            return TooLarge(text.Length);

        SessionDescription? sdp = null;
        SdpMedia? media = null;
        bool sawVersion = false, sawName = false;
        int lineNo = 0;
        var rest = text;
        while (!rest.IsEmpty)
        {
            int nl = rest.IndexOf('\n');
            var line = nl >= 0 ? rest[..nl] : rest;
            rest = nl >= 0 ? rest[(nl + 1)..] : [];
            if (!line.IsEmpty && line[^1] == '\r')
                line = line[..^1];
            lineNo++;
            if (lineNo > SessionDescription.MaxLines)
                return $"SDP has more than {SessionDescription.MaxLines} lines";
            if (line.IsEmpty)
                continue;
            if (line.Length < 2 || line[1] != '=' || line[0] is < 'a' or > 'z')
                return $"line {lineNo}: not a <type>=<value> line";
            if (line.IndexOfAny('\0', '\r') >= 0)
                return $"line {lineNo}: control character in line";
            char type = line[0];
            var value = line[2..];

            if (!sawVersion)
            {
                if (type != 'v')
                    return "SDP must start with v=";
                if (!value.SequenceEqual("0"))
                    return $"line {lineNo}: unsupported SDP version '{value}'";
                sawVersion = true;
                continue;
            }
            if (sdp is null)
            {
                if (type != 'o')
                    return $"line {lineNo}: o= must follow v=";
                if (!TryParseOrigin(value, out var origin))
                    return $"line {lineNo}: malformed o= line";
                sdp = new SessionDescription(origin!);
                continue;
            }

            if (type == 'm')
            {
                if (!sawName)
                    return $"line {lineNo}: s= missing before m=";
                if (sdp.Media.Count >= SessionDescription.MaxMediaSections)
                    return $"SDP has more than {SessionDescription.MaxMediaSections} m= lines";
                if (!TryParseMedia(value, out media, out var why))
                    return $"line {lineNo}: malformed m= line ({why})";
                sdp.Media.Add(media!);
                continue;
            }

            switch (type)
            {
                case 'v':
                case 'o':
                    return $"line {lineNo}: duplicate {type}= line";
                case 's' when media is null:
                    if (sawName)
                        return $"line {lineNo}: duplicate s= line";
                    sawName = true;
                    sdp.SessionName = value.ToString();
                    break;
                case 'i':
                    if (media is null)
                        sdp.Information = value.ToString();
                    else
                        media.Information = value.ToString();
                    break;
                case 'c':
                    if (!TryParseConnection(value, out var conn))
                        return $"line {lineNo}: malformed c= line";
                    if (media is null)
                        sdp.Connection = conn;
                    else
                        media.Connection = conn;
                    break;
                case 'b':
                    if (value.IndexOf(':') <= 0)
                        return $"line {lineNo}: malformed b= line";
                    (media?.Bandwidths ?? sdp.Bandwidths).Add(value.ToString());
                    break;
                case 't' when media is null:
                    if (!TryParseTiming(value))
                        return $"line {lineNo}: malformed t= line";
                    sdp.Timing.Add(SdpText.Intern(value));
                    break;
                case 'k':
                    if (media is null)
                        sdp.OtherFields.Add(new(type, value.ToString()));
                    else
                        media.Key = value.ToString();
                    break;
                case 'u' or 'e' or 'p' or 'r' or 'z' when media is null:
                    sdp.OtherFields.Add(new(type, value.ToString()));
                    break;
                case 'a':
                    if (!TryParseAttribute(value, out var attr))
                        return $"line {lineNo}: malformed a= line";
                    (media?.Attributes ?? sdp.Attributes).Add(attr!);
                    break;
                default:
                    return media is null
                        ? $"line {lineNo}: unknown or misplaced SDP line type '{type}='"
                        : $"line {lineNo}: '{type}=' not allowed in a media section";
            }
        }

        if (sdp is null)
            return sawVersion ? "o= line missing" : "SDP must start with v=";
        if (!sawName)
            return "s= line missing";
        result = sdp;
        return null;
    }

    private static bool TryParseOrigin(ReadOnlySpan<char> value, out SdpOrigin? origin)
    {
        origin = null;
        Span<Range> parts = stackalloc Range[7];
        if (value.Split(parts, ' ') != 6)
            return false;
        var user = value[parts[0]];
        var id = value[parts[1]];
        var ver = value[parts[2]];
        if (!SdpText.IsVisible(user) || !SdpText.IsDigits(id, 64) || !SdpText.IsDigits(ver, 20)
            || !ulong.TryParse(ver, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong version))
            return false;
        var net = value[parts[3]];
        var addrType = value[parts[4]];
        var addr = value[parts[5]];
        if (!SdpText.IsToken(net) || !SdpText.IsToken(addrType) || !SdpText.IsVisible(addr))
            return false;
        origin = new SdpOrigin(SdpText.Intern(user), id.ToString(), version, SdpText.Intern(net), SdpText.Intern(addrType), addr.ToString());
        return true;
    }

    private static bool TryParseConnection(ReadOnlySpan<char> value, out SdpConnection? connection)
    {
        connection = null;
        Span<Range> parts = stackalloc Range[4];
        if (value.Split(parts, ' ') != 3)
            return false;
        var net = value[parts[0]];
        var type = value[parts[1]];
        var addr = value[parts[2]];
        if (!SdpText.IsToken(net) || !SdpText.IsToken(type) || !SdpText.IsVisible(addr))
            return false;
        connection = new SdpConnection(SdpText.Intern(net), SdpText.Intern(type), addr.ToString());
        return true;
    }

    private static bool TryParseTiming(ReadOnlySpan<char> value)
    {
        Span<Range> parts = stackalloc Range[3];
        return value.Split(parts, ' ') == 2 && SdpText.IsDigits(value[parts[0]], 20) && SdpText.IsDigits(value[parts[1]], 20);
    }

    private static bool TryParseAttribute(ReadOnlySpan<char> value, out SdpAttribute? attribute)
    {
        attribute = null;
        int colon = value.IndexOf(':');
        var name = colon >= 0 ? value[..colon] : value;
        if (!SdpText.IsToken(name))
            return false;
        attribute = new SdpAttribute(SdpText.Intern(name), colon >= 0 ? SdpText.Intern(value[(colon + 1)..]) : null);
        return true;
    }

    private static bool TryParseMedia(ReadOnlySpan<char> value, out SdpMedia? media, out string why)
    {
        media = null;
        why = "too few fields";
        Span<Range> parts = stackalloc Range[4];
        if (value.Split(parts, ' ', StringSplitOptions.None) < 4)
            return false;
        var type = value[parts[0]];
        var portText = value[parts[1]];
        var proto = value[parts[2]];
        var formats = value[parts[3]];
        why = "bad media type or protocol";
        if (!SdpText.IsToken(type) || !SdpText.IsVisible(proto))
            return false;
        int? count = null;
        int slash = portText.IndexOf('/');
        if (slash >= 0)
        {
            why = "bad port count";
            if (!SdpText.TryParseInt(portText[(slash + 1)..], 1, 65535, out int c))
                return false;
            count = c;
            portText = portText[..slash];
        }
        why = "bad port";
        if (!SdpText.TryParseInt(portText, 0, 65535, out int port))
            return false;
        bool rtp = proto.StartsWith("RTP/", StringComparison.OrdinalIgnoreCase);
        var section = new SdpMedia(SdpText.Intern(type), port, SdpText.Intern(proto), []) { PortCount = count };
        var list = section.Formats;
        foreach (var r in formats.Split(' '))
        {
            var f = formats[r];
            why = "bad format";
            int pt = 0;
            if (f.IsEmpty || (rtp ? !SdpText.TryParseInt(f, 0, 127, out pt) : !SdpText.IsVisible(f)))
                return false;
            if (list.Count >= 128)
            {
                why = "too many formats";
                return false;
            }
            // A payload type written the usual way shares the one string for its number.
            var usual = rtp ? SdpText.PayloadType(pt) : null;
            list.Add(usual is not null && f.SequenceEqual(usual) ? usual : f.ToString());
        }
        media = section;
        return true;
    }
}
