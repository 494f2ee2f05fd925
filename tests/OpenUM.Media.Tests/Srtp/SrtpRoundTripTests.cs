using System.Buffers.Binary;
using OpenUM.Media.Srtp;
using static OpenUM.Media.Tests.Srtp.SrtpTestPackets;

namespace OpenUM.Media.Tests.Srtp;

public sealed class SrtpRoundTripTests
{
    public static TheoryData<SrtpSuite, bool> SuitesAndPaths() => SrtpTestPackets.SuitesAndPaths();
    public static TheoryData<SrtpSuite> Suites() => SrtpTestPackets.Suites();

    [Theory]
    [MemberData(nameof(SuitesAndPaths))]
    public void RtpAndRtcpRoundTripOnASecondContext(SrtpSuite suite, bool native)
    {
        using var key = Key(suite);
        var (tx, rx) = Pair(key, Path(native));
        using (tx)
        using (rx)
        {
            Assert.Equal(SrtpSuites.Info(suite).RtpTagLength, tx.RtpOverhead);
            Assert.Equal(4 + SrtpSuites.Info(suite).RtcpTagLength, tx.RtcpOverhead);
            foreach (int length in new[] { 12, 13, 28, 172, 1500 })
            {
                var plain = RtpPacket((ushort)length, 0x1234, length);
                var wire = ProtectRtp(tx, plain, length);
                if (length > 12)
                    Assert.NotEqual(ToHex(plain.AsSpan(12, length - 12)), ToHex(wire.AsSpan(12, length - 12)));
                Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(wire, out int n));
                Assert.Equal(ToHex(plain.AsSpan(0, length)), ToHex(wire.AsSpan(0, n)));
            }
            var rtcp = Rtcp(0x1234);
            var srtcp = ProtectRtcp(tx, rtcp, 32);
            Assert.Equal(0x80000001u, BinaryPrimitives.ReadUInt32BigEndian(srtcp.AsSpan(SrtpSuites.Info(suite).IsAead ? 32 + 16 : 32)));
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(srtcp, out int m));
            Assert.Equal(ToHex(rtcp.AsSpan(0, 32)), ToHex(srtcp.AsSpan(0, m)));
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void PortableAndNativeBackendsGiveIdenticalPacketsAndReadEachOther(SrtpSuite suite)
    {
        Assert.True(LibCryptoSha1.IsAvailable, "libcrypto.so.3 should be present on Linux hosts running .NET");
        Assert.True(LibCryptoAesGcm.IsAvailable, "libcrypto.so.3 should offer EVP AES-GCM on Linux hosts running .NET");
        bool aead = SrtpSuites.Info(suite).IsAead;
        using var key = Key(suite, seed: 7);
        using var portable = new SrtpContext(new SrtpPolicy(key), SrtpCryptoPath.Portable);
        using var native = new SrtpContext(new SrtpPolicy(key), SrtpCryptoPath.Native);
        using var portableRx = new SrtpContext(new SrtpPolicy(key), SrtpCryptoPath.Portable);
        using var nativeRx = new SrtpContext(new SrtpPolicy(key), SrtpCryptoPath.Native);
        Assert.False(portable.UsesNativeHmac);
        Assert.False(portable.UsesNativeGcm);
        Assert.Equal(!aead, native.UsesNativeHmac);
        Assert.Equal(aead, native.UsesNativeGcm);
        var rng = new Random(42);
        for (int i = 0; i < 200; i++)
        {
            // Lengths up to 3000 bytes cross the 2048-byte switch to the P/Invokes that keep the GC transition.
            int length = 12 + rng.Next(0, 3000);
            var plain = RtpPacket((ushort)i, 99, length);
            rng.NextBytes(plain.AsSpan(12, length - 12));
            var fromPortable = ProtectRtp(portable, plain, length);
            var fromNative = ProtectRtp(native, plain, length);
            Assert.Equal(ToHex(fromPortable), ToHex(fromNative));
            // Each backend reads what the other wrote.
            Assert.Equal(SrtpStatus.Ok, nativeRx.UnprotectRtp(fromPortable, out int n));
            Assert.Equal(ToHex(plain.AsSpan(0, length)), ToHex(fromPortable.AsSpan(0, n)));
            Assert.Equal(SrtpStatus.Ok, portableRx.UnprotectRtp(fromNative, out n));
            Assert.Equal(ToHex(plain.AsSpan(0, length)), ToHex(fromNative.AsSpan(0, n)));
            var rtcp = Rtcp(99);
            var rtcpPortable = ProtectRtcp(portable, rtcp, 32);
            var rtcpNative = ProtectRtcp(native, rtcp, 32);
            Assert.Equal(ToHex(rtcpPortable), ToHex(rtcpNative));
            Assert.Equal(SrtpStatus.Ok, nativeRx.UnprotectRtcp(rtcpPortable, out n));
            Assert.Equal(ToHex(rtcp.AsSpan(0, 32)), ToHex(rtcpPortable.AsSpan(0, n)));
            Assert.Equal(SrtpStatus.Ok, portableRx.UnprotectRtcp(rtcpNative, out n));
        }
    }

    [Fact]
    public void MissingLibraryOrSymbolFallsBackToPortable()
    {
        Assert.False(LibCryptoSha1.Probe("libopenum-does-not-exist.so.9", "SHA1_Init"));
        Assert.False(LibCryptoSha1.Probe("libcrypto.so.3", "SHA1_NoSuchSymbol"));
        using var auth = SrtpAuthenticator.Create(new byte[20], SrtpCryptoPath.Native, nativeAvailable: false);
        Assert.False(auth.IsNative);
        foreach (int keyLength in new[] { 16, 32 })
        {
            var key = new byte[keyLength];
            using var fallback = SrtpAead.Create(key, SrtpCryptoPath.Native, nativeAvailable: false);
            Assert.IsType<PortableAesGcm>(fallback);
            using var auto = SrtpAead.Create(key, SrtpCryptoPath.Auto, nativeAvailable: false);
            Assert.IsType<PortableAesGcm>(auto);
            using var portable = SrtpAead.Create(key, SrtpCryptoPath.Portable, nativeAvailable: true);
            Assert.IsType<PortableAesGcm>(portable);
            using var native = SrtpAead.Create(key, SrtpCryptoPath.Auto, nativeAvailable: true);
            Assert.IsType<NativeAesGcm>(native);
        }
    }

    [Theory]
    [InlineData(SrtpSuite.AesCm128HmacSha1_80)]
    [InlineData(SrtpSuite.AeadAes256Gcm)]
    public void PublicConstructorPrefersLibcrypto(SrtpSuite suite)
    {
        using var key = Key(suite);
        using var ctx = new SrtpContext(new SrtpPolicy(key));
        Assert.True(ctx.UsesNativeHmac || ctx.UsesNativeGcm);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void MkiIsSentAndChecked(SrtpSuite suite)
    {
        byte[] mki = [0xA1, 0xB2, 0xC3];
        using var key = Key(suite, mki: mki);
        using var otherMki = Key(suite, mki: [0xA1, 0xB2, 0xC4]);
        var (tx, rx) = Pair(key);
        using var wrong = new SrtpContext(new SrtpPolicy(otherMki));
        using (tx)
        using (rx)
        {
            var info = SrtpSuites.Info(suite);
            Assert.Equal(3 + info.RtpTagLength, tx.RtpOverhead);
            Assert.Equal(4 + 3 + info.RtcpTagLength, tx.RtcpOverhead);
            var wire = ProtectRtp(tx, RtpPacket(1, 5), 172);
            // AES-CM: MKI before the tag (RFC 3711 §3.1); GCM: after the tag (RFC 7714 §8, as libsrtp).
            int at = info.IsAead ? wire.Length - 3 : wire.Length - info.RtpTagLength - 3;
            Assert.Equal("a1b2c3", ToHex(wire.AsSpan(at, 3)));
            Assert.Equal(SrtpStatus.UnknownMki, wrong.UnprotectRtp(wire.ToArray(), out _));
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(wire, out int n));
            Assert.Equal(172, n);

            var srtcp = ProtectRtcp(tx, Rtcp(5), 32);
            Assert.Equal(SrtpStatus.UnknownMki, wrong.UnprotectRtcp(srtcp.ToArray(), out _));
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(srtcp, out int m));
            Assert.Equal(32, m);
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void KeyLifetimeStopsProtectAndUnprotect(SrtpSuite suite)
    {
        using var key = Key(suite, lifetime: 3);
        var (tx, rx) = Pair(key);
        using (tx)
        using (rx)
        {
            var sent = new List<byte[]>();
            for (ushort s = 0; s < 3; s++)
                sent.Add(ProtectRtp(tx, RtpPacket(s, 1), 172));
            var fourth = RtpPacket(3, 1, 172);
            var before = ToHex(fourth);
            Assert.Equal(SrtpStatus.KeyExhausted, tx.ProtectRtp(fourth, 172, out int len));
            Assert.Equal(0, len);
            Assert.Equal(before, ToHex(fourth)); // nothing encrypted with a spent key
            Assert.Equal(SrtpStatus.KeyExhausted, tx.ProtectRtcp(Rtcp(1), 32, out _));
            foreach (var p in sent)
                Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(p, out _));
            Assert.Equal(3ul, rx.PacketCount);
            // A fourth packet from a sender that ignored the lifetime is refused too.
            using var rogue = new SrtpContext(new SrtpPolicy(Key(suite)));
            var extra = ProtectRtp(rogue, RtpPacket(3, 1), 172);
            Assert.Equal(SrtpStatus.KeyExhausted, rx.UnprotectRtp(extra, out _));
        }
    }

    [Theory]
    [InlineData(SrtpSuite.AesCm128HmacSha1_80, false)]
    [InlineData(SrtpSuite.AesCm128HmacSha1_80, true)]
    [InlineData(SrtpSuite.AeadAes128Gcm, false)]
    public void SequenceWrapsOverMoreThan65536PacketsWithRocTracking(SrtpSuite suite, bool native)
    {
        using var key = Key(suite);
        var (tx, rx) = Pair(key, Path(native));
        using (tx)
        using (rx)
        {
            var buf = new byte[60 + 32];
            for (int i = 0; i < 70_000; i++)
            {
                ushort seq = (ushort)(65_000 + i); // wraps after 536 packets
                RtpPacket(seq, 77, 60, 32).CopyTo(buf, 0);
                Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(buf, 60, out int n));
                Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(buf.AsSpan(0, n), out int m));
                Assert.Equal(60, m);
                Assert.Equal(seq, BinaryPrimitives.ReadUInt16BigEndian(buf.AsSpan(2)));
            }
            Assert.Equal(70_000ul, rx.PacketCount);
        }
    }

    [Fact]
    public void ReorderedPacketsAcrossTheWrapUseTheRightRoc()
    {
        using var key = Key(SrtpSuite.AesCm128HmacSha1_80);
        var (tx, rx) = Pair(key);
        using (tx)
        using (rx)
        {
            var p65534 = ProtectRtp(tx, RtpPacket(65534, 3), 100);
            var p65535 = ProtectRtp(tx, RtpPacket(65535, 3), 100);
            var p0 = ProtectRtp(tx, RtpPacket(0, 3), 100);   // ROC 1
            var p1 = ProtectRtp(tx, RtpPacket(1, 3), 100);   // ROC 1
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(p65534, out _));
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(p0, out _));     // guessed ROC+1
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(p65535, out _)); // late, guessed ROC-1
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(p1, out _));
        }
    }

    [Fact]
    public void WrongRocAfterTheSenderWrappedFailsAuthentication()
    {
        using var key = Key(SrtpSuite.AesCm128HmacSha1_80);
        var (tx, rx) = Pair(key);
        using (tx)
        using (rx)
        {
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(ProtectRtp(tx, RtpPacket(10, 9), 100), out _));
            // The sender moves on in steps the receiver never sees and wraps: seq 24474 now carries ROC 1.
            ProtectRtp(tx, RtpPacket(30_010, 9), 100);
            ProtectRtp(tx, RtpPacket(60_010, 9), 100);
            var wrapped = ProtectRtp(tx, RtpPacket(24_474, 9), 100);
            // The receiver (highest seq 10, ROC 0) guesses ROC 0 for it, so the tag cannot verify.
            Assert.Equal(SrtpStatus.AuthenticationFailed, rx.UnprotectRtp(wrapped, out _));
        }
    }

    [Theory]
    [InlineData(128, 127, SrtpStatus.Ok)]
    [InlineData(128, 128, SrtpStatus.ReplayTooOld)]
    [InlineData(64, 64, SrtpStatus.ReplayTooOld)]
    [InlineData(1000, 999, SrtpStatus.Ok)]
    [InlineData(1000, 1000, SrtpStatus.ReplayTooOld)]
    [InlineData(32768, 32767, SrtpStatus.Ok)]
    public void ReplayWindowSizeIsHonoured(int window, int age, SrtpStatus expected)
    {
        using var key = Key(SrtpSuite.AesCm128HmacSha1_80);
        var (tx, rx) = Pair(key, window: window);
        using (tx)
        using (rx)
        {
            var old = ProtectRtp(tx, RtpPacket(100, 4), 40);
            var newest = ProtectRtp(tx, RtpPacket((ushort)(100 + age), 4), 40);
            Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(newest, out _));
            Assert.Equal(expected, rx.UnprotectRtp(old, out _));
        }
    }
}
