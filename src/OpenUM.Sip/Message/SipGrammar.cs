using System.Buffers;
using System.Net;
using System.Text;

namespace OpenUM.Sip.Message;

// Character classes and small grammar pieces of RFC 3261 §25.1 shared by the typed parsers.
internal static partial class SipGrammar
{
    private const string Alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string Mark = "-_.!~*'()";
    private const string TokenChars = Alnum + "-.!%*_+`'~";

    public static readonly SearchValues<char> Token = SearchValues.Create(TokenChars);
    public static readonly SearchValues<byte> TokenBytes = SearchValues.Create(Encoding.ASCII.GetBytes(TokenChars));
    // word (Call-ID): token plus ( ) < > : \ " / [ ] ? { }
    public static readonly SearchValues<char> Word = SearchValues.Create(TokenChars + "()<>:\\\"/[]?{}");
    public static readonly SearchValues<char> HostChars = SearchValues.Create(Alnum + "-.");
    public static readonly SearchValues<char> TelChars = SearchValues.Create("0123456789abcdefABCDEF*#+-.()");
    public static readonly SearchValues<char> UserChars = SearchValues.Create(Alnum + Mark + "&=+$,;?/");
    public static readonly SearchValues<char> PasswordChars = SearchValues.Create(Alnum + Mark + "&=+$,");
    // '%' is absent on purpose: IsEscapedRun validates each %xx itself.
    public static readonly SearchValues<char> ParamChars = SearchValues.Create(Alnum + Mark + "[]/:&+$");
    public static readonly SearchValues<char> HeaderChars = SearchValues.Create(Alnum + Mark + "[]/?:+$");
    // uric (RFC 2396 as RFC 3261 §25.1 uses it): reserved and unreserved; '%' is checked by IsEscapedRun.
    public static readonly SearchValues<char> UricChars = SearchValues.Create(Alnum + Mark + ";/?:@&=+$,");

    public static readonly string[] KnownMethods =
        ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO", "REGISTER", "SUBSCRIBE", "NOTIFY", "REFER",
         "MESSAGE", "UPDATE", "PRACK", "PUBLISH"];

    // Parameter names and values seen on every call; reusing them keeps parsing to the strings that differ.
    private static readonly string[] CommonWords =
        ["tag", "branch", "rport", "received", "transport", "user", "lr", "maddr", "ttl", "method", "expires", "q",
         "reason", "counter", "privacy", "index", "phone-context", "tcp", "udp", "tls", "TCP", "UDP", "TLS", "phone",
         "ws", "wss", "ob", "no-answer", "unconditional", "user-busy", "off", "full"];

    public static string Intern(ReadOnlySpan<char> s)
    {
        foreach (var word in CommonWords)
        {
            if (s.SequenceEqual(word)) return word;
        }
        return s.ToString();
    }

    // Methods of RFC 3261 and its extensions: a UAS answers these 405 when it refuses them, anything else 501.
    public static bool IsKnownMethod(string method)
    {
        foreach (var known in KnownMethods)
        {
            if (ReferenceEquals(known, method) || string.Equals(known, method, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    public static string InternMethod(ReadOnlySpan<char> s)
    {
        foreach (var method in KnownMethods)
        {
            if (s.SequenceEqual(method)) return method;
        }
        return s.ToString();
    }

    // One scratch list per thread: parameters are collected there and copied once into an exact-size array.
    [ThreadStatic] private static List<KeyValuePair<string, string?>>? t_paramScratch;

    public static List<KeyValuePair<string, string?>> ParamScratch()
    {
        var list = t_paramScratch ??= new List<KeyValuePair<string, string?>>(8);
        list.Clear();
        return list;
    }

    public static KeyValuePair<string, string?>[] ToArrayAndClear(List<KeyValuePair<string, string?>> list)
    {
        var array = list.Count == 0 ? [] : list.ToArray();
        list.Clear();
        return array;
    }

    private static readonly SearchValues<char> Ipv6Chars = SearchValues.Create("0123456789abcdefABCDEF:.");

    public static bool IsToken(ReadOnlySpan<char> s) => s.Length > 0 && !s.ContainsAnyExcept(Token);

    public static bool IsWord(ReadOnlySpan<char> s) => s.Length > 0 && !s.ContainsAnyExcept(Word);

    public static bool IsWsp(char c) => c is ' ' or '\t';

    public static ReadOnlySpan<char> TrimWsp(ReadOnlySpan<char> s) => s.Trim(" \t");

    /// <summary>Lenient split for accessors: trims, skips empty elements.</summary>
    public static void SplitTopLevelCommas(string value, List<string> into)
    {
        var span = value.AsSpan();
        var start = 0;
        while (start <= span.Length)
        {
            var end = NextTopLevelComma(span, start);
            if (end < 0) end = span.Length;
            var item = TrimWsp(span[start..end]);
            if (item.Length > 0)
            {
                into.Add(item.Length == value.Length ? value : item.ToString());
            }
            start = end + 1;
        }
    }

    /// <summary>Index of the next comma outside quotes and angle brackets, or -1; -2 when quoting is unbalanced.</summary>
    public static int NextTopLevelComma(ReadOnlySpan<char> s, int start)
    {
        var inQuote = false;
        var inAngle = false;
        for (var i = start; i < s.Length; i++)
        {
            var c = s[i];
            if (inQuote)
            {
                if (c == '\\') i++;
                else if (c == '"') inQuote = false;
            }
            else if (inAngle)
            {
                if (c == '>') inAngle = false;
            }
            else if (c == '"') inQuote = true;
            else if (c == '<') inAngle = true;
            else if (c == ',') return i;
        }
        return inQuote || inAngle ? -2 : -1;
    }

    /// <summary>Strict split for validation: false on an empty element or unbalanced quoting.</summary>
    public static bool TryForEachElement<TState>(ReadOnlySpan<char> s, ref TState state, ElementVisitor<TState> visit)
    {
        var start = 0;
        while (true)
        {
            var end = NextTopLevelComma(s, start);
            if (end == -2) return false;
            var last = end < 0;
            if (last) end = s.Length;
            var item = TrimWsp(s[start..end]);
            if (item.Length == 0 || !visit(item, ref state)) return false;
            if (last) return true;
            start = end + 1;
        }
    }

    public delegate bool ElementVisitor<TState>(ReadOnlySpan<char> element, ref TState state);

    /// <summary>Reads a quoted-string at s[pos] (which must be '"'); returns the unescaped content.</summary>
    public static bool TryReadQuoted(ReadOnlySpan<char> s, ref int pos, out string content)
    {
        content = "";
        if (pos >= s.Length || s[pos] != '"') return false;
        var i = pos + 1;
        StringBuilder? sb = null;
        var runStart = i;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '"')
            {
                if (sb is null) content = s[runStart..i].ToString();
                else content = sb.Append(s[runStart..i]).ToString();
                pos = i + 1;
                return true;
            }
            if (c == '\\')
            {
                // quoted-pair excludes CR and LF (RFC 3261 §25.1)
                if (i + 1 >= s.Length || s[i + 1] is '\r' or '\n') return false;
                sb ??= new StringBuilder();
                sb.Append(s[runStart..i]).Append(s[i + 1]);
                i += 2;
                runStart = i;
                continue;
            }
            if (c < 0x20 && c != '\t') return false;
            i++;
        }
        return false;
    }

    /// <summary>Skips a quoted-string (validating escapes); false when unterminated.</summary>
    public static bool SkipQuoted(ReadOnlySpan<char> s, ref int pos)
    {
        if (pos >= s.Length || s[pos] != '"') return false;
        for (var i = pos + 1; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\')
            {
                if (i + 1 >= s.Length || s[i + 1] is '\r' or '\n') return false;
                i++;
            }
            else if (c == '"')
            {
                pos = i + 1;
                return true;
            }
            else if (c < 0x20 && c != '\t') return false;
        }
        return false;
    }

    public static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            if (c is '"' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    public static void SkipWsp(ReadOnlySpan<char> s, ref int pos)
    {
        while (pos < s.Length && IsWsp(s[pos])) pos++;
    }

    // A text with a colon is never an IPv4 address: IsValid then answers for IPv6 without building an IPAddress.
    public static bool IsIPv6(ReadOnlySpan<char> s) =>
        s.Length >= 2 && s.IndexOf('%') < 0 && !s.ContainsAnyExcept("0123456789abcdefABCDEF:.") && s.Contains(':') &&
        IPAddress.IsValid(s);

    /// <summary>hostname / IPv4address / IPv6reference (brackets included).</summary>
    public static bool IsHost(ReadOnlySpan<char> s)
    {
        if (s.Length == 0) return false;
        if (s[0] == '[') return s.Length > 2 && s[^1] == ']' && IsIPv6(s[1..^1]);
        if (s.ContainsAnyExcept(HostChars)) return false;
        // hostname labels: no empty label (except a trailing dot), no leading/trailing hyphen
        var trimmed = s[^1] == '.' ? s[..^1] : s;
        if (trimmed.Length == 0) return false;
        foreach (var range in trimmed.Split('.'))
        {
            var label = trimmed[range];
            if (label.Length == 0 || label[0] == '-' || label[^1] == '-') return false;
        }
        return true;
    }

    public static bool TryParsePort(ReadOnlySpan<char> s, out int port)
    {
        port = 0;
        if (s.Length is 0 or > 5 || !TryReadDigits(s, out var v)) return false;
        port = (int)v;
        return port <= 65535;
    }

    public static bool TryParseUInt(ReadOnlySpan<char> s, uint max, out uint value)
    {
        value = 0;
        if (s.Length is 0 or > 10 || !TryReadDigits(s, out var v) || v > max) return false;
        value = (uint)v;
        return true;
    }

    // At most 10 ASCII digits (ports, CSeq, Content-Length, Max-Forwards), read by hand: no culture, no number
    // styles, and nothing allocated even before the JIT has optimized the caller.
    private static bool TryReadDigits(ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (c is < '0' or > '9') return false;
            value = (value * 10) + (ulong)(c - '0');
        }
        return true;
    }

    /// <summary>Validates %xx escapes and that the rest is in <paramref name="allowed"/>.</summary>
    public static bool IsEscapedRun(ReadOnlySpan<char> s, SearchValues<char> allowed)
    {
        while (true)
        {
            var i = s.IndexOfAnyExcept(allowed);
            if (i < 0) return true;
            if (s[i] != '%' || i + 2 >= s.Length || !char.IsAsciiHexDigit(s[i + 1]) || !char.IsAsciiHexDigit(s[i + 2])) return false;
            s = s[(i + 3)..];
        }
    }

    /// <summary>Decodes %xx (as UTF-8 bytes); input must have passed <see cref="IsEscapedRun"/>.</summary>
    public static string Unescape(ReadOnlySpan<char> s)
    {
        if (s.IndexOf('%') < 0) return s.ToString();
        var bytes = new byte[s.Length];
        var n = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '%')
            {
                bytes[n++] = (byte)((HexValue(s[i + 1]) << 4) | HexValue(s[i + 2]));
                i += 2;
            }
            else bytes[n++] = (byte)s[i];
        }
        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    /// <summary>Escapes every character not in <paramref name="allowed"/> as %XX of its UTF-8 bytes.</summary>
    public static string Escape(string s, SearchValues<char> allowed)
    {
        if (!s.AsSpan().ContainsAnyExcept(allowed)) return s;
        var sb = new StringBuilder(s.Length + 8);
        Span<byte> buf = stackalloc byte[4];
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (allowed.Contains(c))
            {
                sb.Append(c);
                continue;
            }
            var len = char.IsHighSurrogate(c) && i + 1 < s.Length
                ? Encoding.UTF8.GetBytes(s.AsSpan(i++, 2), buf)
                : Encoding.UTF8.GetBytes(s.AsSpan(i, 1), buf);
            for (var k = 0; k < len; k++) sb.Append('%').Append(buf[k].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
