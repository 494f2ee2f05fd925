using System.Globalization;
using System.Net;
using System.Text;
using OpenUM.Sip.Transactions;

namespace OpenUM.Sip.Message;

/// <summary>One Via value (RFC 3261 §20.42, RFC 3581 rport).</summary>
public sealed class SipVia
{
    private string? _text;

    /// <summary>Creates a Via with a branch (use the "z9hG4bK" magic cookie prefix).</summary>
    public SipVia(string transport, string host, int? port, string branch)
        : this(transport, host, port, [new KeyValuePair<string, string?>("branch", branch)])
    {
        if (!SipGrammar.IsToken(branch)) throw new ArgumentException("A branch must be a token.", nameof(branch));
        if (!SipGrammar.IsToken(transport)) throw new ArgumentException("A transport must be a token.", nameof(transport));
        if (!SipGrammar.IsHost(host)) throw new ArgumentException("Invalid host.", nameof(host));
    }

    private SipVia(string transport, string host, int? port, IReadOnlyList<KeyValuePair<string, string?>> parameters)
    {
        Transport = transport switch
        {
            "TCP" or "tcp" => "TCP",
            "UDP" or "udp" => "UDP",
            "TLS" or "tls" => "TLS",
            _ => transport.ToUpperInvariant(),
        };
        Host = host;
        Port = port;
        Parameters = parameters;
    }

    /// <summary>Transport, upper-case (UDP, TCP, TLS...).</summary>
    public string Transport { get; }
    /// <summary>sent-by host as written.</summary>
    public string Host { get; }
    /// <summary>sent-by port.</summary>
    public int? Port { get; }
    /// <summary>branch parameter.</summary>
    public string? Branch => Get("branch", out _);
    /// <summary>received parameter.</summary>
    public string? Received => Get("received", out _);
    /// <summary>True when an rport parameter is present (with or without value).</summary>
    public bool HasRPort
    {
        get
        {
            Get("rport", out var found);
            return found;
        }
    }
    /// <summary>rport value, when the parameter has one.</summary>
    public int? RPort => Get("rport", out _) is { } v && SipGrammar.TryParsePort(v, out var p) ? p : null;
    /// <summary>Parameters in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Parameters { get; }

    // Indexed rather than foreach: enumerating the IReadOnlyList interface boxes an enumerator, and the branch
    // is read for every transaction lookup.
    private string? Get(string name, out bool found)
    {
        for (var i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                found = true;
                return p.Value;
            }
        }
        found = false;
        return null;
    }

    /// <summary>Parses one via-parm (not a comma-separated list).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out SipVia? via)
    {
        via = null;
        if (!TryRead(text, out var parts)) return false;
        if (!SipGrammar.TryParseGenericParams(parts.Text, parts.ParamsStart, out var parameters, viaParams: true)) return false;
        via = new SipVia(SipGrammar.Intern(parts.Transport), parts.Host.ToString(), parts.Port, parameters);
        return true;
    }

    // The parts of one via-parm the transaction layer reads, as spans of the text: what matching a request needs
    // without building a SipVia (the first occurrence of a parameter counts, as for Parameters).
    internal readonly ref struct Parts
    {
        public ReadOnlySpan<char> Text { get; init; }        // the via-parm, white space trimmed
        public ReadOnlySpan<char> Transport { get; init; }
        public ReadOnlySpan<char> Host { get; init; }
        public int? Port { get; init; }
        public int ParamsStart { get; init; }
        public ReadOnlySpan<char> Branch { get; init; }
        public bool HasBranch { get; init; }
        public bool HasRPort { get; init; }
    }

    // Validates one via-parm with everything TryParse checks, and allocates nothing.
    internal static bool TryRead(ReadOnlySpan<char> text, out Parts parts)
    {
        parts = default;
        var s = SipGrammar.TrimWsp(text);
        var pos = 0;
        if (!ReadToken(s, ref pos, out var protocol) || !protocol.Equals("SIP", StringComparison.OrdinalIgnoreCase)) return false;
        if (!ReadSlash(s, ref pos) || !ReadToken(s, ref pos, out var version) || !version.SequenceEqual("2.0")) return false;
        if (!ReadSlash(s, ref pos) || !ReadToken(s, ref pos, out var transport)) return false;
        var wsStart = pos;
        SipGrammar.SkipWsp(s, ref pos);
        if (pos == wsStart || pos >= s.Length) return false;

        var hostStart = pos;
        if (s[pos] == '[')
        {
            var close = s[pos..].IndexOf(']');
            if (close < 0) return false;
            pos += close + 1;
        }
        else
        {
            var len = s[pos..].IndexOfAnyExcept(SipGrammar.HostChars);
            pos = len < 0 ? s.Length : pos + len;
        }
        var host = s[hostStart..pos];
        if (!SipGrammar.IsHost(host)) return false;
        int? port = null;
        var afterHost = pos;
        SipGrammar.SkipWsp(s, ref pos);
        if (pos < s.Length && s[pos] == ':')
        {
            pos++;
            SipGrammar.SkipWsp(s, ref pos);
            var len = s[pos..].IndexOfAnyExceptInRange('0', '9');
            var digits = len < 0 ? s[pos..] : s.Slice(pos, len);
            if (!SipGrammar.TryParsePort(digits, out var p)) return false;
            port = p;
            pos += digits.Length;
        }
        else pos = afterHost;

        var paramsStart = pos;
        ReadOnlySpan<char> branch = default;
        bool hasBranch = false, hasRPort = false;
        SipGrammar.ParamStep step;
        while ((step = SipGrammar.NextGenericParam(s, ref pos, viaParams: true, out var param)) == SipGrammar.ParamStep.Param)
        {
            var name = s[param.Name];
            var value = param.HasValue ? s[param.Value] : default;
            if (!IsValidParam(name, value, param.HasValue)) return false;
            if (!hasBranch && name.Equals("branch", StringComparison.OrdinalIgnoreCase))
            {
                hasBranch = true;
                branch = value;
            }
            else if (name.Equals("rport", StringComparison.OrdinalIgnoreCase)) hasRPort = true;
        }
        if (step == SipGrammar.ParamStep.Bad) return false;
        parts = new Parts
        {
            Text = s, Transport = transport, Host = host, Port = port, ParamsStart = paramsStart,
            Branch = branch, HasBranch = hasBranch, HasRPort = hasRPort,
        };
        return true;
    }

    // Where an error response goes over UDP when the top Via value does not parse (RFC 4475 §3.1.2.1 extra
    // separators, §3.1.2.16 SIP/7.0): the sent-by port and whether rport was asked, read from
    // "protocol / version / transport LWS host [ : port ]" and the parameter names after it, whatever else is
    // wrong. Addressing only: a message is never accepted on the strength of this.
    internal static bool TryReadReplyAddress(ReadOnlySpan<char> value, out int? port, out bool rport)
    {
        port = null;
        rport = false;
        var comma = SipGrammar.NextTopLevelComma(value, 0);
        var s = SipGrammar.TrimWsp(comma >= 0 ? value[..comma] : value);
        var pos = 0;
        if (!ReadToken(s, ref pos, out _) || !ReadSlash(s, ref pos) || !ReadToken(s, ref pos, out _)
            || !ReadSlash(s, ref pos) || !ReadToken(s, ref pos, out _))
        {
            return false;
        }
        var wsStart = pos;
        SipGrammar.SkipWsp(s, ref pos);
        if (pos == wsStart || pos >= s.Length) return false;
        var hostStart = pos;
        if (s[pos] == '[')
        {
            var close = s[pos..].IndexOf(']');
            pos = close < 0 ? pos : pos + close + 1;
        }
        else
        {
            var len = s[pos..].IndexOfAnyExcept(SipGrammar.HostChars);
            pos = len < 0 ? s.Length : pos + len;
        }
        if (!SipGrammar.IsHost(s[hostStart..pos])) return false;
        SipGrammar.SkipWsp(s, ref pos);
        if (pos < s.Length && s[pos] == ':')
        {
            pos++;
            SipGrammar.SkipWsp(s, ref pos);
            var len = s[pos..].IndexOfAnyExceptInRange('0', '9');
            if (!SipGrammar.TryParsePort(len < 0 ? s[pos..] : s.Slice(pos, len), out var p)) return false;
            port = p;
            pos = len < 0 ? s.Length : pos + len;
            SipGrammar.SkipWsp(s, ref pos);
        }
        if (pos < s.Length && s[pos] != ';') return false; // the host or port runs on: no address to trust
        foreach (var range in s[pos..].Split(';'))
        {
            var param = s[pos..][range];
            var eq = param.IndexOf('=');
            if (SipGrammar.TrimWsp(eq < 0 ? param : param[..eq]).Equals("rport", StringComparison.OrdinalIgnoreCase)) rport = true;
        }
        return true;
    }

    private static bool IsValidParam(ReadOnlySpan<char> name, ReadOnlySpan<char> value, bool hasValue)
    {
        if (name.Equals("branch", StringComparison.OrdinalIgnoreCase)) return hasValue && SipGrammar.IsToken(value);
        if (name.Equals("received", StringComparison.OrdinalIgnoreCase))
        {
            return hasValue && value.IndexOfAnyExcept("0123456789abcdefABCDEF:.") < 0 && IPAddress.IsValid(value);
        }
        if (name.Equals("rport", StringComparison.OrdinalIgnoreCase)) return !hasValue || SipGrammar.TryParsePort(value, out _);
        if (name.Equals("ttl", StringComparison.OrdinalIgnoreCase)) return hasValue && SipGrammar.TryParseUInt(value, 255, out _);
        if (name.Equals("maddr", StringComparison.OrdinalIgnoreCase)) return hasValue && SipGrammar.IsHost(value);
        return true;
    }

    private static bool ReadToken(ReadOnlySpan<char> s, scoped ref int pos, out ReadOnlySpan<char> token)
    {
        var len = s[pos..].IndexOfAnyExcept(SipGrammar.Token);
        if (len < 0) len = s.Length - pos;
        token = s.Slice(pos, len);
        pos += len;
        return len > 0;
    }

    private static bool ReadSlash(ReadOnlySpan<char> s, ref int pos)
    {
        SipGrammar.SkipWsp(s, ref pos);
        if (pos >= s.Length || s[pos] != '/') return false;
        pos++;
        SipGrammar.SkipWsp(s, ref pos);
        return true;
    }

    /// <summary>
    /// Copy with received set (RFC 3261 §18.2.1) and, only when the request carried rport, the rport value
    /// (RFC 3581 §4: a server inserts the port only if the client asked for it).
    /// </summary>
    public SipVia WithReceived(string received, int? rport)
    {
        ArgumentException.ThrowIfNullOrEmpty(received);
        var list = new List<KeyValuePair<string, string?>>(Parameters.Count + 1);
        var done = false;
        foreach (var p in Parameters)
        {
            if (string.Equals(p.Key, "received", StringComparison.OrdinalIgnoreCase))
            {
                if (!done) list.Add(new("received", received));
                done = true;
            }
            else if (string.Equals(p.Key, "rport", StringComparison.OrdinalIgnoreCase) && rport is { } rp)
            {
                list.Add(new("rport", rp.ToString(CultureInfo.InvariantCulture)));
            }
            else list.Add(p);
        }
        if (!done) list.Add(new("received", received));
        return new SipVia(Transport, Host, Port, list.ToArray());
    }

    // One via-parm with received (and rport's value when given) set, as WithReceived(...).ToString() of its parse
    // would write it, built from the text in one string; null when it does not parse (RFC 3261 §18.2.1, RFC 3581 §4).
    internal static string? Stamp(ReadOnlySpan<char> text, IPAddress received, int? rport)
    {
        // Each parameter can grow by an rport value at most; longer values are rare enough to go the long way.
        if (text.Length > MaxStampedInput) return StampParsed(text, received, rport);
        if (!TryRead(text, out var parts)) return null;
        Span<char> buffer = stackalloc char[2 * MaxStampedInput + 96];
        var w = new KeyWriter(buffer);
        w.Append("SIP/2.0/");
        w.AppendUpper(parts.Transport);
        w.Append(' ');
        w.Append(parts.Host);
        if (parts.Port is { } port)
        {
            w.Append(':');
            w.Append((uint)port);
        }
        var s = parts.Text;
        var pos = parts.ParamsStart;
        var receivedDone = false;
        while (SipGrammar.NextGenericParam(s, ref pos, viaParams: true, out var param) == SipGrammar.ParamStep.Param)
        {
            var name = s[param.Name];
            if (name.Equals("received", StringComparison.OrdinalIgnoreCase))
            {
                // The first received takes the new address; any later one goes.
                if (!receivedDone) AppendReceived(ref w, received);
                receivedDone = true;
                continue;
            }
            if (rport is { } rp && name.Equals("rport", StringComparison.OrdinalIgnoreCase))
            {
                w.Append(";rport=");
                w.Append((uint)rp);
                continue;
            }
            w.Append(';');
            w.Append(name);
            if (param.HasValue)
            {
                w.Append('=');
                w.Append(s[param.Value]);
            }
        }
        if (!receivedDone) AppendReceived(ref w, received);
        return w.Overflowed ? StampParsed(text, received, rport) : buffer[..w.Length].ToString();
    }

    // The same through a parsed SipVia: what Stamp must equal.
    internal static string? StampParsed(ReadOnlySpan<char> text, IPAddress received, int? rport) =>
        TryParse(text, out var via) ? via!.WithReceived(received.ToString(), rport).ToString() : null;

    private const int MaxStampedInput = 320;

    private static void AppendReceived(ref KeyWriter w, IPAddress received)
    {
        Span<char> address = stackalloc char[64];
        w.Append(";received=");
        if (received.TryFormat(address, out var n)) w.Append(address[..n]);
        else w.Append(received.ToString());
    }

    /// <summary>Copy with an extra parameter appended (e.g. "rport" with null value on outgoing requests).</summary>
    public SipVia WithParameter(string name, string? value)
    {
        if (!SipGrammar.IsToken(name)) throw new ArgumentException("A parameter name must be a token.", nameof(name));
        return new SipVia(Transport, Host, Port, [.. Parameters, new KeyValuePair<string, string?>(name, value)]);
    }

    /// <summary>Canonical text, e.g. "SIP/2.0/TCP host:5060;branch=z9hG4bK1".</summary>
    public override string ToString() => _text ??= Format();

    private string Format()
    {
        var sb = new StringBuilder(64).Append("SIP/2.0/").Append(Transport).Append(' ').Append(Host);
        if (Port is { } port) sb.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        foreach (var p in Parameters)
        {
            sb.Append(';').Append(p.Key);
            if (p.Value is not null) sb.Append('=').Append(p.Value);
        }
        return sb.ToString();
    }
}
