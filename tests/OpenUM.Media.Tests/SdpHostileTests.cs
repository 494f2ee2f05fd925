using System.Text;
using OpenUM.Media.Sdp;

namespace OpenUM.Media.Tests;

public class SdpHostileTests
{
    private const string Head = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";

    [Theory]
    [InlineData("", "empty")]
    [InlineData("o=- 1 1 IN IP4 192.0.2.1\r\n", "v=")]
    [InlineData("v=1\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n", "version")]
    [InlineData("v=0\r\ns=-\r\n", "o=")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n", "s=")]
    [InlineData("v=0\r\no=- 1 1 IN\r\ns=-\r\n", "o=")]
    [InlineData("v=0\r\no=- abc 1 IN IP4 192.0.2.1\r\ns=-\r\n", "o=")]
    [InlineData("v=0\r\no=- 1 99999999999999999999999 IN IP4 192.0.2.1\r\ns=-\r\n", "o=")]
    [InlineData(Head + "m=audio 70000 RTP/AVP 0\r\n", "m=")]
    [InlineData(Head + "m=audio 4000 RTP/AVP 128\r\n", "m=")]
    [InlineData(Head + "m=audio 4000 RTP/AVP\r\n", "m=")]
    [InlineData(Head + "m=audio -1 RTP/AVP 0\r\n", "m=")]
    [InlineData(Head + "m=audio 4000 RTP/AVP 0  8\r\n", "m=")]
    [InlineData(Head + "c=IN IP4\r\n", "c=")]
    [InlineData(Head + "x=unknown\r\n", "'x='")]
    [InlineData(Head + "garbage\r\n", "line 6")]
    [InlineData(Head + "a=\r\n", "a=")]
    [InlineData(Head + "a=bad name:1\r\n", "a=")]
    [InlineData(Head + "t=abc\r\n", "t=")]
    [InlineData(Head + "v=0\r\n", "duplicate")]
    [InlineData(Head + "s=again\r\n", "duplicate")]
    [InlineData(Head + "m=audio 4000 RTP/AVP 0\r\ns=inside\r\n", "media section")]
    [InlineData(Head + "a=x\0y\r\n", "control")]
    [InlineData(Head + "a=x\ry\r\n", "control")]
    public void MalformedInputIsRejectedWithAReason(string text, string expectedInError)
    {
        Assert.False(SessionDescription.TryParse(text, out var sdp, out var error));
        Assert.Null(sdp);
        Assert.NotNull(error);
        Assert.Contains(expectedInError, error, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<FormatException>(() => SessionDescription.Parse(text));
    }

    [Fact]
    public void NullIsRejected()
    {
        Assert.False(SessionDescription.TryParse(null!, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void OversizedInputIsRejected()
    {
        var text = Head + "a=x:" + new string('a', SessionDescription.MaxLength) + "\r\n";
        Assert.False(SessionDescription.TryParse(text, out _, out var error));
        Assert.Contains("too large", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TooManyLinesAreRejected()
    {
        var sb = new StringBuilder(Head);
        for (int i = 0; i < SessionDescription.MaxLines; i++)
            sb.Append("a=x\r\n");
        Assert.False(SessionDescription.TryParse(sb.ToString(), out _, out var error));
        Assert.Contains("lines", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SixteenMediaSectionsAreAcceptedSeventeenAreNot()
    {
        var sb = new StringBuilder(Head);
        for (int i = 0; i < SessionDescription.MaxMediaSections; i++)
            sb.Append("m=audio ").Append(4000 + 2 * i).Append(" RTP/AVP 0\r\n");
        Assert.True(SessionDescription.TryParse(sb.ToString(), out var ok, out _));
        Assert.Equal(16, ok!.Media.Count);
        sb.Append("m=audio 6000 RTP/AVP 0\r\n");
        Assert.False(SessionDescription.TryParse(sb.ToString(), out _, out var error));
        Assert.Contains("m= lines", error, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomInputNeverThrows()
    {
        var rng = new Random(4566);
        var valid = SdpExamples.GatewayOfferWithVideo;
        for (int i = 0; i < 5000; i++)
        {
            string text;
            if (i % 2 == 0)
            {
                // Mutate a valid document: flip characters, cut it, duplicate lines.
                var chars = valid.ToCharArray();
                for (int k = rng.Next(1, 8); k > 0; k--)
                    chars[rng.Next(chars.Length)] = (char)rng.Next(0, 128);
                text = new string(chars, 0, rng.Next(chars.Length));
            }
            else
            {
                var chars = new char[rng.Next(0, 300)];
                for (int k = 0; k < chars.Length; k++)
                    chars[k] = (char)rng.Next(0, 0x3000);
                text = "v=0\r\n" + new string(chars);
            }
            bool ok = SessionDescription.TryParse(text, out var sdp, out var error);
            Assert.True(ok ? sdp is not null && error is null : sdp is null && error is not null);
            if (ok)
                _ = sdp!.ToString();
        }
    }

    [Fact]
    public void MalformedRtpmapDoesNotBreakNegotiation()
    {
        // "a=rtpmap:101 telephone-event" has no clock rate (RFC 4566 grammar): ignored, no DTMF negotiated.
        var sdp = SessionDescription.Parse(Head + "m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event\r\n");
        var result = OfferAnswer.Answer(sdp, MediaCapabilities.Default, System.Net.IPAddress.Loopback, 30000);
        Assert.True(result.Success);
        Assert.Null(result.Media!.TelephoneEventPayloadType);
    }
}
