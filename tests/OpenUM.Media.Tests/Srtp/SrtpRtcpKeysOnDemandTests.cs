using OpenUM.Media.Rtp;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Tests.Srtp;

// A recording call holds three SRTP contexts; the SRTCP keys of each are derived only when RTCP is first protected
// or checked, from the context's own copy of the master key.
public sealed class SrtpRtcpKeysOnDemandTests
{
    private static byte[] Rtp(ushort seq)
    {
        var packet = new byte[12 + 160 + 16];
        RtpHeader.Write(packet, 0, false, seq, 160u * seq, 0x1234);
        return packet;
    }

    [Fact]
    public void RtpAloneDerivesNoRtcpKeysAndRtcpDerivesThemFromTheContextsOwnCopy()
    {
        using var key = SrtpMasterKey.Generate(SrtpSuite.AesCm128HmacSha1_80);
        using var sender = new SrtpContext(new SrtpPolicy(key));
        using var receiver = new SrtpContext(new SrtpPolicy(key));
        for (ushort seq = 0; seq < 3; seq++)
        {
            var packet = Rtp(seq);
            Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(packet, 172, out int length));
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packet.AsSpan(0, length), out _));
        }
        Assert.False(sender.HasRtcpKeys);
        Assert.False(receiver.HasRtcpKeys);

        key.Dispose(); // the owner may release the master key; the contexts still key SRTCP correctly
        var rtcp = new byte[8 + 64];
        Convert.FromHexString("80C8000600001234").CopyTo(rtcp, 0);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(rtcp, 8, out int protectedLength));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(rtcp.AsSpan(0, protectedLength), out int plain));
        Assert.Equal(8, plain);
        Assert.True(sender.HasRtcpKeys && receiver.HasRtcpKeys);
    }
}
