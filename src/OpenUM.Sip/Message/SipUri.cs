using System.Globalization;
using System.Text;

namespace OpenUM.Sip.Message;

/// <summary>A sip:, sips: or tel: URI (RFC 3261 §19.1, RFC 3966).</summary>
public sealed class SipUri
{
    private static readonly KeyValuePair<string, string?>[] NoParameters = [];
    private static readonly KeyValuePair<string, string>[] NoHeaders = [];
    private string? _text;

    private SipUri(string scheme, string? user, string? password, string host, int? port,
        IReadOnlyList<KeyValuePair<string, string?>> parameters, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Scheme = scheme; User = user; Password = password; Host = host; Port = port;
        Parameters = parameters; Headers = headers;
    }

    // An absoluteURI of another scheme (RFC 3261 §25.1), kept as written.
    private SipUri(string scheme, string text)
    {
        Scheme = scheme;
        Host = "";
        Parameters = NoParameters;
        Headers = NoHeaders;
        _text = text;
    }

    /// <summary>Lower-case scheme: sip, sips or tel; any other scheme only when <see cref="IsOpaque"/>.</summary>
    public string Scheme { get; }
    /// <summary>Unescaped user part; for tel: the number.</summary>
    public string? User { get; }
    /// <summary>Unescaped password.</summary>
    public string? Password { get; }
    /// <summary>Host as written (brackets kept for IPv6); empty for tel:.</summary>
    public string Host { get; }
    /// <summary>Port, when given.</summary>
    public int? Port { get; }
    /// <summary>URI parameters in order, values as written (escapes kept).</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Parameters { get; }
    /// <summary>URI headers (?a=b) in order, as written.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }
    /// <summary>
    /// True for a URI of a scheme other than sip, sips and tel (an RFC 3261 absoluteURI such as http: or isbn:), which
    /// only a From, To or Contact value can carry: kept as written, with no user, host or parameters.
    /// </summary>
    public bool IsOpaque => Scheme is not ("sip" or "sips" or "tel");

    /// <summary>Value of a parameter (case-insensitive name); null when absent or valueless.</summary>
    public string? GetParameter(string name)
    {
        for (var i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)) return p.Value;
        }
        return null;
    }

    /// <summary>True when the parameter is present, with or without a value (e.g. ;lr).</summary>
    public bool HasParameter(string name)
    {
        for (var i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>Builds a sip: or sips: URI from parts (user unescaped).</summary>
    public static SipUri Create(string scheme, string? user, string host, int? port = null,
        IEnumerable<KeyValuePair<string, string?>>? parameters = null)
    {
        var text = new StringBuilder(scheme).Append(':');
        if (user is not null) text.Append(SipGrammar.Escape(user, SipGrammar.UserChars)).Append('@');
        text.Append(host);
        if (port is { } p) text.Append(':').Append(p.ToString(CultureInfo.InvariantCulture));
        foreach (var kv in parameters ?? [])
        {
            text.Append(';').Append(kv.Key);
            if (kv.Value is not null) text.Append('=').Append(kv.Value);
        }
        return Parse(text.ToString());
    }

    /// <summary>Parses a URI; false on bad input (including schemes other than sip, sips, tel).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out SipUri? uri) => TryParse(text, out uri, out _);

    /// <summary>Parses a URI; <see cref="FormatException"/> on bad input.</summary>
    public static SipUri Parse(string text) =>
        TryParse(text, out var uri) ? uri! : throw new FormatException($"Invalid SIP URI '{text}'.");

    // unsupportedScheme distinguishes 416 (well-formed scheme we do not serve) from 400 (garbage).
    internal static bool TryParse(ReadOnlySpan<char> text, out SipUri? uri, out bool unsupportedScheme) =>
        TryParse(text, build: true, out uri, out unsupportedScheme, out _);

    // The same grammar without building anything: the parser checks every URI of a message this way and leaves
    // the SipUri to the first reader. hasHeaders: a '?' part (not allowed in a Request-URI, RFC 3261 §19.1.1).
    internal static bool IsValid(ReadOnlySpan<char> text, bool anyScheme, out bool unsupportedScheme, out bool hasHeaders)
    {
        if (TryParse(text, build: false, out _, out unsupportedScheme, out hasHeaders)) return true;
        return anyScheme && unsupportedScheme && IsOpaqueUri(text);
    }

    private static bool TryParse(ReadOnlySpan<char> text, bool build, out SipUri? uri, out bool unsupportedScheme, out bool hasHeaders)
    {
        uri = null;
        unsupportedScheme = false;
        hasHeaders = false;
        var colon = text.IndexOf(':');
        if (colon <= 0) return false;
        var scheme = text[..colon];
        if (!char.IsAsciiLetter(scheme[0]) || scheme.ContainsAnyExcept(SchemeChars)) return false;
        var rest = text[(colon + 1)..];
        if (scheme.Equals("sip", StringComparison.OrdinalIgnoreCase)) return TryParseSip("sip", rest, build, out uri, out hasHeaders);
        if (scheme.Equals("sips", StringComparison.OrdinalIgnoreCase)) return TryParseSip("sips", rest, build, out uri, out hasHeaders);
        if (scheme.Equals("tel", StringComparison.OrdinalIgnoreCase)) return TryParseTel(rest, build, out uri);
        unsupportedScheme = true;
        return false;
    }

    // addr-spec = SIP-URI / SIPS-URI / absoluteURI (RFC 3261 §25.1): a From, To or Contact may name any scheme,
    // which is then carried, not understood. absoluteURI = scheme ":" ( hier-part / opaque-part ), both of them
    // one or more uric (reserved / unreserved / escaped).
    internal static bool TryParseAny(ReadOnlySpan<char> text, out SipUri? uri)
    {
        if (TryParse(text, out uri, out var unsupportedScheme)) return true;
        if (!unsupportedScheme || !IsOpaqueUri(text)) return false;
        uri = new SipUri(text[..text.IndexOf(':')].ToString().ToLowerInvariant(), text.ToString());
        return true;
    }

    // The part after the scheme of an absoluteURI whose scheme is well formed.
    private static bool IsOpaqueUri(ReadOnlySpan<char> text)
    {
        var rest = text[(text.IndexOf(':') + 1)..];
        return rest.Length > 0 && SipGrammar.IsEscapedRun(rest, SipGrammar.UricChars);
    }

    private static readonly System.Buffers.SearchValues<char> SchemeChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");

    private static bool TryParseSip(string scheme, ReadOnlySpan<char> s, bool build, out SipUri? uri, out bool hasHeaders)
    {
        uri = null;
        hasHeaders = false;
        string? user = null, password = null;
        var at = s.IndexOf('@');
        if (at >= 0)
        {
            var userinfo = s[..at];
            var pc = userinfo.IndexOf(':');
            var userPart = pc >= 0 ? userinfo[..pc] : userinfo;
            if (userPart.Length == 0 || !SipGrammar.IsEscapedRun(userPart, SipGrammar.UserChars)) return false;
            if (build) user = SipGrammar.Unescape(userPart);
            if (pc >= 0)
            {
                var pw = userinfo[(pc + 1)..];
                if (!SipGrammar.IsEscapedRun(pw, SipGrammar.PasswordChars)) return false;
                if (build) password = SipGrammar.Unescape(pw);
            }
            s = s[(at + 1)..];
        }

        var hostEnd = s.IndexOfAny(';', '?');
        var hostport = hostEnd < 0 ? s : s[..hostEnd];
        ReadOnlySpan<char> host;
        int? port = null;
        var portColon = hostport.Length > 0 && hostport[0] == '['
            ? (hostport.IndexOf(']') is var close and >= 0 && close + 1 < hostport.Length ? close + 1 : -1)
            : hostport.IndexOf(':');
        if (portColon >= 0)
        {
            if (hostport[portColon] != ':' || !SipGrammar.TryParsePort(hostport[(portColon + 1)..], out var p)) return false;
            port = p;
            host = hostport[..portColon];
        }
        else host = hostport;
        if (!SipGrammar.IsHost(host)) return false;

        var rest = hostEnd < 0 ? ReadOnlySpan<char>.Empty : s[hostEnd..];
        var headerStart = rest.IndexOf('?');
        var paramPart = headerStart >= 0 ? rest[..headerStart] : rest;
        if (!TryParseUriParams(paramPart, SipGrammar.ParamChars, build, out var parameters)) return false;
        IReadOnlyList<KeyValuePair<string, string>> headers = NoHeaders;
        hasHeaders = headerStart >= 0;
        if (hasHeaders && !TryParseUriHeaders(rest[(headerStart + 1)..], build, out headers)) return false;

        if (build) uri = new SipUri(scheme, user, password, host.ToString(), port, parameters, headers);
        return true;
    }

    private static bool TryParseTel(ReadOnlySpan<char> s, bool build, out SipUri? uri)
    {
        uri = null;
        var semi = s.IndexOf(';');
        var number = semi < 0 ? s : s[..semi];
        if (number.Length == 0 || number.ContainsAnyExcept(SipGrammar.TelChars)) return false;
        if (number[0] == '+')
        {
            // global-number-digits = "+" *phonedigit DIGIT *phonedigit
            var digits = number[1..];
            if (digits.IndexOfAnyInRange('0', '9') < 0 || digits.ContainsAnyExcept("0123456789-.()")) return false;
        }
        else if (number.IndexOfAnyExcept("-.()") < 0 || number.IndexOf('+') >= 0) return false;
        if (!TryParseUriParams(semi < 0 ? ReadOnlySpan<char>.Empty : s[semi..], SipGrammar.ParamChars, build, out var parameters))
        {
            return false;
        }
        if (build) uri = new SipUri("tel", number.ToString(), null, "", null, parameters, NoHeaders);
        return true;
    }

    private static bool TryParseUriParams(ReadOnlySpan<char> s, System.Buffers.SearchValues<char> allowed, bool build,
        out IReadOnlyList<KeyValuePair<string, string?>> parameters)
    {
        parameters = NoParameters;
        if (s.Length == 0) return true;
        var list = build ? SipGrammar.ParamScratch() : null;
        foreach (var range in s[1..].Split(';'))
        {
            var item = s[1..][range];
            var eq = item.IndexOf('=');
            var name = eq >= 0 ? item[..eq] : item;
            if (name.Length == 0 || !SipGrammar.IsEscapedRun(name, allowed))
            {
                list?.Clear();
                return false;
            }
            string? value = null;
            if (eq >= 0)
            {
                var v = item[(eq + 1)..];
                if (v.Length == 0 || !SipGrammar.IsEscapedRun(v, allowed))
                {
                    list?.Clear();
                    return false;
                }
                if (build) value = SipGrammar.Intern(v);
            }
            list?.Add(new KeyValuePair<string, string?>(SipGrammar.Intern(name), value));
        }
        if (list is not null) parameters = SipGrammar.ToArrayAndClear(list);
        return true;
    }

    private static bool TryParseUriHeaders(ReadOnlySpan<char> s, bool build, out IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        headers = NoHeaders;
        var list = build ? new List<KeyValuePair<string, string>>() : null;
        foreach (var range in s.Split('&'))
        {
            var item = s[range];
            var eq = item.IndexOf('=');
            if (eq <= 0) return false;
            var name = item[..eq];
            var value = item[(eq + 1)..];
            if (!SipGrammar.IsEscapedRun(name, SipGrammar.HeaderChars) ||
                !SipGrammar.IsEscapedRun(value, SipGrammar.HeaderChars))
            {
                return false;
            }
            list?.Add(new KeyValuePair<string, string>(name.ToString(), value.ToString()));
        }
        if (list is not null) headers = list;
        return true;
    }

    /// <summary>Canonical text: lower-case scheme, user re-escaped, parameters and headers as written.</summary>
    public override string ToString() => _text ??= Format();

    private string Format()
    {
        var sb = new StringBuilder(Scheme.Length + Host.Length + 32).Append(Scheme).Append(':');
        if (Scheme == "tel")
        {
            sb.Append(User);
        }
        else
        {
            if (User is not null)
            {
                sb.Append(SipGrammar.Escape(User, SipGrammar.UserChars));
                if (Password is not null) sb.Append(':').Append(SipGrammar.Escape(Password, SipGrammar.PasswordChars));
                sb.Append('@');
            }
            sb.Append(Host);
            if (Port is { } port) sb.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        }
        foreach (var p in Parameters)
        {
            sb.Append(';').Append(p.Key);
            if (p.Value is not null) sb.Append('=').Append(p.Value);
        }
        for (var i = 0; i < Headers.Count; i++)
        {
            sb.Append(i == 0 ? '?' : '&').Append(Headers[i].Key).Append('=').Append(Headers[i].Value);
        }
        return sb.ToString();
    }
}
