namespace OpenUM.Media.Sdp;

// What each payload type 0-127 of one m= section stands for, from its a=rtpmap lines read once: negotiation asks
// about the same few payload types several times (per preferred codec, then for telephone-event), and asking the
// attribute list each time would parse every line again. The caller's stack holds the table.
internal readonly ref struct RtpMapTable
{
    public const int Size = 128;

    private enum Kind : byte
    {
        NoRtpMap,        // static payload types stand for themselves (RFC 3551 §6)
        Pcmu,            // PCMU/8000, mono
        Pcma,            // PCMA/8000, mono
        TelephoneEvent,  // telephone-event/8000
        Other,
    }

    private readonly Span<byte> _kinds;

    public RtpMapTable(SdpMedia m, Span<byte> kinds)
    {
        _kinds = kinds[..Size];
        _kinds.Clear();
        foreach (var a in m.Attributes)
        {
            // The first valid rtpmap of a payload type counts; malformed ones are skipped.
            if (a.Value is null || !string.Equals(a.Name, "rtpmap", StringComparison.OrdinalIgnoreCase)
                || !SdpRtpMap.TryParse(a.Value, out int pt, out var name, out int clock, out int? channels)
                || _kinds[pt] != (byte)Kind.NoRtpMap)
                continue;
            _kinds[pt] = (byte)KindOf(name, clock, channels);
        }
    }

    /// <summary>The G.711 codec a payload type stands for, or null.</summary>
    public AudioCodec? CodecOf(int pt) => KindAt(pt) switch
    {
        Kind.Pcmu => AudioCodec.Pcmu,
        Kind.Pcma => AudioCodec.Pcma,
        Kind.NoRtpMap => pt switch { 0 => AudioCodec.Pcmu, 8 => AudioCodec.Pcma, _ => null },
        _ => null,
    };

    /// <summary>True when an rtpmap makes the payload type RFC 4733 telephone-event at 8000 Hz.</summary>
    public bool IsTelephoneEvent(int pt) => KindAt(pt) == Kind.TelephoneEvent;

    private Kind KindAt(int pt) => (uint)pt < Size ? (Kind)_kinds[pt] : Kind.NoRtpMap;

    private static Kind KindOf(ReadOnlySpan<char> name, int clock, int? channels)
    {
        if (clock != 8000)
            return Kind.Other;
        if (name.Equals("telephone-event", StringComparison.OrdinalIgnoreCase))
            return Kind.TelephoneEvent;
        if (channels is > 1)
            return Kind.Other;
        if (name.Equals("PCMU", StringComparison.OrdinalIgnoreCase))
            return Kind.Pcmu;
        return name.Equals("PCMA", StringComparison.OrdinalIgnoreCase) ? Kind.Pcma : Kind.Other;
    }
}
