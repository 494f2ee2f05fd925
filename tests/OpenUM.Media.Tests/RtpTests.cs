using OpenUM.Media.Rtp;

namespace OpenUM.Media.Tests;

public class RtpTests
{
    [Fact]
    public void HeaderRoundTrip()
    {
        var buf = new byte[RtpHeader.FixedSize + 160];
        int n = RtpHeader.Write(buf, 8, marker: true, 0xBEEF, 0xDEADBEEF, 0x01020304);
        Assert.Equal(12, n);
        Assert.Equal(new byte[] { 0x80, 0x88, 0xBE, 0xEF, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04 }, buf[..12]);
        Assert.True(RtpHeader.TryParse(buf, out var h));
        Assert.Equal(2, h.Version);
        Assert.True(h.Marker);
        Assert.Equal(8, h.PayloadType);
        Assert.Equal(0xBEEF, h.SequenceNumber);
        Assert.Equal(0xDEADBEEFu, h.Timestamp);
        Assert.Equal(0x01020304u, h.Ssrc);
        Assert.Equal(12, h.HeaderLength);
        Assert.Equal(160, h.PayloadLength);
        Assert.False(h.Padding || h.Extension);
    }

    [Fact]
    public void CsrcExtensionAndPaddingAreSkipped()
    {
        // V=2 P=1 X=1 CC=2, PT 0; two CSRCs; extension profile 0xBEDE with 1 word; 4 payload bytes; 3 padding.
        byte[] p =
        [
            0xB2, 0x00, 0x00, 0x01, 0, 0, 0, 160, 0, 0, 0, 1,
            0, 0, 0, 2, 0, 0, 0, 3,
            0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0x00, 0x00,
            0xFF, 0xFE, 0xFD, 0xFC,
            0x00, 0x00, 0x03,
        ];
        Assert.True(RtpHeader.TryParse(p, out var h));
        Assert.True(h.Padding);
        Assert.True(h.Extension);
        Assert.Equal(2, h.CsrcCount);
        Assert.Equal(28, h.HeaderLength);
        Assert.Equal(4, h.PayloadLength);
        Assert.Equal(0xFF, p[h.HeaderLength]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("80")]
    [InlineData("8000000100000000000000")]                 // 11 bytes
    [InlineData("400000010000000000000001")]               // version 1
    [InlineData("C00000010000000000000001")]               // version 3
    [InlineData("830000010000000000000001")]               // CC=3 but no CSRCs
    [InlineData("900000010000000000000001BEDE")]           // extension header truncated
    [InlineData("900000010000000000000001BEDE0002AAAAAAAA")] // extension length beyond packet
    [InlineData("A00000010000000000000001FF05")]           // padding count larger than payload
    [InlineData("A00000010000000000000001FF00")]           // padding count 0
    [InlineData("80C80001000000000000000100")]             // PT 72 = RTCP SR (RFC 5761)
    public void MalformedPacketsAreRejected(string hex)
    {
        Assert.False(RtpHeader.TryParse(Convert.FromHexString(hex), out _));
    }

    [Fact]
    public void WriteValidatesArguments()
    {
        Assert.Throws<ArgumentException>(() => RtpHeader.Write(new byte[11], 0, false, 0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtpHeader.Write(new byte[12], 128, false, 0, 0, 0));
    }

    // RFC 4733 §2.3 payload layout; vectors from the project's SDP/event example list (collector-built).
    [Theory]
    [InlineData("050a00a0", 5, false, 10, 160)]
    [InlineData("050a0140", 5, false, 10, 320)]
    [InlineData("058a0320", 5, true, 10, 800)]
    [InlineData("0b0a00a0", 11, false, 10, 160)]
    [InlineData("0a0a00a0", 10, false, 10, 160)]
    [InlineData("0c0a00a0", 12, false, 10, 160)]
    [InlineData("100a0320", 16, false, 10, 800)]
    [InlineData("01ca0190", 1, true, 10, 400)] // R bit set: ignored
    public void TelephoneEventPayloads(string hex, int ev, bool end, int volume, int duration)
    {
        Assert.True(TelephoneEvent.TryParse(Convert.FromHexString(hex), out var e));
        Assert.Equal(new TelephoneEvent((byte)ev, end, (byte)volume, (ushort)duration), e);
        if (hex != "01ca0190")
        {
            var buf = new byte[4];
            e.Write(buf);
            Assert.Equal(hex, Convert.ToHexStringLower(buf));
        }
    }

    [Theory]
    [InlineData("050a00")]
    [InlineData("050a00a0ff")]
    [InlineData("")]
    public void MalformedTelephoneEventPayloads(string hex)
    {
        Assert.False(TelephoneEvent.TryParse(Convert.FromHexString(hex), out _));
    }

    [Fact]
    public void DigitMapping()
    {
        const string digits = "0123456789*#ABCD";
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(digits[i], TelephoneEvent.ToDigit(i));
            Assert.Equal(i, TelephoneEvent.FromDigit(digits[i]));
        }
        Assert.Equal(12, TelephoneEvent.FromDigit('a'));
        Assert.Null(TelephoneEvent.ToDigit(16));
        Assert.Equal(-1, TelephoneEvent.FromDigit('x'));
    }
}
