using System.Globalization;
using System.Text;

namespace OpenUM.Media.Sdp;

/// <summary>An SDP session description (RFC 4566): parse with <see cref="TryParse"/>, write with <see cref="ToString"/>.</summary>
public sealed partial class SessionDescription
{
    /// <summary>Largest description accepted, in characters.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>Most lines accepted.</summary>
    public const int MaxLines = 1000;

    /// <summary>Most m= sections accepted.</summary>
    public const int MaxMediaSections = 16;

    /// <summary>Creates a description with the given origin.</summary>
    public SessionDescription(SdpOrigin origin, string sessionName = "-")
    {
        Origin = origin;
        SessionName = sessionName;
    }

    /// <summary>v= (always 0).</summary>
    public int Version { get; set; }

    /// <summary>o= line.</summary>
    public SdpOrigin Origin { get; set; }

    /// <summary>s= line.</summary>
    public string SessionName { get; set; }

    /// <summary>i= line at session level.</summary>
    public string? Information { get; set; }

    /// <summary>Session-level c= line (used by media sections that have none).</summary>
    public SdpConnection? Connection { get; set; }

    /// <summary>Session-level b= lines, raw.</summary>
    public List<string> Bandwidths { get; } = [];

    /// <summary>t= values ("0 0"); written as "t=0 0" when empty.</summary>
    public List<string> Timing { get; } = [];

    /// <summary>Other session-level lines kept for round-trip (u, e, p, r, z, k), in order.</summary>
    public List<KeyValuePair<char, string>> OtherFields { get; } = [];

    /// <summary>Session-level a= lines.</summary>
    public List<SdpAttribute> Attributes { get; } = [];

    /// <summary>m= sections in order.</summary>
    public List<SdpMedia> Media { get; } = [];

    /// <summary>Session-level direction attribute, if any.</summary>
    public MediaDirection? Direction => DirectionOf(Attributes);

    /// <summary>Direction of a stream: its own attribute, else the session's, else sendrecv (RFC 3264 §5.1).</summary>
    public MediaDirection EffectiveDirection(SdpMedia media) => media.Direction ?? Direction ?? MediaDirection.SendRecv;

    /// <summary>The c= that applies to a stream: media-level, else session-level.</summary>
    public SdpConnection? EffectiveConnection(SdpMedia media) => media.Connection ?? Connection;

    /// <summary>First value of a session-level attribute, or null.</summary>
    public string? GetAttribute(string name) =>
        Attributes.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;

    /// <summary>Parses; on failure returns a message naming the line. Never throws.</summary>
    public static bool TryParse(string text, out SessionDescription? sdp, out string? error) =>
        SdpParser.TryParse(text, out sdp, out error);

    /// <summary>Parses or throws <see cref="FormatException"/>.</summary>
    public static SessionDescription Parse(string text) =>
        TryParse(text, out var sdp, out var error) ? sdp! : throw new FormatException(error);

    /// <summary>The description as CRLF-terminated lines.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(512);
        sb.Append("v=").Append(Version.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("o=").Append(Origin.ToString()).Append("\r\n");
        sb.Append("s=").Append(SessionName).Append("\r\n");
        if (Information is not null)
            sb.Append("i=").Append(Information).Append("\r\n");
        AppendOther(sb, "uep");
        if (Connection is not null)
            sb.Append("c=").Append(Connection.ToString()).Append("\r\n");
        foreach (var b in Bandwidths)
            sb.Append("b=").Append(b).Append("\r\n");
        if (Timing.Count == 0)
            sb.Append("t=0 0\r\n");
        foreach (var t in Timing)
            sb.Append("t=").Append(t).Append("\r\n");
        AppendOther(sb, "rzk");
        foreach (var a in Attributes)
            sb.Append("a=").Append(a.ToString()).Append("\r\n");
        foreach (var m in Media)
            m.AppendTo(sb);
        return sb.ToString();
    }

    /// <summary>UTF-8 bytes of <see cref="ToString"/> (a SIP body).</summary>
    public byte[] ToBytes() => Encoding.UTF8.GetBytes(ToString());

    private void AppendOther(StringBuilder sb, string types)
    {
        foreach (var kv in OtherFields)
        {
            if (types.Contains(kv.Key, StringComparison.Ordinal))
                sb.Append(kv.Key).Append('=').Append(kv.Value).Append("\r\n");
        }
    }

    internal static MediaDirection? DirectionOf(List<SdpAttribute> attributes)
    {
        MediaDirection? result = null;
        foreach (var a in attributes)
        {
            if (a.Value is null && ParseDirection(a.Name) is { } d)
                result = d;
        }
        return result;
    }

    internal static MediaDirection? ParseDirection(string name) => name switch
    {
        "sendrecv" => MediaDirection.SendRecv,
        "sendonly" => MediaDirection.SendOnly,
        "recvonly" => MediaDirection.RecvOnly,
        "inactive" => MediaDirection.Inactive,
        _ => null,
    };

    internal static string DirectionName(MediaDirection d) => d switch
    {
        MediaDirection.SendOnly => "sendonly",
        MediaDirection.RecvOnly => "recvonly",
        MediaDirection.Inactive => "inactive",
        _ => "sendrecv",
    };
}
