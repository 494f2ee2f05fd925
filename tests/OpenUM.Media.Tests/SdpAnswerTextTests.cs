using System.Net;
using System.Text;
using OpenUM.Media.Sdp;

namespace OpenUM.Media.Tests;

// The answers the server sends, byte for byte: the SDP writer and the offer/answer code build them from cached
// pieces, and a peer sees any drift in spacing, order or line ends.
public class SdpAnswerTextTests
{
    private static readonly SdpOrigin Previous = new("-", "4242424242", 7, "IN", "IP4", "198.51.100.7");

    [Fact]
    public void LoadTestOfferIsAnsweredByteForByte()
    {
        var offer = SessionDescription.Parse(SdpExamples.Crlf("v=0", "o=bench 17 1 IN IP4 127.0.0.1", "s=OpenUM bench",
            "c=IN IP4 127.0.0.1", "t=0 0", "m=audio 6000 RTP/AVP 0 101", "a=rtpmap:0 PCMU/8000",
            "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=ptime:20"));
        var r = OfferAnswer.Answer(offer, MediaCapabilities.Default, IPAddress.Parse("198.51.100.7"), 40000, Previous);
        Assert.True(r.Success, r.FailureReason);
        const string expected = "v=0\r\no=- 4242424242 8 IN IP4 198.51.100.7\r\ns=OpenUM\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n"
            + "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"
            + "a=ptime:20\r\na=sendrecv\r\n";
        Assert.Equal(expected, r.Answer!.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(expected), r.Answer.ToBytes());
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 6000), r.Media!.RemoteRtp);
    }

    [Fact]
    public void DynamicTypesHoldPtimeAndRejectedStreamsAreAnsweredByteForByte()
    {
        var offer = SessionDescription.Parse(SdpExamples.Crlf("v=0", "o=gw 1 2 IN IP6 2001:db8::1", "s=-", "t=3 4",
            "m=video 5002 RTP/AVP 31 34", "c=IN IP6 2001:db8::2",
            "m=audio 5000 RTP/AVP 18 96 97 8", "c=IN IP6 2001:db8::3", "a=rtpmap:96 PCMU/8000/2",
            "a=rtpmap:97 telephone-event/8000", "a=fmtp:97 0-11", "a=rtpmap:8 PCMA/8000", "a=ptime:30", "a=sendonly",
            "m=audio 0 RTP/AVP 0"));
        var caps = new MediaCapabilities([AudioCodec.Pcma, AudioCodec.Pcmu]);
        var r = OfferAnswer.Answer(offer, caps, IPAddress.Parse("2001:db8::7"), 41000, Previous);
        Assert.True(r.Success, r.FailureReason);
        const string expected = "v=0\r\no=- 4242424242 8 IN IP4 198.51.100.7\r\ns=OpenUM\r\nc=IN IP6 2001:db8::7\r\nt=3 4\r\n"
            + "m=video 0 RTP/AVP 31\r\n"
            + "m=audio 41000 RTP/AVP 8 97\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:97 telephone-event/8000\r\na=fmtp:97 0-15\r\n"
            + "a=ptime:30\r\na=recvonly\r\n"
            + "m=audio 0 RTP/AVP 0\r\n";
        Assert.Equal(expected, r.Answer!.ToString());
        Assert.Equal(8, r.Media!.PayloadType);
        Assert.Equal(97, r.Media.TelephoneEventPayloadType);
    }

    [Theory]
    [InlineData("a=fmtp:101 1-15", null)]          // no digit 0: nothing to detect
    [InlineData("a=fmtp:0101 1-15", 101)]           // a different payload type's text: no fmtp for 101
    [InlineData("a=fmtp:101  0-15 ", 101)]
    [InlineData("a=fmtp:101 0-15,x", 101)]          // unreadable list: taken as given
    public void TelephoneEventFmtpIsReadAsBefore(string fmtp, int? expected)
    {
        var offer = SessionDescription.Parse(SdpExamples.Crlf("v=0", "o=gw 1 2 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1",
            "m=audio 5000 RTP/AVP 0 101", "a=rtpmap:101 telephone-event/8000", fmtp));
        var r = OfferAnswer.Answer(offer, MediaCapabilities.Default, IPAddress.Loopback, 41000);
        Assert.Equal(expected, r.Media!.TelephoneEventPayloadType);
    }

    [Fact]
    public void FirstValidRtpmapOfAPayloadTypeWins()
    {
        var offer = SessionDescription.Parse(SdpExamples.Crlf("v=0", "o=gw 1 2 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1",
            "m=audio 5000 RTP/AVP 96", "a=rtpmap:96 PCMU", "a=RTPMAP:96 PCMA/8000", "a=rtpmap:96 PCMU/8000"));
        var r = OfferAnswer.Answer(offer, MediaCapabilities.Default, IPAddress.Loopback, 41000);
        Assert.Equal(AudioCodec.Pcma, r.Media!.Codec);
        Assert.Equal(new SdpRtpMap(96, "PCMA", 8000), offer.Media[0].GetRtpMap(96));
    }

    [Fact]
    public void FreshOriginHasARandomSessionIdInTheUsualRange()
    {
        var ids = new HashSet<ulong>();
        for (int i = 0; i < 64; i++)
        {
            var o = SdpOrigin.Create(IPAddress.Loopback);
            Assert.Equal("- " + o.SessionId + " 1 IN IP4 127.0.0.1", o.ToString());
            ulong id = ulong.Parse(o.SessionId, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(id, 1UL << 16, (ulong)int.MaxValue << 16);
            ids.Add(id);
        }
        Assert.True(ids.Count > 60, $"only {ids.Count} distinct session ids in 64");
    }

    [Fact]
    public void NonAsciiTextIsWrittenAsUtf8()
    {
        var sdp = SessionDescription.Parse(SdpExamples.Crlf("v=0", "o=jdoe 1 1 IN IP4 192.0.2.1", "s=Réunion ☎", "i=tête-à-tête",
            "u=http://example.com/", "e=j@example.com", "c=IN IP4 224.2.17.12/127", "b=AS:64", "t=0 0", "r=7d 1h 0 25h",
            "k=prompt", "a=recvonly", "a=tool:x:y", "m=audio 49170/2 RTP/AVP 0", "i=voix", "c=IN IP4 192.0.2.2", "b=CT:1",
            "k=clear:abc", "a=rtpmap:0 PCMU/8000"));
        string text = sdp.ToString();
        Assert.StartsWith("v=0\r\no=jdoe 1 1 IN IP4 192.0.2.1\r\ns=Réunion ☎\r\ni=tête-à-tête\r\nu=http://example.com/\r\n", text, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetBytes(text), sdp.ToBytes());
        Assert.Equal(text, SessionDescription.Parse(text).ToString());
    }

    [Fact]
    public void WordsThatAlmostMatchSharedOnesAreKeptAsSent()
    {
        // Parsing shares the strings of common words and payload types; a near miss must keep its own spelling.
        string text = SdpExamples.Crlf("v=0", "o=- 01 1 in ip4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=00 0",
            "m=Audio 4000 rtp/avp 00 08 101 0", "a=RTPMAP:00 PCMU/8000", "a=rtpmap:101 Telephone-Event/8000",
            "a=fmtp:101 0-15 ", "a=ptime:020", "a=SendRecv");
        var sdp = SessionDescription.Parse(text);
        Assert.Equal(text, sdp.ToString());
        Assert.Equal(["00", "08", "101", "0"], sdp.Media[0].Formats);
        Assert.Same(sdp.Media[0].Formats[2], SessionDescription.Parse(text).Media[0].Formats[2]);
    }

    public static TheoryData<byte[]> Utf8Bodies()
    {
        var head = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns="u8.ToArray();
        var tail = "\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"u8.ToArray();
        byte[] many = [.. Enumerable.Repeat((byte)'x', SessionDescription.MaxLength)];
        byte[] phones = [.. Enumerable.Repeat("☎"u8.ToArray(), 20_000).SelectMany(b => b)];
        byte[][] bodies =
        [
            [.. head, .. "Réunion ☎"u8, .. tail],
            [.. head, 0xC3, 0x28, 0xFF, .. tail],   // invalid UTF-8
            [.. head, .. many, .. tail],            // too many characters
            [.. head, .. phones, .. tail],          // more bytes than the limit, fewer characters
            [],
            [.. "v=0\r\n\0"u8],
        ];
        return [.. bodies];
    }

    [Theory]
    [MemberData(nameof(Utf8Bodies))]
    public void Utf8BodyParsesAsItsDecodedText(byte[] body)
    {
        bool fromText = SessionDescription.TryParse(Encoding.UTF8.GetString(body), out var expected, out string? textError);
        bool fromBytes = SessionDescription.TryParseUtf8(body, out var sdp, out string? error);
        Assert.Equal(fromText, fromBytes);
        Assert.Equal(textError, error);
        Assert.Equal(expected?.ToString(), sdp?.ToString());
    }

    [Fact]
    public void LongDescriptionIsWrittenWhole()
    {
        // Far past the writer's first buffer: it grows and keeps every line.
        var lines = new List<string> { "v=0", "o=- 1 18446744073709551615 IN IP4 192.0.2.1", "s=-", "t=0 0", "m=audio 4000 RTP/AVP 0" };
        for (int i = 0; i < 300; i++)
            lines.Add($"a=x-long{i}:{new string((char)('a' + i % 26), i % 40)}");
        string text = SdpExamples.Crlf([.. lines]);
        var sdp = SessionDescription.Parse(text);
        Assert.Equal(text, sdp.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(text), sdp.ToBytes());
    }
}
