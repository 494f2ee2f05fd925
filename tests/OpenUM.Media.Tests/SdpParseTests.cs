using System.Net;
using OpenUM.Media.Sdp;

namespace OpenUM.Media.Tests;

public class SdpParseTests
{
    [Fact]
    public void Rfc4566ExampleRoundTripsExactly()
    {
        Assert.True(SessionDescription.TryParse(SdpExamples.Rfc4566Example, out var sdp, out var error), error);
        Assert.Equal("jdoe", sdp!.Origin.UserName);
        Assert.Equal("2890844526", sdp.Origin.SessionId);
        Assert.Equal(2890842807UL, sdp.Origin.SessionVersion);
        Assert.Equal("SDP Seminar", sdp.SessionName);
        Assert.Equal("224.2.17.12/127", sdp.Connection!.Address);
        Assert.True(sdp.Connection.TryGetAddress(out var mc));
        Assert.Equal(IPAddress.Parse("224.2.17.12"), mc);
        Assert.Equal(MediaDirection.RecvOnly, sdp.Direction);
        Assert.Equal(2, sdp.Media.Count);
        Assert.Equal(MediaDirection.RecvOnly, sdp.EffectiveDirection(sdp.Media[0]));
        Assert.Equal(new SdpRtpMap(99, "h263-1998", 90000), sdp.Media[1].GetRtpMap(99));
        Assert.Equal(SdpExamples.Rfc4566Example, sdp.ToString());
    }

    [Theory]
    [InlineData(nameof(SdpExamples.Rfc4317AudioVideoOffer))]
    [InlineData(nameof(SdpExamples.Rfc4317AudioVideoAnswer))]
    [InlineData(nameof(SdpExamples.GatewayOfferWithVideo))]
    [InlineData(nameof(SdpExamples.SrtpOnlyOffer))]
    public void ExamplesRoundTrip(string name)
    {
        string text = (string)typeof(SdpExamples).GetField(name)!.GetValue(null)!;
        var sdp = SessionDescription.Parse(text);
        Assert.Equal(text, sdp.ToString());
        var again = SessionDescription.Parse(sdp.ToString());
        Assert.Equal(text, again.ToString());
    }

    [Fact]
    public void Rfc4317OfferModel()
    {
        var sdp = SessionDescription.Parse(SdpExamples.Rfc4317AudioVideoOffer);
        Assert.Equal("", sdp.SessionName);
        Assert.False(sdp.Connection!.TryGetAddress(out _)); // a host name, not resolved here
        var audio = sdp.Media[0];
        Assert.Equal(["0", "8", "97"], audio.Formats);
        Assert.Equal("iLBC", audio.GetRtpMap(97)!.EncodingName);
        Assert.Equal("video", sdp.Media[1].Media);
        Assert.Equal(MediaDirection.SendRecv, sdp.EffectiveDirection(audio));
    }

    [Fact]
    public void MediaLevelAttributesAndConnection()
    {
        var text = SdpExamples.Crlf(
            "v=0", "o=- 1 2 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "b=AS:64", "t=0 0", "a=sendonly",
            "m=audio 5004 RTP/AVP 8 0 96", "c=IN IP6 2001:db8::5", "b=TIAS:64000",
            "a=rtpmap:96 telephone-event/8000", "a=fmtp:96 0-15,32,36", "a=ptime:20", "a=maxptime:40",
            "a=inactive", "a=x-unknown:whatever value", "a=rtcp-mux");
        var sdp = SessionDescription.Parse(text);
        var m = sdp.Media[0];
        Assert.Equal(MediaDirection.SendOnly, sdp.Direction);
        Assert.Equal(MediaDirection.Inactive, sdp.EffectiveDirection(m));
        Assert.True(sdp.EffectiveConnection(m)!.TryGetAddress(out var a6));
        Assert.Equal(IPAddress.Parse("2001:db8::5"), a6);
        Assert.Equal(20, m.Ptime);
        Assert.Equal(40, m.MaxPtime);
        Assert.Equal("0-15,32,36", m.GetFmtp(96));
        Assert.Equal("whatever value", m.GetAttribute("x-unknown"));
        Assert.True(m.HasAttribute("rtcp-mux"));
        Assert.Equal(["AS:64"], sdp.Bandwidths);
        Assert.Equal(["TIAS:64000"], m.Bandwidths);
        Assert.Equal(text, sdp.ToString());
    }

    [Fact]
    public void CryptoAttributeIsKeptVerbatim()
    {
        var sdp = SessionDescription.Parse(SdpExamples.SrtpOnlyOffer);
        Assert.Equal("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32",
            sdp.Media[0].GetAttribute("crypto"));
    }

    // RFC 4568 a=crypto lines (as reproduced by sipsorcery's and sdes4j's tests of the RFC examples), valid and
    // malformed: this layer keeps them verbatim for the SRTP layer to judge.
    [Theory]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 FEC_ORDER=FEC_SRTP")]
    [InlineData("2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4 FEC_ORDER=FEC_SRTP")]
    [InlineData("1 AES_256_CM_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj/Jl+xZQ4qrEUAzDN67dOAQ==")]
    [InlineData("1  inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline: MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4")]
    public void CryptoLinesSurviveRoundTrip(string value)
    {
        var text = SdpExamples.Crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
            "m=audio 4000 RTP/SAVP 0", "a=crypto:" + value, "a=crypto:" + value.Replace("1 ", "7 ", StringComparison.Ordinal));
        var sdp = SessionDescription.Parse(text);
        Assert.Equal(value, sdp.Media[0].GetAttribute("crypto"));
        Assert.Equal(2, sdp.Media[0].GetAttributes("crypto").Count());
        Assert.Equal(text, sdp.ToString());
    }

    [Fact]
    public void LfOnlyLineEndsAreAccepted()
    {
        var sdp = SessionDescription.Parse("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 0\n");
        Assert.Equal(4000, sdp.Media[0].Port);
        Assert.EndsWith("m=audio 4000 RTP/AVP 0\r\n", sdp.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MissingTimingIsWrittenAsZero()
    {
        var sdp = SessionDescription.Parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nm=audio 4000 RTP/AVP 0\r\n");
        Assert.Contains("t=0 0\r\n", sdp.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("101 telephone-event/8000", true, 101, "telephone-event", 8000)]
    [InlineData("120 telephone-event/16000", true, 120, "telephone-event", 16000)]
    [InlineData("0 PCMU/8000/1", true, 0, "PCMU", 8000)]
    [InlineData("101 telephone-event", false, 0, "", 0)]      // missing clock rate
    [InlineData("128 telephone-event/8000", false, 0, "", 0)] // payload type outside 0..127
    [InlineData("x PCMU/8000", false, 0, "", 0)]
    [InlineData("0 PCMU/", false, 0, "", 0)]
    public void RtpMapLinesFromRfc4733Examples(string value, bool ok, int pt, string name, int clock)
    {
        Assert.Equal(ok, SdpRtpMap.TryParse(value, out var map));
        if (ok)
        {
            Assert.Equal(pt, map!.PayloadType);
            Assert.Equal(name, map.EncodingName);
            Assert.Equal(clock, map.ClockRate);
        }
    }

    [Theory]
    [InlineData("0-15", true, 15, 16)]
    [InlineData("0-16", true, 16, 17)]
    [InlineData("0-15,16", true, 16, 17)]
    [InlineData("0-11", true, 11, 12)]
    [InlineData("0-15,32,36", true, 36, 37)]
    [InlineData("0-", false, 0, 0)]
    [InlineData("0-15,,16", false, 0, 0)]
    [InlineData("0-256", false, 0, 0)]
    [InlineData("15-0", false, 0, 0)]
    public void TelephoneEventFmtpFromRfc4733Examples(string value, bool ok, int included, int excluded)
    {
        Assert.Equal(ok, TelephoneEventList.TryParse(value, out var events));
        if (ok)
        {
            Assert.True(events[0]);
            Assert.True(events[included]);
            Assert.False(events[excluded]);
        }
    }
}
