using System.Runtime.InteropServices;

namespace OpenUM.Media.Sdp;

/// <summary>One m= section of an SDP description with its media-level lines.</summary>
public sealed class SdpMedia
{
    /// <summary>Creates a media section.</summary>
    public SdpMedia(string media, int port, string protocol, IEnumerable<string> formats)
    {
        Media = media;
        Port = port;
        Protocol = protocol;
        Formats = [.. formats];
    }

    /// <summary>Media type: audio, video, application, ...</summary>
    public string Media { get; set; }

    /// <summary>Transport port; 0 means the stream is rejected or disabled (RFC 3264 §5.1).</summary>
    public int Port { get; set; }

    /// <summary>The optional "/count" after the port.</summary>
    public int? PortCount { get; set; }

    /// <summary>Transport protocol, e.g. RTP/AVP or RTP/SAVP.</summary>
    public string Protocol { get; set; }

    /// <summary>Media formats (RTP payload type numbers for RTP protocols), in the sender's preference order.</summary>
    public List<string> Formats { get; }

    /// <summary>i= line.</summary>
    public string? Information { get; set; }

    /// <summary>Media-level c= line (overrides the session-level one).</summary>
    public SdpConnection? Connection { get; set; }

    /// <summary>b= lines, raw ("AS:64").</summary>
    public List<string> Bandwidths => _bandwidths ??= [];

    // Made on first use: b= in a media section is rare.
    private List<string>? _bandwidths;

    /// <summary>k= line (obsolete, kept for round-trip).</summary>
    public string? Key { get; set; }

    /// <summary>a= lines in order, including ones we do not interpret (a=crypto, a=rtcp ...).</summary>
    public List<SdpAttribute> Attributes { get; } = [];

    /// <summary>True for RTP/AVP-family protocols (RTP/AVP, RTP/SAVP, RTP/AVPF, RTP/SAVPF).</summary>
    public bool IsRtp => Protocol.StartsWith("RTP/", StringComparison.OrdinalIgnoreCase);

    /// <summary>The media-level direction attribute, if any (the last one wins).</summary>
    public MediaDirection? Direction => SessionDescription.DirectionOf(Attributes);

    /// <summary>a=ptime in milliseconds, if present and numeric.</summary>
    public int? Ptime => ParseMs(GetAttribute("ptime"));

    /// <summary>a=maxptime in milliseconds, if present and numeric.</summary>
    public int? MaxPtime => ParseMs(GetAttribute("maxptime"));

    /// <summary>First value of the named attribute (case-insensitive name), or null.</summary>
    public string? GetAttribute(string name) => SessionDescription.FirstValue(Attributes, name);

    /// <summary>True if an attribute with this name is present.</summary>
    public bool HasAttribute(string name) =>
        Attributes.Exists(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Values of every attribute with this name.</summary>
    public IEnumerable<string?> GetAttributes(string name) =>
        Attributes.Where(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)).Select(a => a.Value);

    /// <summary>The valid rtpmap attributes of this section (malformed ones are skipped).</summary>
    public IEnumerable<SdpRtpMap> RtpMaps
    {
        get
        {
            foreach (var v in GetAttributes("rtpmap"))
            {
                if (SdpRtpMap.TryParse(v, out var map))
                    yield return map!;
            }
        }
    }

    /// <summary>The rtpmap for a payload type, or null.</summary>
    public SdpRtpMap? GetRtpMap(int payloadType)
    {
        foreach (var a in Attributes)
        {
            if (a.Value is not null && string.Equals(a.Name, "rtpmap", StringComparison.OrdinalIgnoreCase)
                && SdpRtpMap.TryParse(a.Value, out int pt, out var name, out int clock, out int? channels) && pt == payloadType)
                return new SdpRtpMap(pt, name.ToString(), clock, channels);
        }
        return null;
    }

    /// <summary>The fmtp parameters for a payload type ("a=fmtp:101 0-15" gives "0-15"), or null.</summary>
    public string? GetFmtp(int payloadType) => TryGetFmtp(payloadType, out var parameters) ? parameters.ToString() : null;

    // The first a=fmtp whose format is exactly this payload type's number; its parameters trimmed.
    internal bool TryGetFmtp(int payloadType, out ReadOnlySpan<char> parameters)
    {
        var prefix = SdpText.PayloadType(payloadType);
        foreach (var a in Attributes)
        {
            var v = a.Value;
            if (v is null || !string.Equals(a.Name, "fmtp", StringComparison.OrdinalIgnoreCase))
                continue;
            int sp = v.IndexOf(' ', StringComparison.Ordinal);
            if (sp > 0 && v.AsSpan(0, sp).SequenceEqual(prefix))
            {
                parameters = v.AsSpan(sp + 1).Trim();
                return true;
            }
        }
        parameters = default;
        return false;
    }

    /// <summary>Replaces any direction attribute with the given one.</summary>
    public void SetDirection(MediaDirection direction)
    {
        Attributes.RemoveAll(a => SessionDescription.ParseDirection(a.Name) is not null && a.Value is null);
        Attributes.Add(SessionDescription.DirectionAttribute(direction));
    }

    internal void WriteTo(ref SdpWriter w)
    {
        w.Start('m');
        w.Append(Media);
        w.Append(' ');
        w.AppendNumber(Port);
        if (PortCount is { } count)
        {
            w.Append('/');
            w.AppendNumber(count);
        }
        w.Append(' ');
        w.Append(Protocol);
        foreach (var f in Formats)
        {
            w.Append(' ');
            w.Append(f);
        }
        w.End();
        if (Information is not null)
            w.Line('i', Information);
        if (Connection is not null)
            w.Line('c', Connection);
        foreach (var b in CollectionsMarshal.AsSpan(_bandwidths))
            w.Line('b', b);
        if (Key is not null)
            w.Line('k', Key);
        foreach (var a in Attributes)
            w.Line('a', a);
    }

    // Some stacks write "20.0" or "20 ms"; take the leading integer.
    private static int? ParseMs(string? value)
    {
        if (value is null)
            return null;
        var s = value.AsSpan().Trim();
        int n = 0;
        while (n < s.Length && n < 6 && char.IsAsciiDigit(s[n]))
            n++;
        return n > 0 && SdpText.TryParseInt(s[..n], 0, 100_000, out int ms) ? ms : null;
    }
}
