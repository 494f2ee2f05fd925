using System.Buffers.Binary;
using System.Security.Cryptography;
using OpenUM.Media.Srtp;
using static OpenUM.Media.Tests.Srtp.SrtpTestPackets;

namespace OpenUM.Media.Tests.Srtp;

// Tampering, replay and hostile input: every rejection is a status, never an exception, and never changes state.
public sealed class SrtpAttackTests
{
    public static TheoryData<SrtpSuite> Suites() => SrtpTestPackets.Suites();
    public static TheoryData<SrtpSuite, bool> SuitesAndPaths() => SrtpTestPackets.SuitesAndPaths();
    public static TheoryData<SrtpSuite, bool> GcmSuitesAndPaths() => SrtpTestPackets.GcmSuitesAndPaths();

    [Theory]
    [MemberData(nameof(SuitesAndPaths))]
    public void FlippedBitInHeaderPayloadOrTagFailsAuthentication(SrtpSuite suite, bool native)
    {
        using var key = Key(suite);
        var (tx, rx) = Pair(key, Path(native));
        using (tx)
        using (rx)
        {
            var wire = ProtectRtp(tx, RtpPacket(500, 8), 172);
            foreach (int at in new[] { 1, 5, 11, 12, 100, 171, wire.Length - 1 })
            {
                var bad = wire.ToArray();
                bad[at] ^= 0x01;
                Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtp(bad, out int n));
                Assert.Equal(0, n);
            }
            // The failures left no trace: the genuine packet is still accepted once.
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(wire.ToArray(), out _));

            var srtcp = ProtectRtcp(tx, Rtcp(8), 32);
            foreach (int at in new[] { 1, 4, 8, 31, srtcp.Length - 5, srtcp.Length - 1 })
            {
                var bad = srtcp.ToArray();
                bad[at] ^= 0x01;
                Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtcp(bad, out _));
            }
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(srtcp.ToArray(), out _));
        }
    }

    [Theory]
    [MemberData(nameof(SuitesAndPaths))]
    public void ReplaysAreDetectedForRtpAndRtcp(SrtpSuite suite, bool native)
    {
        using var key = Key(suite);
        var (tx, rx) = Pair(key, Path(native), window: 64);
        using (tx)
        using (rx)
        {
            var first = ProtectRtp(tx, RtpPacket(1, 6), 172);
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(first.ToArray(), out _));
            Assert.Equal(SrtpStatus.ReplayDuplicate, rx.UnprotectRtp(first.ToArray(), out _));
            var later = new List<byte[]>();
            for (ushort s = 2; s < 100; s++)
                later.Add(ProtectRtp(tx, RtpPacket(s, 6), 172));
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(later[^1].ToArray(), out _));
            Assert.Equal(SrtpStatus.ReplayTooOld, rx.UnprotectRtp(first.ToArray(), out _));
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(later[^10].ToArray(), out _)); // late but inside the window
            Assert.Equal(SrtpStatus.ReplayDuplicate, rx.UnprotectRtp(later[^10].ToArray(), out _));

            var c1 = ProtectRtcp(tx, Rtcp(6), 32);
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(c1.ToArray(), out _));
            Assert.Equal(SrtpStatus.ReplayDuplicate, rx.UnprotectRtcp(c1.ToArray(), out _));
            for (int i = 0; i < 70; i++)
                ProtectRtcp(tx, Rtcp(6), 32);
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(ProtectRtcp(tx, Rtcp(6), 32), out _));
            Assert.Equal(SrtpStatus.ReplayTooOld, rx.UnprotectRtcp(c1.ToArray(), out _));
        }
    }

    [Fact]
    public void ForgedPacketFarAheadDoesNotMoveTheReceiver()
    {
        using var key = Key(SrtpSuite.AesCm128HmacSha1_80);
        var (tx, rx) = Pair(key);
        using (tx)
        using (rx)
        {
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(ProtectRtp(tx, RtpPacket(100, 2), 100), out _));
            var forged = ProtectRtp(tx, RtpPacket(101, 2), 100);
            BinaryPrimitives.WriteUInt16BigEndian(forged.AsSpan(2), 30_100); // a jump of 30000 within ROC 0
            Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtp(forged.ToArray(), out _));
            // 40100 after 100 can only mean ROC -1: a packet from before the stream began.
            BinaryPrimitives.WriteUInt16BigEndian(forged.AsSpan(2), 40_100);
            Assert.Equal(SrtpStatus.ReplayTooOld, rx.UnprotectRtp(forged.ToArray(), out _));
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(ProtectRtp(tx, RtpPacket(102, 2), 100), out _));
        }
    }

    [Fact]
    public void AesCmSrtcpWithEZeroIsAcceptedOnlyWhenAuthentic()
    {
        var suite = SrtpSuite.AesCm128HmacSha1_80;
        using var key = Key(suite);
        using var rx = new SrtpContext(new SrtpPolicy(key));
        var auth = new byte[20];
        SrtpKeyDerivation.Derive(key.Key.Span, key.Salt.Span, SrtpKeyDerivation.RtcpAuthentication, auth);
        var rtcp = Rtcp(0xABCD, room: 0);
        var wire = new byte[32 + 4 + 10];
        rtcp.CopyTo(wire, 0);
        BinaryPrimitives.WriteUInt32BigEndian(wire.AsSpan(32), 5); // E=0, index 5
        HMACSHA1.HashData(auth, wire.AsSpan(0, 36)).AsSpan(0, 10).CopyTo(wire.AsSpan(36));

        var stripped = wire.ToArray();
        stripped[32] |= 0x80; // claiming E=1 changes the authenticated trailer
        Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtcp(stripped, out _));
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(wire, out int n));
        Assert.Equal(ToHex(rtcp), ToHex(wire.AsSpan(0, n))); // not decrypted
    }

    [Theory]
    [MemberData(nameof(GcmSuitesAndPaths))]
    public void GcmSrtcpWithEZeroAuthenticatesTheWholePacket(SrtpSuite suite, bool native)
    {
        using var key = Key(suite);
        using var rx = new SrtpContext(new SrtpPolicy(key), Path(native));
        var info = SrtpSuites.Info(suite);
        var k = new byte[info.KeyLength];
        var salt = new byte[12];
        SrtpKeyDerivation.Derive(key.Key.Span, key.Salt.Span, SrtpKeyDerivation.RtcpEncryption, k);
        SrtpKeyDerivation.Derive(key.Key.Span, key.Salt.Span, SrtpKeyDerivation.RtcpSalt, salt);
        var rtcp = Rtcp(0xABCD, room: 0);
        var wire = new byte[32 + 16 + 4];
        rtcp.CopyTo(wire, 0);
        BinaryPrimitives.WriteUInt32BigEndian(wire.AsSpan(48), 9); // E=0, index 9
        var nonce = new byte[12];
        SrtpContext.GcmNonceForTest(salt, 0xABCD, 9, nonce);
        var aad = new byte[36];
        rtcp.CopyTo(aad, 0);
        wire.AsSpan(48, 4).CopyTo(aad.AsSpan(32));
        using (var gcm = new AesGcm(k, 16))
            gcm.Encrypt(nonce, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, wire.AsSpan(32, 16), aad);

        var tampered = wire.ToArray();
        tampered[20] ^= 1; // the clear body is authenticated
        Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtcp(tampered, out _));
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(wire, out int n));
        Assert.Equal(ToHex(rtcp), ToHex(wire.AsSpan(0, n)));
    }

    [Theory]
    [InlineData(SrtpSuite.AesCm128HmacSha1_80)]
    [InlineData(SrtpSuite.AesCm128HmacSha1_32)]
    [InlineData(SrtpSuite.Aes256CmHmacSha1_32)]
    public void EveryFlippedTagBitFails(SrtpSuite suite)
    {
        using var key = Key(suite);
        var (tx, rx) = Pair(key);
        using (tx)
        using (rx)
        {
            var wire = ProtectRtp(tx, RtpPacket(40, 3), 172);
            var srtcp = ProtectRtcp(tx, Rtcp(3), 32);
            int rtpTag = SrtpSuites.Info(suite).RtpTagLength, rtcpTag = SrtpSuites.Info(suite).RtcpTagLength;
            for (int bit = 0; bit < rtpTag * 8; bit++)
            {
                var bad = wire.ToArray();
                bad[wire.Length - rtpTag + bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtp(bad, out _));
            }
            for (int bit = 0; bit < rtcpTag * 8; bit++)
            {
                var bad = srtcp.ToArray();
                bad[srtcp.Length - rtcpTag + bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtcp(bad, out _));
            }
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(wire, out _));
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(srtcp, out _));
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(16)]
    public void TagComparisonLooksAtEveryByteOfTheTagOnly(int length)
    {
        var mac = new byte[20];
        new Random(length).NextBytes(mac);
        var tag = mac.AsSpan(0, length).ToArray();
        Assert.True(SrtpContext.TagEquals(mac, tag));
        for (int i = 0; i < length; i++)
        {
            var bad = tag.ToArray();
            bad[i] ^= 0x40;
            Assert.False(SrtpContext.TagEquals(mac, bad));
        }
        mac[length] ^= 0xFF; // MAC bytes past the truncated tag are not compared
        Assert.True(SrtpContext.TagEquals(mac, tag));
    }

    [Theory]
    [MemberData(nameof(GcmSuitesAndPaths))]
    public void GcmTagFailureLeavesNoUnauthenticatedPlaintext(SrtpSuite suite, bool native)
    {
        using var key = Key(suite);
        var (tx, rx) = Pair(key, Path(native));
        using (tx)
        using (rx)
        {
            var plain = RtpPacket(77, 5, 172);
            var wire = ProtectRtp(tx, plain, 172);
            wire[^1] ^= 0x80; // last tag byte
            Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtp(wire, out _));
            // GCM decrypts while it authenticates: whatever it decrypted is wiped, never left for a careless caller.
            Assert.False(wire.AsSpan(12, 160).ContainsAnyExcept((byte)0));
            Assert.NotEqual(ToHex(plain.AsSpan(12, 160)), ToHex(wire.AsSpan(12, 160)));
        }
    }

    [Theory]
    [MemberData(nameof(SuitesAndPaths))]
    public void TagFailuresOnTheLibcryptoPathThrowNoException(SrtpSuite suite, bool native)
    {
        using var key = Key(suite);
        var (tx, rx) = Pair(key, Path(native));
        using (tx)
        using (rx)
        {
            var wire = ProtectRtp(tx, RtpPacket(9, 5, 172), 172);
            var srtcp = ProtectRtcp(tx, Rtcp(5), 32);
            int thread = Environment.CurrentManagedThreadId, thrown = 0;
            EventHandler<System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs> count = (_, _) =>
            {
                if (Environment.CurrentManagedThreadId == thread)
                    Interlocked.Increment(ref thrown);
            };
            AppDomain.CurrentDomain.FirstChanceException += count;
            try
            {
                for (int i = 0; i < 20; i++)
                {
                    var bad = wire.ToArray();
                    bad[12 + i] ^= 1;
                    Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtp(bad, out _));
                    var badRtcp = srtcp.ToArray();
                    badRtcp[8 + i] ^= 1;
                    Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtcp(badRtcp, out _));
                }
            }
            finally
            {
                AppDomain.CurrentDomain.FirstChanceException -= count;
            }
            // HMAC suites compare tags on both paths; only the BCL's AesGcm reports a wrong tag by throwing (caught
            // inside PortableAesGcm), which also shows that the counter sees exceptions at all.
            bool portableGcm = !native && SrtpSuites.Info(suite).IsAead;
            if (portableGcm)
                Assert.True(thrown >= 40, $"expected the BCL's AesGcm to throw per forged packet, saw {thrown}");
            else
                Assert.Equal(0, thrown);
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(wire, out _));
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void HostileRtpIsMalformedNeverAnException(SrtpSuite suite)
    {
        using var key = Key(suite);
        using var rx = new SrtpContext(new SrtpPolicy(key));
        using var tx = new SrtpContext(new SrtpPolicy(key));
        int tag = SrtpSuites.Info(suite).RtpTagLength;
        foreach (int len in new[] { 0, 1, 11, 12 + tag - 1 })
            Assert.Equal(SrtpStatus.Malformed, rx.UnprotectRtp(new byte[len], out _));

        var v1 = RtpPacket(1, 1, 40 + tag, 0);
        v1[0] = 0x40; // version 1
        Assert.Equal(SrtpStatus.Malformed, rx.UnprotectRtp(v1, out _));
        var csrc = RtpPacket(1, 1, 40 + tag, 0);
        csrc[0] = 0x8F; // 15 CSRCs = 72-byte header in a 40-byte body
        Assert.Equal(SrtpStatus.Malformed, rx.UnprotectRtp(csrc, out _));
        var ext = RtpPacket(1, 1, 40 + tag, 0);
        ext[0] = 0x90;
        BinaryPrimitives.WriteUInt16BigEndian(ext.AsSpan(14), 0xFFFF); // extension length far past the end
        Assert.Equal(SrtpStatus.Malformed, rx.UnprotectRtp(ext, out _));
        var extHead = RtpPacket(1, 1, 14 + tag, 0);
        extHead[0] = 0x90; // X set but no room for the extension header
        Assert.Equal(SrtpStatus.Malformed, rx.UnprotectRtp(extHead, out _));

        // Protect side: no room for the tag, lengths out of range, impossible padding.
        var p = RtpPacket(1, 1, 100, 64);
        Assert.Equal(SrtpStatus.Malformed, tx.ProtectRtp(p.AsSpan(0, 100 + tx.RtpOverhead - 1), 100, out _));
        Assert.Equal(SrtpStatus.Malformed, tx.ProtectRtp(p, -1, out _));
        Assert.Equal(SrtpStatus.Malformed, tx.ProtectRtp(p, p.Length + 1, out _));
        Assert.Equal(SrtpStatus.Malformed, tx.ProtectRtp(csrc.ToArray().Concat(new byte[64]).ToArray(), 40, out _));
        var padded = RtpPacket(1, 1, 100, 64);
        padded[0] |= 0x20;
        padded[99] = 0;
        Assert.Equal(SrtpStatus.Malformed, tx.ProtectRtp(padded, 100, out _));
        padded[99] = 89; // more than the 88-byte payload
        Assert.Equal(SrtpStatus.Malformed, tx.ProtectRtp(padded, 100, out _));
        padded[99] = 88;
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(padded, 100, out int n));
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(padded.AsSpan(0, n), out int m));
        Assert.Equal(100, m);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void HostileRtcpIsMalformedNeverAnException(SrtpSuite suite)
    {
        using var key = Key(suite);
        using var rx = new SrtpContext(new SrtpPolicy(key));
        using var tx = new SrtpContext(new SrtpPolicy(key));
        int min = 8 + rx.RtcpOverhead;
        foreach (int len in new[] { 0, 4, 8, min - 1 })
            Assert.Equal(SrtpStatus.Malformed, rx.UnprotectRtcp(new byte[len], out _));
        var v0 = new byte[min + 10];
        Assert.Equal(SrtpStatus.Malformed, rx.UnprotectRtcp(v0, out _));
        Assert.Equal(SrtpStatus.Malformed, tx.ProtectRtcp(new byte[7 + 64], 7, out _));
        Assert.Equal(SrtpStatus.Malformed, tx.ProtectRtcp(Rtcp(1, room: 0), 32, out _)); // no room for the trailer
        Assert.Equal(SrtpStatus.Malformed, tx.ProtectRtcp(new byte[32 + 64], 32, out _)); // version 0
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void RandomGarbageNeverThrowsOrPasses(SrtpSuite suite)
    {
        using var key = Key(suite);
        using var rx = new SrtpContext(new SrtpPolicy(key));
        var rng = new Random(1234);
        for (int i = 0; i < 3000; i++)
        {
            var junk = new byte[rng.Next(0, 300)];
            rng.NextBytes(junk);
            if (junk.Length > 0 && i % 2 == 0)
                junk[0] = (byte)(0x80 | (junk[0] & 0x3F)); // mostly-plausible headers reach the crypto
            Assert.NotEqual(SrtpStatus.Ok, rx.UnprotectRtp(junk.ToArray(), out _));
            Assert.NotEqual(SrtpStatus.Ok, rx.UnprotectRtcp(junk, out _));
        }
    }

    [Fact]
    public void SsrcTableIsCappedAndOnlyAuthenticPacketsTakeASlot()
    {
        using var key = Key(SrtpSuite.AesCm128HmacSha1_80);
        var (tx, rx) = Pair(key);
        using (tx)
        using (rx)
        {
            // Garbage from many SSRCs must not fill the receiver's table.
            for (uint ssrc = 1000; ssrc < 1100; ssrc++)
            {
                var junk = ProtectRtp(new SrtpContext(new SrtpPolicy(Key(SrtpSuite.AesCm128HmacSha1_80, seed: 9))), RtpPacket(1, ssrc), 60);
                Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtp(junk, out _));
            }
            for (uint ssrc = 1; ssrc <= SrtpContext.MaxSsrcs; ssrc++)
                Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(ProtectRtp(tx, RtpPacket(1, ssrc), 60), out _));
            Assert.Equal(SrtpStatus.TooManySsrcs, tx.ProtectRtp(RtpPacket(1, 999), 60, out _));
            using var tx2 = new SrtpContext(new SrtpPolicy(key));
            Assert.Equal(SrtpStatus.TooManySsrcs, rx.UnprotectRtp(ProtectRtp(tx2, RtpPacket(1, 999), 60), out _));
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(ProtectRtp(tx, RtpPacket(2, 5), 60), out _)); // known SSRCs still work
        }
    }
}
