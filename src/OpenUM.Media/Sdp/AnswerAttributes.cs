using System.Globalization;

namespace OpenUM.Media.Sdp;

// The a= lines of our offers and answers, each made once per payload type or value and then shared: attributes are
// immutable, and building "0 PCMU/8000" afresh for every call was a string per line per call.
internal static class AnswerAttributes
{
    private const string TelephoneEventFmtp = "0-15";

    private static readonly SdpAttribute?[] Pcmu = new SdpAttribute?[RtpMapTable.Size];
    private static readonly SdpAttribute?[] Pcma = new SdpAttribute?[RtpMapTable.Size];
    private static readonly SdpAttribute?[] EventMaps = new SdpAttribute?[RtpMapTable.Size];
    private static readonly SdpAttribute?[] EventFmtps = new SdpAttribute?[RtpMapTable.Size];
    private static readonly SdpAttribute?[] Ptimes = new SdpAttribute?[OfferAnswer.MaxPtimeMs + 1];

    /// <summary>a=rtpmap for a G.711 codec at 8000 Hz.</summary>
    public static SdpAttribute RtpMap(int pt, AudioCodec codec) => codec == AudioCodec.Pcma
        ? Shared(Pcma, pt, static p => RtpMapOf(p, "PCMA"))
        : Shared(Pcmu, pt, static p => RtpMapOf(p, "PCMU"));

    /// <summary>a=rtpmap for telephone-event at 8000 Hz.</summary>
    public static SdpAttribute TelephoneEventMap(int pt) => Shared(EventMaps, pt, static p => RtpMapOf(p, "telephone-event"));

    /// <summary>a=fmtp with the events we detect (the DTMF digits and flash, 0-15).</summary>
    public static SdpAttribute TelephoneEventFmtpOf(int pt) =>
        Shared(EventFmtps, pt, static p => new SdpAttribute("fmtp", SdpText.PayloadType(p) + " " + TelephoneEventFmtp));

    /// <summary>a=ptime in milliseconds.</summary>
    public static SdpAttribute Ptime(int ms) =>
        Shared(Ptimes, ms, static v => new SdpAttribute("ptime", v.ToString(CultureInfo.InvariantCulture)));

    private static SdpAttribute RtpMapOf(int pt, string encoding) => new("rtpmap", new SdpRtpMap(pt, encoding, 8000).ToString());

    // Two threads may both build an entry on first use; either copy is right, so no lock.
    private static SdpAttribute Shared(SdpAttribute?[] cache, int key, Func<int, SdpAttribute> create)
    {
        if ((uint)key >= (uint)cache.Length)
            return create(key);
        return cache[key] ??= create(key);
    }
}
