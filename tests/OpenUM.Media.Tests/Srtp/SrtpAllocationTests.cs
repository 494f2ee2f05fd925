using static OpenUM.Media.Tests.Srtp.SrtpTestPackets;

using OpenUM.Media.Srtp;

namespace OpenUM.Media.Tests.Srtp;

// Each call leg runs protect and unprotect 50 times a second per direction: nothing on that path may allocate.
public sealed class SrtpAllocationTests
{
    public static TheoryData<SrtpSuite, bool> SuitesAndPaths() => SrtpTestPackets.SuitesAndPaths();

    [Theory]
    [MemberData(nameof(SuitesAndPaths))]
    public void ProtectAndUnprotectAllocateNothingAfterWarmUp(SrtpSuite suite, bool native)
    {
        using var key = Key(suite, mki: [1, 2]);
        var (tx, rx) = Pair(key, Path(native));
        using (tx)
        using (rx)
        {
            var rtp = RtpPacket(0, 42, 172, 64);
            var rtcp = Rtcp(42);
            var big = RtpPacket(0, 42, 1400, 64);
            for (int i = 0; i < 20; i++)
                RoundTrip(tx, rx, rtp, rtcp, big, (ushort)i);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 20; i < 2020; i++)
                RoundTrip(tx, rx, rtp, rtcp, big, (ushort)i);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, allocated);
            Assert.Equal(2020ul * 3, rx.PacketCount);
        }
    }

    private static void RoundTrip(SrtpContext tx, SrtpContext rx, byte[] rtp, byte[] rtcp, byte[] big, ushort i)
    {
        ushort seq = (ushort)(i * 2);
        Refill(rtp, seq, 172);
        Check(tx.ProtectRtp(rtp, 172, out int n));
        Check(rx.UnprotectRtp(rtp.AsSpan(0, n), out _));
        Refill(big, (ushort)(seq + 1), 1400);
        Check(tx.ProtectRtp(big, 1400, out n));
        Check(rx.UnprotectRtp(big.AsSpan(0, n), out _));
        Check(tx.ProtectRtcp(rtcp, 32, out n));
        Check(rx.UnprotectRtcp(rtcp.AsSpan(0, n), out _));
    }

    private static void Refill(byte[] packet, ushort seq, int length)
    {
        packet[2] = (byte)(seq >> 8);
        packet[3] = (byte)seq;
        packet.AsSpan(12, length - 12).Fill((byte)seq);
    }

    private static void Check(SrtpStatus status)
    {
        // Assert.Equal would box; this path must stay allocation-free while measured.
        if (status != SrtpStatus.Ok)
            throw new InvalidOperationException("SRTP call failed: " + status);
    }
}
