using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OpenUM.Media.Sdp;

/// <summary>The SDP o= line (RFC 4566 §5.2). The session id is kept as the digit string the peer sent.</summary>
public sealed record SdpOrigin(string UserName, string SessionId, ulong SessionVersion, string NetworkType,
    string AddressType, string Address) : ISdpWritable
{
    /// <summary>An origin for a session we own, with a fresh random session id.</summary>
    public static SdpOrigin Create(IPAddress address, string userName = "-")
    {
        // RFC 4566 suggests an NTP timestamp; any unique digit string works and a random one leaks nothing. The draws
        // come from the per-thread CSPRNG buffer: a RandomNumberGenerator call is ~1.2 us, and every answer made two.
        ulong id = (ulong)(SecureRandomDraws.Next(int.MaxValue - 1) + 1) << 16 | (uint)SecureRandomDraws.Next(0x10000);
        return new SdpOrigin(userName, id.ToString(CultureInfo.InvariantCulture), 1, "IN",
            SdpConnection.AddressTypeOf(address), address.ToString());
    }

    /// <summary>The same origin with the version incremented (a changed session, RFC 3264 §8).</summary>
    public SdpOrigin NextVersion() => this with { SessionVersion = SessionVersion + 1 };

    /// <inheritdoc />
    public override string ToString() => SdpWriter.Format(this);

    void ISdpWritable.WriteTo(ref SdpWriter w)
    {
        w.Append(UserName);
        w.Append(' ');
        w.Append(SessionId);
        w.Append(' ');
        w.AppendNumber(SessionVersion);
        w.Append(' ');
        SdpConnection.WriteAddress(ref w, NetworkType, AddressType, Address);
    }
}

/// <summary>The SDP c= line (RFC 4566 §5.7). <see cref="Address"/> may carry "/ttl[/count]" for multicast.</summary>
public sealed record SdpConnection(string NetworkType, string AddressType, string Address) : ISdpWritable
{
    /// <summary>A unicast IN IP4/IP6 connection line for <paramref name="address"/>.</summary>
    public static SdpConnection For(IPAddress address) => new("IN", AddressTypeOf(address), address.ToString());

    internal static string AddressTypeOf(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4";

    /// <summary>True for the RFC 2543 hold address 0.0.0.0 (still sent by older gateways).</summary>
    public bool IsNullAddress => TryGetAddress(out var a) && IsNull(a);

    internal static bool IsNull(IPAddress a) => a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any);

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
    public override string ToString() => SdpWriter.Format(this);

    void ISdpWritable.WriteTo(ref SdpWriter w) => WriteAddress(ref w, NetworkType, AddressType, Address);

    // "<nettype> <addrtype> <address>", the tail of o= and the whole of c=.
    internal static void WriteAddress(ref SdpWriter w, string networkType, string addressType, string address)
    {
        w.Append(networkType);
        w.Append(' ');
        w.Append(addressType);
        w.Append(' ');
        w.Append(address);
    }
}

/// <summary>One a= line: a property attribute has a null value.</summary>
public sealed record SdpAttribute(string Name, string? Value) : ISdpWritable
{
    /// <inheritdoc />
    public override string ToString() => Value is null ? Name : Name + ":" + Value;

    void ISdpWritable.WriteTo(ref SdpWriter w)
    {
        w.Append(Name);
        if (Value is not null)
        {
            w.Append(':');
            w.Append(Value);
        }
    }
}

/// <summary>A parsed a=rtpmap value (RFC 4566 §6): "&lt;pt&gt; &lt;name&gt;/&lt;clock&gt;[/&lt;channels&gt;]".</summary>
public sealed record SdpRtpMap(int PayloadType, string EncodingName, int ClockRate, int? Channels = null)
{
    /// <summary>Parses an rtpmap value; false for a payload type outside 0-127 or a missing clock rate.</summary>
    public static bool TryParse(string? value, out SdpRtpMap? map)
    {
        map = null;
        if (value is null || !TryParse(value, out int pt, out var name, out int clock, out int? channels))
            return false;
        map = new SdpRtpMap(pt, name.ToString(), clock, channels);
        return true;
    }

    // The parse without allocation: negotiation only needs to compare the name.
    internal static bool TryParse(ReadOnlySpan<char> value, out int payloadType, out ReadOnlySpan<char> name, out int clockRate, out int? channels)
    {
        name = default;
        clockRate = 0;
        channels = null;
        var s = value.Trim();
        int sp = s.IndexOf(' ');
        if (sp <= 0 || !SdpText.TryParseInt(s[..sp], 0, 127, out payloadType))
        {
            payloadType = 0;
            return false;
        }
        var enc = s[(sp + 1)..].Trim();
        int slash = enc.IndexOf('/');
        if (slash <= 0)
            return false;
        var encoding = enc[..slash];
        var rest = enc[(slash + 1)..];
        int slash2 = rest.IndexOf('/');
        if (slash2 >= 0)
        {
            if (!SdpText.TryParseInt(rest[(slash2 + 1)..], 1, 255, out int ch))
                return false;
            channels = ch;
            rest = rest[..slash2];
        }
        if (!SdpText.TryParseInt(rest, 1, 1_000_000, out clockRate) || !SdpText.IsToken(encoding))
            return false;
        name = encoding;
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
        return value is not null && TryParse(value, events);
    }

    // Into a caller's 256-entry set (cleared first), so a check needs no array.
    internal static bool TryParse(ReadOnlySpan<char> value, Span<bool> events)
    {
        events.Clear();
        if (value.IsWhiteSpace())
            return false;
        var s = value.Trim();
        while (true)
        {
            int comma = s.IndexOf(',');
            var item = comma >= 0 ? s[..comma] : s;
            int dash = item.IndexOf('-');
            if (dash >= 0)
            {
                if (!SdpText.TryParseInt(item[..dash], 0, 255, out int lo) || !SdpText.TryParseInt(item[(dash + 1)..], 0, 255, out int hi) || hi < lo)
                    return false;
                events[lo..(hi + 1)].Fill(true);
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
    private static readonly string[] PayloadTypes = CreatePayloadTypes();

    // "0" .. "127", made once: every m= line and every answer names a few of them.
    public static string PayloadType(int pt) =>
        (uint)pt < (uint)PayloadTypes.Length ? PayloadTypes[pt] : pt.ToString(CultureInfo.InvariantCulture);

    // The words nearly every offer repeats, as shared strings; anything else is copied.
    public static string Intern(ReadOnlySpan<char> s) => s switch
    {
        "IN" => "IN",
        "IP4" => "IP4",
        "IP6" => "IP6",
        "-" => "-",
        "0 0" => "0 0",
        "audio" => "audio",
        "video" => "video",
        "RTP/AVP" => "RTP/AVP",
        "RTP/SAVP" => "RTP/SAVP",
        "rtpmap" => "rtpmap",
        "fmtp" => "fmtp",
        "ptime" => "ptime",
        "maxptime" => "maxptime",
        "sendrecv" => "sendrecv",
        "sendonly" => "sendonly",
        "recvonly" => "recvonly",
        "inactive" => "inactive",
        "crypto" => "crypto",
        "rtcp" => "rtcp",
        "0 PCMU/8000" => "0 PCMU/8000",
        "8 PCMA/8000" => "8 PCMA/8000",
        "101 telephone-event/8000" => "101 telephone-event/8000",
        "101 0-15" => "101 0-15",
        "101 0-16" => "101 0-16",
        "20" => "20",
        "30" => "30",
        _ => s.ToString(),
    };

    private static string[] CreatePayloadTypes()
    {
        var texts = new string[128];
        for (int i = 0; i < texts.Length; i++)
            texts[i] = i.ToString(CultureInfo.InvariantCulture);
        return texts;
    }

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
