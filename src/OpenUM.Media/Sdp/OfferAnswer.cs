using System.Globalization;
using System.Net;

namespace OpenUM.Media.Sdp;

/// <summary>RFC 3264 offer/answer for one G.711 audio stream with optional RFC 4733 telephone-event and SDES-keyed SRTP.</summary>
public static partial class OfferAnswer
{
    /// <summary>Payload type we put in our own offers for telephone-event.</summary>
    public const int DefaultTelephoneEventPayloadType = 101;

    /// <summary>ptime used when the offer has none or one outside 10-40 ms.</summary>
    public const int DefaultPtimeMs = 20;

    /// <summary>The longest packet time taken from an SDP (a longer one falls back to the default).</summary>
    public const int MaxPtimeMs = 40;

    private const string SessionName = "OpenUM";

    /// <summary>
    /// Answers an offer (RFC 3264 §6): accepts the first usable audio stream, rejects the others with port 0.
    /// SrtpMode.Off: an RTP/AVP stream is answered plain (its a=crypto lines, "SRTP if you can", are ignored); an
    /// RTP/SAVP-only offer is refused (488), because an answer must keep the offered transport (RFC 3264 §6) and
    /// peers that insist on SRTP, given an RTP/AVP answer anyway, set up a call without audio (baresip does). The
    /// 488 lets a gateway with SRTP fallback re-offer RTP/AVP. SrtpMode.Required: only an RTP/SAVP or RTP/AVP stream with an acceptable a=crypto
    /// line is usable; the answer keeps its protocol and carries that line's tag with a fresh key. A re-INVITE
    /// (<paramref name="previous"/> set) gets fresh keys too, which RFC 4568 §7.1.4 allows.
    /// </summary>
    public static OfferAnswerResult Answer(SessionDescription offer, MediaCapabilities caps,
        IPAddress localAddress, int localRtpPort, SdpOrigin? previous = null)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(caps);
        ArgumentNullException.ThrowIfNull(localAddress);
        Validate(caps);

        bool required = caps.Srtp == SrtpMode.Required;
        var prefs = required ? caps.EffectiveSrtpSuites : [];
        var diag = required ? new SrtpDiagnostics() : null;
        NegotiatedMedia? chosen = null;
        SdpMedia? acceptedLine = null;
        int chosenIndex = -1;
        string? firstProblem = null;
        for (int i = 0; i < offer.Media.Count && chosen is null; i++)
        {
            var m = offer.Media[i];
            if (m.Port == 0 || !IsAudio(m))
                continue;
            bool avp = string.Equals(m.Protocol, "RTP/AVP", StringComparison.OrdinalIgnoreCase);
            bool savp = string.Equals(m.Protocol, "RTP/SAVP", StringComparison.OrdinalIgnoreCase);
            SdesCrypto? crypto = null;
            if (required)
            {
                if (!avp && !savp)
                    continue;
                crypto = SelectCrypto(m, prefs, diag!);
                if (crypto is null)
                    continue;
            }
            else if (!avp)
            {
                continue;
            }
            var accepted = TryAccept(offer, m, caps, localRtpPort, m.Protocol, out var media, out var problem);
            if (accepted is null)
            {
                firstProblem ??= problem;
                continue;
            }
            chosen = crypto is null ? media : media! with { Srtp = KeyAnswer(accepted, crypto, caps) };
            acceptedLine = accepted;
            chosenIndex = i;
        }

        if (chosen is null)
        {
            bool sawAudio = offer.Media.Exists(m => m.Port != 0 && IsAudio(m));
            bool sawSavp = offer.Media.Exists(m => m.Port != 0 && IsAudio(m) && m.Protocol.StartsWith("RTP/SAVP", StringComparison.OrdinalIgnoreCase));
            string reason = firstProblem
                ?? (required ? diag!.Reason(prefs, sawAudio)
                : sawSavp ? "This dial plan uses plain RTP; the offer is RTP/SAVP only (offer RTP/AVP, with or without a=crypto)"
                : sawAudio ? "No RTP/AVP audio stream"
                : "No audio stream offered");
            return OfferAnswerResult.Fail(reason);
        }
        // Only now the origin: a refused offer costs no random draw.
        var origin = previous?.NextVersion() ?? SdpOrigin.Create(localAddress);
        var answer = new SessionDescription(origin, SessionName) { Connection = SdpConnection.For(localAddress) };
        answer.Timing.AddRange(offer.Timing); // RFC 3264 §6: t= of the answer equals the offer's
        answer.Media.EnsureCapacity(offer.Media.Count);
        for (int i = 0; i < offer.Media.Count; i++)
            answer.Media.Add(i == chosenIndex ? acceptedLine! : Rejected(offer.Media[i]));
        return new OfferAnswerResult(true, answer, chosen, 0, null);
    }

    private static SessionDescription BuildOffer(MediaCapabilities caps, IPAddress localAddress, int localRtpPort, string protocol)
    {
        var offer = new SessionDescription(SdpOrigin.Create(localAddress), SessionName) { Connection = SdpConnection.For(localAddress) };
        offer.Timing.Add("0 0");
        var formats = caps.Codecs.Distinct().Select(c => ((int)c).ToString(CultureInfo.InvariantCulture)).ToList();
        if (caps.TelephoneEvent)
            formats.Add(DefaultTelephoneEventPayloadType.ToString(CultureInfo.InvariantCulture));
        var m = new SdpMedia("audio", localRtpPort, protocol, formats);
        foreach (var c in caps.Codecs.Distinct())
            m.Attributes.Add(AnswerAttributes.RtpMap((int)c, c));
        if (caps.TelephoneEvent)
            AddTelephoneEvent(m, DefaultTelephoneEventPayloadType);
        m.Attributes.Add(AnswerAttributes.Ptime(DefaultPtimeMs));
        m.SetDirection(MediaDirection.SendRecv);
        offer.Media.Add(m);
        return offer;
    }

    /// <summary>
    /// Reads the answer to an offer from <see cref="CreateOffer"/> (RFC 3264 §7); null with an error when it is unusable. For a secured offer the answer must be
    /// RTP/SAVP with one a=crypto whose tag and suite match an offered line; the result's Srtp then holds our
    /// offered key for that tag (Send) and the answerer's key (Receive).
    /// </summary>
    public static NegotiatedMedia? ReadAnswer(LocalOffer offer, SessionDescription answer, out string? error)
    {
        ArgumentNullException.ThrowIfNull(offer);
        return ReadAnswer(offer.Sdp, offer.IsSecured ? offer : null, answer, out error);
    }

    private static NegotiatedMedia? ReadAnswer(SessionDescription offer, LocalOffer? secured, SessionDescription answer, out string? error)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.Media.Count != offer.Media.Count)
        {
            error = $"answer has {answer.Media.Count} m= lines, offer had {offer.Media.Count}";
            return null;
        }
        Span<byte> offerKinds = stackalloc byte[RtpMapTable.Size];
        Span<byte> answerKinds = stackalloc byte[RtpMapTable.Size];
        for (int i = 0; i < answer.Media.Count; i++)
        {
            var o = offer.Media[i];
            var a = answer.Media[i];
            if (a.Port == 0 || o.Port == 0 || !IsAudio(o))
                continue;
            if (secured is not null && string.Equals(a.Protocol, "RTP/AVP", StringComparison.OrdinalIgnoreCase))
            {
                error = "answer is plain RTP/AVP; our offer required SRTP";
                return null;
            }
            if (!string.Equals(a.Protocol, o.Protocol, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(a.Protocol, secured is null ? "RTP/AVP" : "RTP/SAVP", StringComparison.OrdinalIgnoreCase))
                continue;
            // The answer may only use formats we offered; take its first G.711 one.
            var offerMaps = new RtpMapTable(o, offerKinds);
            var answerMaps = new RtpMapTable(a, answerKinds);
            foreach (var f in a.Formats)
            {
                if (!o.Formats.Contains(f) || !int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out int pt))
                    continue;
                var codec = offerMaps.CodecOf(pt) ?? answerMaps.CodecOf(pt);
                if (codec is null)
                    continue;
                if (!TryRemote(answer, a, out var remote))
                {
                    error = "answer has no usable c= address for the audio stream";
                    return null;
                }
                int? te = FindTelephoneEvent(a, answerMaps) is { } tpt && o.Formats.Contains(tpt.ToString(CultureInfo.InvariantCulture)) ? tpt : null;
                var theirs = answer.EffectiveDirection(a);
                var ours = Hold(Reverse(theirs), remote);
                SrtpSession? srtp = null;
                if (secured is not null && (srtp = ReadAnswerCrypto(secured, a, out error)) is null)
                    return null;
                error = null;
                return new NegotiatedMedia(codec.Value, pt, te, remote, ours, PtimeOf(a, answer), srtp);
            }
            error = "answer selected no codec we offered";
            return null;
        }
        error = "answer accepted no audio stream";
        return null;
    }

    private static SdpMedia? TryAccept(SessionDescription offer, SdpMedia m, MediaCapabilities caps, int localPort,
        string protocol, out NegotiatedMedia? negotiated, out string? problem)
    {
        negotiated = null;
        var rtpMaps = new RtpMapTable(m, stackalloc byte[RtpMapTable.Size]);
        int? pt = null;
        AudioCodec codec = default;
        foreach (var preferred in caps.Codecs)
        {
            foreach (var f in m.Formats)
            {
                if (int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && rtpMaps.CodecOf(p) == preferred)
                {
                    pt = p;
                    codec = preferred;
                    break;
                }
            }
            if (pt is not null)
                break;
        }
        if (pt is null)
        {
            problem = "No common codec (offered " + string.Join(' ', m.Formats.Select(f => DescribeFormat(m, f))) + "; we support "
                + string.Join(' ', caps.Codecs.Select(EncodingName)) + ")";
            return null;
        }
        if (!TryRemote(offer, m, out var remote))
        {
            problem = "No usable c= address for the audio stream";
            return null;
        }
        problem = null;

        int? te = caps.TelephoneEvent ? FindTelephoneEvent(m, rtpMaps) : null;
        var theirs = offer.EffectiveDirection(m);
        var ours = Hold(Reverse(theirs), remote);
        int ptime = PtimeOf(m, offer);

        var accepted = new SdpMedia("audio", localPort, protocol, []);
        accepted.Attributes.EnsureCapacity(6); // rtpmap, telephone-event's two, ptime, direction, a=crypto
        accepted.Formats.Add(SdpText.PayloadType(pt.Value));
        if (te is { } tpt)
            accepted.Formats.Add(SdpText.PayloadType(tpt));
        accepted.Attributes.Add(AnswerAttributes.RtpMap(pt.Value, codec));
        if (te is { } tp)
            AddTelephoneEvent(accepted, tp);
        accepted.Attributes.Add(AnswerAttributes.Ptime(ptime));
        accepted.Attributes.Add(SessionDescription.DirectionAttribute(ours));
        negotiated = new NegotiatedMedia(codec, pt.Value, te, remote, ours, ptime);
        return accepted;
    }

    private static bool IsAudio(SdpMedia m) => string.Equals(m.Media, "audio", StringComparison.OrdinalIgnoreCase);

    // RFC 3264 §6: a rejected stream keeps its media type and protocol, port 0, and at least one format.
    private static SdpMedia Rejected(SdpMedia offered)
    {
        var rejected = new SdpMedia(offered.Media, 0, offered.Protocol, []);
        rejected.Formats.Add(offered.Formats.Count > 0 ? offered.Formats[0] : "0");
        return rejected;
    }

    private static void AddTelephoneEvent(SdpMedia m, int pt)
    {
        m.Attributes.Add(AnswerAttributes.TelephoneEventMap(pt));
        m.Attributes.Add(AnswerAttributes.TelephoneEventFmtpOf(pt));
    }

    private static int? FindTelephoneEvent(SdpMedia m, in RtpMapTable rtpMaps)
    {
        Span<bool> events = stackalloc bool[256];
        foreach (var f in m.Formats)
        {
            if (!int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out int pt) || !rtpMaps.IsTelephoneEvent(pt))
                continue;
            // An fmtp without the DTMF digits would give us nothing to detect.
            if (m.TryGetFmtp(pt, out var fmtp) && TelephoneEventList.TryParse(fmtp, events) && !events[0])
                continue;
            return pt;
        }
        return null;
    }

    private static bool TryRemote(SessionDescription sdp, SdpMedia m, out IPEndPoint remote)
    {
        var c = sdp.EffectiveConnection(m);
        if (c is null || !c.TryGetAddress(out var address))
        {
            remote = null!;
            return false;
        }
        remote = new IPEndPoint(address, m.Port);
        return true;
    }

    // RFC 2543-style hold (c=0.0.0.0): the peer does not want media, whatever the attribute says.
    private static MediaDirection Hold(MediaDirection ours, IPEndPoint remote) =>
        !SdpConnection.IsNull(remote.Address) ? ours
        : ours == MediaDirection.SendRecv ? MediaDirection.RecvOnly
        : ours == MediaDirection.SendOnly ? MediaDirection.Inactive : ours;

    private static int PtimeOf(SdpMedia m, SessionDescription sdp)
    {
        int? p = m.Ptime;
        if (p is null && sdp.GetAttribute("ptime") is { } s && SdpText.TryParseInt(s.AsSpan().Trim(), 0, 1000, out int v))
            p = v;
        return p is >= 10 and <= MaxPtimeMs ? p.Value : DefaultPtimeMs;
    }

    private static MediaDirection Reverse(MediaDirection theirs) => theirs switch
    {
        MediaDirection.SendOnly => MediaDirection.RecvOnly,
        MediaDirection.RecvOnly => MediaDirection.SendOnly,
        MediaDirection.Inactive => MediaDirection.Inactive,
        _ => MediaDirection.SendRecv,
    };

    private static string EncodingName(AudioCodec c) => c == AudioCodec.Pcma ? "PCMA" : "PCMU";

    private static string DescribeFormat(SdpMedia m, string f) =>
        int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out int pt) && m.GetRtpMap(pt) is { } map
            ? $"{f}:{map.EncodingName}/{map.ClockRate}" : f;
}
