using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OpenUM.Media.Sdp;

/// <summary>The SDP o= line (RFC 4566 §5.2). The session id is kept as the digit string the peer sent.</summary>
public sealed record SdpOrigin(string UserName, string SessionId, ulong SessionVersion, string NetworkType,
    string AddressType, string Address)
{
    /// <summary>An origin for a session we own, with a fresh random session id.</summary>
    public static SdpOrigin Create(IPAddress address, string userName = "-")
    {
        // RFC 4566 suggests an NTP timestamp; any unique digit string works and a random one leaks nothing.
        ulong id = (ulong)System.Security.Cryptography.RandomNumberGenerator.GetInt32(1, int.MaxValue) << 16
            | (uint)System.Security.Cryptography.RandomNumberGenerator.GetInt32(0, 0x10000);
        return new SdpOrigin(userName, id.ToString(CultureInfo.InvariantCulture), 1, "IN",
            SdpConnection.AddressTypeOf(address), address.ToString());
    }

    /// <summary>The same origin with the version incremented (a changed session, RFC 3264 §8).</summary>
    public SdpOrigin NextVersion() => this with { SessionVersion = SessionVersion + 1 };

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{UserName} {SessionId} {SessionVersion} {NetworkType} {AddressType} {Address}");
}

/// <summary>The SDP c= line (RFC 4566 §5.7). <see cref="Address"/> may carry "/ttl[/count]" for multicast.</summary>
public sealed record SdpConnection(string NetworkType, string AddressType, string Address)
{
    /// <summary>A unicast IN IP4/IP6 connection line for <paramref name="address"/>.</summary>
    public static SdpConnection For(IPAddress address) => new("IN", AddressTypeOf(address), address.ToString());

    internal static string AddressTypeOf(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4";

    /// <summary>True for the RFC 2543 hold address 0.0.0.0 (still sent by older gateways).</summary>
    public bool IsNullAddress => TryGetAddress(out var a) && (a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any));

    /// <summary>Parses the address part as a literal IP address (host names are not resolved here).</summary>
    public bool TryGetAddress(out IPAddress address)
    {
        address = IPAddress.None;
        if (!string.Equals(NetworkType, "IN", StringComparison.Ordinal))
            return false;
        var text = Address.AsSpan();
        int slash = text.IndexOf('/');
        if (slash >= 0)
            text = text[..slash];
        if (!IPAddress.TryParse(text, out var parsed))
            return false;
        bool v6 = parsed.AddressFamily == AddressFamily.InterNetworkV6;
        if (v6 != string.Equals(AddressType, "IP6", StringComparison.Ordinal))
            return false;
        address = parsed;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{NetworkType} {AddressType} {Address}";
}

/// <summary>One a= line: a property attribute has a null value.</summary>
public sealed record SdpAttribute(string Name, string? Value)
{
    /// <inheritdoc />
    public override string ToString() => Value is null ? Name : Name + ":" + Value;
}

/// <summary>A parsed a=rtpmap value (RFC 4566 §6): "&lt;pt&gt; &lt;name&gt;/&lt;clock&gt;[/&lt;channels&gt;]".</summary>
public sealed record SdpRtpMap(int PayloadType, string EncodingName, int ClockRate, int? Channels = null)
{
    /// <summary>Parses an rtpmap value; false for a payload type outside 0-127 or a missing clock rate.</summary>
    public static bool TryParse(string? value, out SdpRtpMap? map)
    {
        map = null;
        if (value is null)
            return false;
        var s = value.AsSpan().Trim();
        int sp = s.IndexOf(' ');
        if (sp <= 0 || !SdpText.TryParseInt(s[..sp], 0, 127, out int pt))
            return false;
        var enc = s[(sp + 1)..].Trim();
        int slash = enc.IndexOf('/');
        if (slash <= 0)
            return false;
        var name = enc[..slash];
        var rest = enc[(slash + 1)..];
        int? channels = null;
        int slash2 = rest.IndexOf('/');
        if (slash2 >= 0)
        {
            if (!SdpText.TryParseInt(rest[(slash2 + 1)..], 1, 255, out int ch))
                return false;
            channels = ch;
            rest = rest[..slash2];
        }
        if (!SdpText.TryParseInt(rest, 1, 1_000_000, out int clock) || !SdpText.IsToken(name))
            return false;
        map = new SdpRtpMap(pt, name.ToString(), clock, channels);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{PayloadType} {EncodingName}/{ClockRate}{(Channels is { } c ? "/" + c : "")}");
}

/// <summary>RFC 4733 §2.4.1 telephone-event fmtp event lists ("0-15", "0-15,16").</summary>
public static class TelephoneEventList
{
    /// <summary>Parses an event list into a 256-bit set; false on empty elements, open or reversed ranges, or codes above 255.</summary>
    public static bool TryParse(string? value, out bool[] events)
    {
        events = new bool[256];
        if (string.IsNullOrWhiteSpace(value))
            return false;
        var s = value.AsSpan().Trim();
        while (true)
        {
            int comma = s.IndexOf(',');
            var item = comma >= 0 ? s[..comma] : s;
            int dash = item.IndexOf('-');
            if (dash >= 0)
            {
                if (!SdpText.TryParseInt(item[..dash], 0, 255, out int lo) || !SdpText.TryParseInt(item[(dash + 1)..], 0, 255, out int hi) || hi < lo)
                    return false;
                for (int e = lo; e <= hi; e++)
                    events[e] = true;
            }
            else
            {
                if (!SdpText.TryParseInt(item, 0, 255, out int e))
                    return false;
                events[e] = true;
            }
            if (comma < 0)
                return true;
            s = s[(comma + 1)..];
        }
    }
}

internal static class SdpText
{
    public static bool TryParseInt(ReadOnlySpan<char> s, int min, int max, out int value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 10)
            return false;
        long v = 0;
        foreach (char c in s)
        {
            if (c is < '0' or > '9')
                return false;
            v = v * 10 + (c - '0');
        }
        if (v < min || v > max)
            return false;
        value = (int)v;
        return true;
    }

    public static bool IsDigits(ReadOnlySpan<char> s, int maxLength)
    {
        if (s.IsEmpty || s.Length > maxLength)
            return false;
        foreach (char c in s)
        {
            if (c is < '0' or > '9')
                return false;
        }
        return true;
    }

    // RFC 4566 token: visible ASCII except the tspecials it lists.
    public static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
            return false;
        foreach (char c in s)
        {
            if (c is <= ' ' or > '~' or '(' or ')' or '<' or '>' or '@' or ',' or ';' or ':' or '\\' or '"' or '/' or '[' or ']' or '?' or '=' or '{' or '}')
                return false;
        }
        return true;
    }

    // Non-whitespace visible ASCII (the SDP grammar's "non-ws-string" restricted to ASCII for addresses/names).
    public static bool IsVisible(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
            return false;
        foreach (char c in s)
        {
            if (c is <= ' ' or (> '~' and < '\u00A0'))
                return false;
        }
        return true;
    }
}
