using OpenUM.Media.Rtp;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Tests.Srtp;

// A Secured recording call holds three SRTP contexts (send, receive on the RTP port, receive on the RTCP port): what
// each keeps is made only when a packet needs it.
public sealed class SrtpContextMemoryTests
{
    [Fact]
    public void TheAesNiPathHoldsNoChunkBuffersAndTheEcbPathHoldsItsTwo()
    {
        Assert.True(AesNiKeystream.IsSupported, "this CPU has no AES-NI: the fast path is not exercised here");
        byte[] key = new byte[16];
        using var ni = new AesCounterMode(key, useAesNi: true);
        using var ecb = new AesCounterMode(key, useAesNi: false);
        Assert.Equal(0, ni.ChunkBufferBytes);
        Assert.Equal(2048, ecb.ChunkBufferBytes);
    }

    [Fact]
    public void TheRtcpPortsContextDerivesNoRtpKeysAndNeitherHalfIsDerivedBeforeItsFirstPacket()
    {
        using var key = SrtpMasterKey.Generate(SrtpSuite.AesCm128HmacSha1_80);
        using var sender = new SrtpContext(new SrtpPolicy(key));
        using var rtcpPort = new SrtpContext(new SrtpPolicy(key));
        Assert.False(sender.HasRtpKeys || sender.HasRtcpKeys || rtcpPort.HasRtpKeys || rtcpPort.HasRtcpKeys);

        key.Dispose(); // both still key from their own copy of the master key
        var rtcp = new byte[8 + 64];
        Convert.FromHexString("80C8000600001234").CopyTo(rtcp, 0);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(rtcp, 8, out int protectedLength));
        Assert.Equal(SrtpStatus.Ok, rtcpPort.UnprotectRtcp(rtcp.AsSpan(0, protectedLength), out int plain));
        Assert.Equal(8, plain);
        Assert.True(rtcpPort.HasRtcpKeys);
        Assert.False(rtcpPort.HasRtpKeys);

        // The sender's SRTP keys come from the same kept copy after its SRTCP keys: RTP still round-trips.
        var packet = new byte[12 + 160 + 16];
        RtpHeader.Write(packet, 0, false, 1, 160, 0x1234);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(packet, 172, out int length));
        Assert.True(sender.HasRtpKeys && sender.HasRtcpKeys);
        Assert.Equal(SrtpStatus.Ok, rtcpPort.UnprotectRtp(packet.AsSpan(0, length), out int rtpPlain));
        Assert.Equal(172, rtpPlain);
    }
}
