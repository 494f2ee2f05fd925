using System.Net;
using System.Text;
using OpenUM.Media;
using OpenUM.Media.Sdp;
using OpenUM.Media.Srtp;

namespace OpenUM.Fuzz;

/// <summary>
/// SDP (RFC 4566) as a SIP body, then what the call layer does with an incoming offer (AnsweredCall.TryAnswer and
/// its re-INVITE path: OfferAnswer.Answer for a plain and a Secured dial plan, the answer sent back, the SRTP
/// contexts made from the keys) and with an answer to our own offer (OfferAnswer.ReadAnswer).
/// </summary>
internal static class SdpTarget
{
    private static readonly IPAddress Local = IPAddress.Parse("192.0.2.5");

    private static readonly MediaCapabilities Plain = MediaCapabilities.Default;
    private static readonly MediaCapabilities Secured = new([AudioCodec.Pcmu, AudioCodec.Pcma], Srtp: SrtpMode.Required);

    // Our offers (random keys, made once): the input is read as the gateway's answer to them.
    private static readonly LocalOffer PlainOffer = OfferAnswer.CreateOffer(Plain, Local, 30000);
    private static readonly LocalOffer SecuredOffer = OfferAnswer.CreateOffer(Secured, Local, 30000);
    private static readonly SdpOrigin Previous = SdpOrigin.Create(Local);

    public static void Run(ReadOnlySpan<byte> data)
    {
        // The call layer parses the body's bytes (AnsweredCall.TryAnswer); its decoded text must read the same.
        bool parsed = SessionDescription.TryParseUtf8(data, out var sdp, out var error);
        bool fromText = SessionDescription.TryParse(Encoding.UTF8.GetString(data), out var textSdp, out var textError);
        if (parsed != fromText || error != textError || sdp?.ToString() != textSdp?.ToString())
            throw new InvariantException("the SDP read from bytes differs from the SDP read from their text");
        if (!parsed)
        {
            if (error is null || sdp is not null)
                throw new InvariantException("a refused SDP must come with an error and without a description");
            if (error.StartsWith("malformed SDP: ", StringComparison.Ordinal))
                throw new InvariantException("the SDP parser reached its catch-all: " + error);
            return;
        }
        if (sdp is null || error is not null)
            throw new InvariantException("an accepted SDP must come with a description and without an error");
        Inspect(sdp);

        // What we write from a description we accepted must parse again (it is logged and compared on re-INVITEs).
        Reparse(sdp.ToString(), "its re-serialization");

        foreach (var caps in (ReadOnlySpan<MediaCapabilities>)[Plain, Secured])
        {
            AnswerAndUse(sdp, caps, null);
            AnswerAndUse(sdp, caps, Previous); // a re-INVITE
        }
        _ = OfferAnswer.ReadAnswer(PlainOffer, sdp, out _);
        _ = OfferAnswer.ReadAnswer(SecuredOffer, sdp, out _);
    }

    private static void AnswerAndUse(SessionDescription offer, MediaCapabilities caps, SdpOrigin? previous)
    {
        var result = OfferAnswer.Answer(offer, caps, Local, 30000, previous);
        if (!result.Success)
        {
            if (string.IsNullOrEmpty(result.FailureReason))
                throw new InvariantException("a refused offer must say why (the 488 Warning carries it)");
            return;
        }
        if (result.Answer is null || result.Media is null)
            throw new InvariantException("a successful answer lacks its SDP or its media");
        Reparse(result.Answer.ToString(), "our answer");
        if (!result.Answer.ToBytes().AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(result.Answer.ToString())))
            throw new InvariantException("our answer's bytes are not the UTF-8 of its text");
        if (result.Media.Srtp is { } srtp)
        {
            // MediaSession.Start makes one context per direction from the negotiated keys.
            using var send = new SrtpContext(srtp.Send);
            using var receive = new SrtpContext(srtp.Receive);
        }
    }

    private static void Inspect(SessionDescription sdp)
    {
        _ = (sdp.Direction, sdp.GetAttribute("ptime"), sdp.Connection?.IsNullAddress);
        foreach (var m in sdp.Media)
        {
            _ = (m.IsRtp, m.Direction, m.Ptime, m.MaxPtime, sdp.EffectiveDirection(m));
            if (sdp.EffectiveConnection(m) is { } c)
                _ = (c.TryGetAddress(out _), c.IsNullAddress);
            foreach (var map in m.RtpMaps)
                _ = (m.GetFmtp(map.PayloadType), map.ToString());
            foreach (var value in m.GetAttributes("crypto"))
                _ = SdesCrypto.TryParse(value, out _, out _);
        }
    }

    private static void Reparse(string text, string what)
    {
        if (!SessionDescription.TryParse(text, out _, out var error))
            throw new InvariantException($"{what} does not parse back ({error}):\n{text}");
    }
}
