using System.Runtime.InteropServices;

namespace OpenUM.Media.Sdp;

/// <summary>An SDP session description (RFC 4566): parse with <see cref="TryParse"/>, write with <see cref="ToString"/>.</summary>
public sealed partial class SessionDescription : ISdpWritable
{
    /// <summary>Largest description accepted, in characters.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>Most lines accepted.</summary>
    public const int MaxLines = 1000;

    /// <summary>Most m= sections accepted.</summary>
    public const int MaxMediaSections = 16;

    // Made on first use: most descriptions have no session-level b=, a= or other lines.
    private List<string>? _bandwidths;
    private List<KeyValuePair<char, string>>? _otherFields;
    private List<SdpAttribute>? _attributes;

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
    public List<string> Bandwidths => _bandwidths ??= [];

    /// <summary>t= values ("0 0"); written as "t=0 0" when empty.</summary>
    public List<string> Timing { get; } = [];

    /// <summary>Other session-level lines kept for round-trip (u, e, p, r, z, k), in order.</summary>
    public List<KeyValuePair<char, string>> OtherFields => _otherFields ??= [];

    /// <summary>Session-level a= lines.</summary>
    public List<SdpAttribute> Attributes => _attributes ??= [];

    /// <summary>m= sections in order.</summary>
    public List<SdpMedia> Media { get; } = [];

    /// <summary>Session-level direction attribute, if any.</summary>
    public MediaDirection? Direction => DirectionOf(_attributes);

    /// <summary>Direction of a stream: its own attribute, else the session's, else sendrecv (RFC 3264 §5.1).</summary>
    public MediaDirection EffectiveDirection(SdpMedia media) => media.Direction ?? Direction ?? MediaDirection.SendRecv;

    /// <summary>The c= that applies to a stream: media-level, else session-level.</summary>
    public SdpConnection? EffectiveConnection(SdpMedia media) => media.Connection ?? Connection;

    /// <summary>First value of a session-level attribute, or null.</summary>
    public string? GetAttribute(string name) => FirstValue(_attributes, name);

    // A loop, not LINQ: a lambda capturing the name would cost an allocation per lookup.
    internal static string? FirstValue(List<SdpAttribute>? attributes, string name)
    {
        foreach (var a in CollectionsMarshal.AsSpan(attributes))
        {
            if (string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))
                return a.Value;
        }
        return null;
    }

    /// <summary>Parses; on failure returns a message naming the line. Never throws.</summary>
    public static bool TryParse(string text, out SessionDescription? sdp, out string? error) =>
        SdpParser.TryParse(text.AsSpan(), out sdp, out error);

    /// <summary>Parses a UTF-8 body (invalid sequences read as U+FFFD) without making a string of it. Never throws.</summary>
    public static bool TryParseUtf8(ReadOnlySpan<byte> utf8, out SessionDescription? sdp, out string? error) =>
        SdpParser.TryParseUtf8(utf8, out sdp, out error);

    /// <summary>Parses or throws <see cref="FormatException"/>.</summary>
    public static SessionDescription Parse(string text) =>
        TryParse(text, out var sdp, out var error) ? sdp! : throw new FormatException(error);

    /// <summary>The description as CRLF-terminated lines.</summary>
    public override string ToString() => SdpWriter.Format(this);

    /// <summary>UTF-8 bytes of <see cref="ToString"/> (a SIP body), encoded straight from the text buffer.</summary>
    public byte[] ToBytes() => SdpWriter.FormatUtf8(this);

    void ISdpWritable.WriteTo(ref SdpWriter w)
    {
        w.Start('v');
        w.AppendNumber(Version);
        w.End();
        w.Line('o', Origin);
        w.Line('s', SessionName);
        if (Information is not null)
            w.Line('i', Information);
        WriteOther(ref w, "uep");
        if (Connection is not null)
            w.Line('c', Connection);
        foreach (var b in CollectionsMarshal.AsSpan(_bandwidths))
            w.Line('b', b);
        if (Timing.Count == 0)
            w.Append("t=0 0\r\n");
        foreach (var t in Timing)
            w.Line('t', t);
        WriteOther(ref w, "rzk");
        foreach (var a in CollectionsMarshal.AsSpan(_attributes))
            w.Line('a', a);
        foreach (var m in Media)
            m.WriteTo(ref w);
    }

    private void WriteOther(ref SdpWriter w, string types)
    {
        foreach (var kv in CollectionsMarshal.AsSpan(_otherFields))
        {
            if (types.Contains(kv.Key, StringComparison.Ordinal))
                w.Line(kv.Key, kv.Value);
        }
    }

    internal static MediaDirection? DirectionOf(List<SdpAttribute>? attributes)
    {
        MediaDirection? result = null;
        foreach (var a in CollectionsMarshal.AsSpan(attributes))
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

    private static readonly SdpAttribute SendOnly = new("sendonly", null), RecvOnly = new("recvonly", null),
        Inactive = new("inactive", null), SendRecv = new("sendrecv", null);

    // Shared: attributes are immutable, and every answer carries one of these four.
    internal static SdpAttribute DirectionAttribute(MediaDirection d) => d switch
    {
        MediaDirection.SendOnly => SendOnly,
        MediaDirection.RecvOnly => RecvOnly,
        MediaDirection.Inactive => Inactive,
        _ => SendRecv,
    };
}
