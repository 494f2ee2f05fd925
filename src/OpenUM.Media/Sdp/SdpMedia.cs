using System.Globalization;
using System.Text;

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
    public List<string> Bandwidths { get; } = [];

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
    public string? GetAttribute(string name) =>
        Attributes.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;

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
    public SdpRtpMap? GetRtpMap(int payloadType) => RtpMaps.FirstOrDefault(m => m.PayloadType == payloadType);

    /// <summary>The fmtp parameters for a payload type ("a=fmtp:101 0-15" gives "0-15"), or null.</summary>
    public string? GetFmtp(int payloadType)
    {
        var prefix = payloadType.ToString(CultureInfo.InvariantCulture);
        foreach (var v in GetAttributes("fmtp"))
        {
            if (v is null)
                continue;
            int sp = v.IndexOf(' ', StringComparison.Ordinal);
            if (sp > 0 && v.AsSpan(0, sp).SequenceEqual(prefix))
                return v[(sp + 1)..].Trim();
        }
        return null;
    }

    /// <summary>Replaces any direction attribute with the given one.</summary>
    public void SetDirection(MediaDirection direction)
    {
        Attributes.RemoveAll(a => SessionDescription.ParseDirection(a.Name) is not null && a.Value is null);
        Attributes.Add(new SdpAttribute(SessionDescription.DirectionName(direction), null));
    }

    internal void AppendTo(StringBuilder sb)
    {
        sb.Append("m=").Append(Media).Append(' ').Append(Port.ToString(CultureInfo.InvariantCulture));
        if (PortCount is { } count)
            sb.Append('/').Append(count.ToString(CultureInfo.InvariantCulture));
        sb.Append(' ').Append(Protocol);
        foreach (var f in Formats)
            sb.Append(' ').Append(f);
        sb.Append("\r\n");
        if (Information is not null)
            sb.Append("i=").Append(Information).Append("\r\n");
        if (Connection is not null)
            sb.Append("c=").Append(Connection.ToString()).Append("\r\n");
        foreach (var b in Bandwidths)
            sb.Append("b=").Append(b).Append("\r\n");
        if (Key is not null)
            sb.Append("k=").Append(Key).Append("\r\n");
        foreach (var a in Attributes)
            sb.Append("a=").Append(a.ToString()).Append("\r\n");
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
