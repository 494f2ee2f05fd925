using System.Net;
using OpenUM.Media.Sdp;

namespace OpenUM.Media.Tests;

public class OfferAnswerTests
{
    private static readonly IPAddress Local = IPAddress.Parse("198.51.100.7");

    private static SessionDescription Offer(string media, string sessionExtra = "", string connection = "192.0.2.10") =>
        SessionDescription.Parse(SdpExamples.Crlf(
            "v=0", "o=gw 100 200 IN IP4 " + connection, "s=-", "c=IN IP4 " + connection, "t=0 0") + sessionExtra + media);

    [Fact]
    public void Rfc4317OfferIsAnsweredWithPcmuAndVideoRejected()
    {
        var offer = SessionDescription.Parse(SdpExamples.GatewayOfferWithVideo);
        var r = OfferAnswer.Answer(offer, MediaCapabilities.Default, Local, 30000);
        Assert.True(r.Success, r.FailureReason);
        var answer = r.Answer!;
        Assert.Equal(2, answer.Media.Count);
        Assert.Equal(new[] { "0", "101" }, answer.Media[0].Formats);
        Assert.Equal(30000, answer.Media[0].Port);
        Assert.Equal("RTP/AVP", answer.Media[0].Protocol);
        Assert.Equal(["0 PCMU/8000", "101 telephone-event/8000"], answer.Media[0].GetAttributes("rtpmap"));
        Assert.Equal("0-15", answer.Media[0].GetFmtp(101));
        Assert.Equal(30, answer.Media[0].Ptime);               // offered 30, within 10-40
        Assert.Equal(MediaDirection.SendRecv, answer.Media[0].Direction);
        // RFC 3264 §6: rejected stream keeps media type and protocol, port 0.
        Assert.Equal("video", answer.Media[1].Media);
        Assert.Equal(0, answer.Media[1].Port);
        Assert.Equal("RTP/AVP", answer.Media[1].Protocol);
        Assert.NotEmpty(answer.Media[1].Formats);
        Assert.Equal("IN IP4 198.51.100.7", answer.Connection!.ToString());
        Assert.Equal(offer.Timing, answer.Timing);

        var m = r.Media!;
        Assert.Equal(AudioCodec.Pcmu, m.Codec);
        Assert.Equal(0, m.PayloadType);
        Assert.Equal(101, m.TelephoneEventPayloadType);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 49170), m.RemoteRtp);
        Assert.Equal(30, m.PtimeMs);
        Assert.True(m.CanSend);

        // The answer itself is valid SDP.
        Assert.True(SessionDescription.TryParse(answer.ToString(), out _, out var err), err);
    }

    [Fact]
    public void PcmaOnlyOfferSelectsPcma()
    {
        var r = OfferAnswer.Answer(Offer("m=audio 4000 RTP/AVP 8\r\n"), MediaCapabilities.Default, Local, 30000);
        Assert.True(r.Success);
        Assert.Equal(AudioCodec.Pcma, r.Media!.Codec);
        Assert.Equal(8, r.Media.PayloadType);
        Assert.Null(r.Media.TelephoneEventPayloadType);
        Assert.Equal(["8"], r.Answer!.Media[0].Formats);
        Assert.Equal(20, r.Media.PtimeMs);
    }

    [Fact]
    public void OurPreferenceOrderWinsOverTheOfferersOrder()
    {
        var offer = Offer("m=audio 4000 RTP/AVP 8 0\r\n");
        Assert.Equal(AudioCodec.Pcmu, OfferAnswer.Answer(offer, MediaCapabilities.Default, Local, 30000).Media!.Codec);
        var pcmaFirst = new MediaCapabilities([AudioCodec.Pcma, AudioCodec.Pcmu]);
        Assert.Equal(AudioCodec.Pcma, OfferAnswer.Answer(offer, pcmaFirst, Local, 30000).Media!.Codec);
    }

    [Fact]
    public void DynamicPayloadTypesArePreserved()
    {
        var offer = Offer("m=audio 4000 RTP/AVP 96 118\r\na=rtpmap:96 PCMA/8000\r\na=rtpmap:118 telephone-event/8000\r\na=fmtp:118 0-16\r\n");
        var r = OfferAnswer.Answer(offer, MediaCapabilities.Default, Local, 30000);
        Assert.True(r.Success);
        Assert.Equal(AudioCodec.Pcma, r.Media!.Codec);
        Assert.Equal(96, r.Media.PayloadType);
        Assert.Equal(118, r.Media.TelephoneEventPayloadType);
        Assert.Equal(["96", "118"], r.Answer!.Media[0].Formats);
        Assert.Equal(new SdpRtpMap(118, "telephone-event", 8000), r.Answer.Media[0].GetRtpMap(118));
    }

    [Fact]
    public void WidebandTelephoneEventIsNotUsedWithG711()
    {
        var offer = Offer("m=audio 4000 RTP/AVP 0 120\r\na=rtpmap:120 telephone-event/16000\r\n");
        var r = OfferAnswer.Answer(offer, MediaCapabilities.Default, Local, 30000);
        Assert.Null(r.Media!.TelephoneEventPayloadType);
    }

    [Fact]
    public void TelephoneEventCanBeDisabled()
    {
        var offer = Offer("m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n");
        var r = OfferAnswer.Answer(offer, new MediaCapabilities([AudioCodec.Pcmu], TelephoneEvent: false), Local, 30000);
        Assert.Null(r.Media!.TelephoneEventPayloadType);
        Assert.Equal(["0"], r.Answer!.Media[0].Formats);
    }

    [Theory]
    [InlineData("a=sendonly\r\n", "", MediaDirection.RecvOnly)]      // hold (RFC 3264 §8.4)
    [InlineData("a=recvonly\r\n", "", MediaDirection.SendOnly)]
    [InlineData("a=inactive\r\n", "", MediaDirection.Inactive)]
    [InlineData("a=sendrecv\r\n", "", MediaDirection.SendRecv)]
    [InlineData("", "a=sendonly\r\n", MediaDirection.RecvOnly)]      // session-level attribute
    [InlineData("a=sendrecv\r\n", "a=sendonly\r\n", MediaDirection.SendRecv)] // media level overrides
    public void AnswerDirectionFollowsRfc3264(string mediaAttr, string sessionAttr, MediaDirection ours)
    {
        var offer = Offer("m=audio 4000 RTP/AVP 0\r\n" + mediaAttr, sessionAttr);
        var r = OfferAnswer.Answer(offer, MediaCapabilities.Default, Local, 30000);
        Assert.Equal(ours, r.Media!.Direction);
        Assert.Equal(ours, r.Answer!.Media[0].Direction);
        Assert.Equal(ours is MediaDirection.SendRecv or MediaDirection.SendOnly, r.Media.CanSend);
    }

    [Fact]
    public void NullConnectionAddressIsHold()
    {
        // RFC 2543-style hold still sent by older gateways: c=0.0.0.0 with no direction attribute.
        var r = OfferAnswer.Answer(Offer("m=audio 4000 RTP/AVP 0\r\n", connection: "0.0.0.0"), MediaCapabilities.Default, Local, 30000);
        Assert.True(r.Success);
        Assert.Equal(MediaDirection.RecvOnly, r.Media!.Direction);
        Assert.False(r.Media.CanSend);
    }

    [Fact]
    public void ReOfferKeepsSessionIdAndIncrementsVersion()
    {
        var first = OfferAnswer.Answer(Offer("m=audio 4000 RTP/AVP 0\r\n"), MediaCapabilities.Default, Local, 30000);
        var o1 = first.Answer!.Origin;
        var hold = OfferAnswer.Answer(Offer("m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n"), MediaCapabilities.Default, Local, 30000, o1);
        Assert.Equal(o1.SessionId, hold.Answer!.Origin.SessionId);
        Assert.Equal(o1.SessionVersion + 1, hold.Answer.Origin.SessionVersion);
        Assert.Equal("198.51.100.7", o1.Address);
    }

    [Theory]
    [InlineData("a=ptime:10", 10)]
    [InlineData("a=ptime:40", 40)]
    [InlineData("a=ptime:60", 20)]
    [InlineData("a=ptime:5", 20)]
    [InlineData("a=ptime:junk", 20)]
    public void PtimeIsEchoedWhenBetween10And40(string ptime, int expected)
    {
        var r = OfferAnswer.Answer(Offer("m=audio 4000 RTP/AVP 0\r\n" + ptime + "\r\n"), MediaCapabilities.Default, Local, 30000);
        Assert.Equal(expected, r.Media!.PtimeMs);
        Assert.Equal(expected, r.Answer!.Media[0].Ptime);
    }

    [Fact]
    public void NoCommonCodecIs488WithReason()
    {
        var r = OfferAnswer.Answer(Offer("m=audio 4000 RTP/AVP 18 97\r\na=rtpmap:97 iLBC/8000\r\n"), MediaCapabilities.Default, Local, 30000);
        Assert.False(r.Success);
        Assert.Equal(488, r.FailureStatus);
        Assert.Null(r.Answer);
        Assert.Contains("No common codec", r.FailureReason, StringComparison.Ordinal);
        Assert.Contains("iLBC", r.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void SrtpOnlyOfferIs488WhenSrtpIsOff()
    {
        // Plain-RTP dial plans answer SRTP offered on RTP/AVP with plain RTP; an RTP/SAVP-only offer cannot be
        // answered on another transport (RFC 3264 §6), so it is refused and the gateway may fall back.
        var r = OfferAnswer.Answer(SessionDescription.Parse(SdpExamples.SrtpOnlyOffer), MediaCapabilities.Default, Local, 30000);
        Assert.False(r.Success);
        Assert.Equal(488, r.FailureStatus);
        Assert.Contains("RTP/SAVP only", r.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void BestEffortSrtpOfferIsAnsweredOnThePlainStream()
    {
        var offer = Offer("m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"
            + "m=audio 4002 RTP/AVP 0\r\n");
        var r = OfferAnswer.Answer(offer, MediaCapabilities.Default, Local, 30000);
        Assert.True(r.Success);
        Assert.Equal(0, r.Answer!.Media[0].Port);
        Assert.Equal("RTP/SAVP", r.Answer.Media[0].Protocol);
        Assert.Equal(30000, r.Answer.Media[1].Port);
        Assert.Equal(4002, r.Media!.RemoteRtp.Port);
    }

    [Fact]
    public void OnlyTheFirstAudioStreamIsAccepted()
    {
        var offer = Offer("m=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 8\r\nm=application 5000 udp wb\r\n");
        var r = OfferAnswer.Answer(offer, MediaCapabilities.Default, Local, 30000);
        Assert.Equal([30000, 0, 0], r.Answer!.Media.Select(m => m.Port));
        Assert.Equal(["audio", "audio", "application"], r.Answer.Media.Select(m => m.Media));
    }

    [Fact]
    public void DisabledAudioStreamIsSkipped()
    {
        var r = OfferAnswer.Answer(Offer("m=audio 0 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 0\r\n"), MediaCapabilities.Default, Local, 30000);
        Assert.Equal([0, 30000], r.Answer!.Media.Select(m => m.Port));
    }

    [Fact]
    public void NoAudioIs488()
    {
        var r = OfferAnswer.Answer(Offer("m=video 4000 RTP/AVP 31\r\n"), MediaCapabilities.Default, Local, 30000);
        Assert.False(r.Success);
        Assert.Equal(488, r.FailureStatus);
    }

    [Fact]
    public void HostNameConnectionIs488()
    {
        var r = OfferAnswer.Answer(SessionDescription.Parse(SdpExamples.Rfc4317AudioVideoOffer), MediaCapabilities.Default, Local, 30000);
        Assert.False(r.Success);
        Assert.Contains("c=", r.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateOfferAndReadAnswer()
    {
        var local = OfferAnswer.CreateOffer(MediaCapabilities.Default, IPAddress.Loopback, 31000);
        var offer = local.Sdp;
        Assert.Equal("m=audio 31000 RTP/AVP 0 8 101", offer.ToString().Split("\r\n").Single(l => l.StartsWith("m=", StringComparison.Ordinal)));
        Assert.Equal("0-15", offer.Media[0].GetFmtp(101));

        // The peer answers with the same machinery: it picks PCMA because it prefers it.
        var peer = OfferAnswer.Answer(SessionDescription.Parse(offer.ToString()), new MediaCapabilities([AudioCodec.Pcma]),
            IPAddress.Parse("192.0.2.50"), 42000);
        Assert.True(peer.Success);
        var media = OfferAnswer.ReadAnswer(local, SessionDescription.Parse(peer.Answer!.ToString()), out var error);
        Assert.Null(error);
        Assert.Equal(AudioCodec.Pcma, media!.Codec);
        Assert.Equal(8, media.PayloadType);
        Assert.Equal(101, media.TelephoneEventPayloadType);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.50"), 42000), media.RemoteRtp);
        Assert.Equal(MediaDirection.SendRecv, media.Direction);
    }

    [Fact]
    public void ReadAnswerRejectsBadAnswers()
    {
        var offer = OfferAnswer.CreateOffer(MediaCapabilities.Default, IPAddress.Loopback, 31000);
        string head = SdpExamples.Crlf("v=0", "o=- 1 1 IN IP4 192.0.2.50", "s=-", "c=IN IP4 192.0.2.50", "t=0 0");
        Assert.Null(OfferAnswer.ReadAnswer(offer, SessionDescription.Parse(head + "m=audio 0 RTP/AVP 0\r\n"), out var e1));
        Assert.Contains("no audio", e1, StringComparison.Ordinal);
        Assert.Null(OfferAnswer.ReadAnswer(offer, SessionDescription.Parse(head + "m=audio 4000 RTP/AVP 18\r\n"), out var e2));
        Assert.Contains("codec", e2, StringComparison.Ordinal);
        Assert.Null(OfferAnswer.ReadAnswer(offer, SessionDescription.Parse(head + "m=audio 4000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n"), out var e3));
        Assert.Contains("m= lines", e3, StringComparison.Ordinal);
        var recvOnly = OfferAnswer.ReadAnswer(offer, SessionDescription.Parse(head + "m=audio 4000 RTP/AVP 0\r\na=recvonly\r\n"), out _);
        Assert.Equal(MediaDirection.SendOnly, recvOnly!.Direction);
    }
}
