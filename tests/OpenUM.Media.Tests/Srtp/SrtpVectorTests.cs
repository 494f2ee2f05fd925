using static OpenUM.Media.Tests.Srtp.SrtpTestPackets;

using OpenUM.Media.Srtp;

namespace OpenUM.Media.Tests.Srtp;

// Known answers from RFC 3711, RFC 6188, RFC 7714, libsrtp, pion and SharpSRTP (values and citations in SrtpVectors.cs).
public sealed class SrtpVectorTests
{
    public static TheoryData<string> KeystreamIds() => Ids(SrtpVectors.Keystreams.Select(v => v.Id));
    public static TheoryData<string> KdfIds() => Ids(SrtpVectors.KeyDerivations.Select(v => v.Id));
    public static TheoryData<string> SrtpIds() => Ids(SrtpVectors.SrtpPackets.Select(v => v.Id));
    public static TheoryData<string> SrtcpIds() => Ids(SrtpVectors.SrtcpPackets.Select(v => v.Id));
    public static TheoryData<string, bool> GcmIdsAndPaths()
    {
        var d = new TheoryData<string, bool>();
        foreach (var v in SrtpVectors.Gcm)
        {
            d.Add(v.Id, false);
            d.Add(v.Id, true);
        }
        return d;
    }

    private static TheoryData<string> Ids(IEnumerable<string> ids)
    {
        var d = new TheoryData<string>();
        foreach (var id in ids)
            d.Add(id);
        return d;
    }

    [Theory]
    [MemberData(nameof(KeystreamIds))]
    public void AesCmKeystreamMatches(string id)
    {
        var v = SrtpVectors.Keystreams.Single(x => x.Id == id);
        Span<byte> iv = stackalloc byte[16];
        AesCounterMode.BuildIv(Hex(v.SessionSalt), ssrc: 0, index: 0, iv);
        int blocks = v.Blocks.Max(b => b.BlockIndex) + 1;
        var stream = new byte[blocks * 16];
        using (var cm = new AesCounterMode(Hex(v.SessionKey)))
            cm.Apply(iv, stream); // keystream XOR zeros = keystream
        foreach (var b in v.Blocks)
        {
            var counter = Hex(b.Counter);
            Assert.Equal(ToHex(iv[..14]), ToHex(counter.AsSpan(0, 14)));
            Assert.Equal(b.BlockIndex, (counter[14] << 8) | counter[15]);
            Assert.Equal(b.Keystream, ToHex(stream.AsSpan(b.BlockIndex * 16, 16)));
        }
    }

    [Theory]
    [MemberData(nameof(KdfIds))]
    public void KeyDerivationMatches(string id)
    {
        var v = SrtpVectors.KeyDerivations.Single(x => x.Id == id);
        var input = new byte[16];
        foreach (var o in v.Outputs)
        {
            SrtpKeyDerivation.AesInput(Hex(v.MasterSalt), o.Label, input);
            Assert.Equal(o.AesInput, ToHex(input));
            var output = new byte[o.Value.Length / 2];
            SrtpKeyDerivation.Derive(Hex(v.MasterKey), Hex(v.MasterSalt), o.Label, output);
            Assert.Equal(o.Value, ToHex(output));
        }
    }

    [Theory]
    [MemberData(nameof(SrtpIds))]
    public void SrtpPacketMatchesAndRoundTrips(string id)
    {
        var v = SrtpVectors.SrtpPackets.Single(x => x.Id == id);
        var info = SrtpSuites.Info(v.Suite);
        AssertSessionKeys(v.MasterKey, v.MasterSalt, SrtpKeyDerivation.RtpEncryption, v.Session, info);
        Assert.Equal(0u, v.Roc); // a fresh sender starts at ROC 0
        foreach (var path in new[] { SrtpCryptoPath.Portable, SrtpCryptoPath.Native })
        {
            using var key = new SrtpMasterKey(v.Suite, Hex(v.MasterKey), Hex(v.MasterSalt));
            var (tx, rx) = Pair(key, path);
            using (tx)
            using (rx)
            {
                var plain = Hex(v.Plain);
                var wire = ProtectRtp(tx, plain, plain.Length);
                Assert.Equal(v.Protected, ToHex(wire));
                Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(wire, out int n));
                Assert.Equal(v.Plain, ToHex(wire.AsSpan(0, n)));
            }
        }
    }

    [Fact]
    public void SharpSrtpStreamOfFivePacketsMatchesInOrderOnOneContext()
    {
        var stream = SrtpVectors.SrtpPackets.Where(v => v.Id.StartsWith("sharpsrtp-rtp-seq", StringComparison.Ordinal)).ToArray();
        Assert.Equal(5, stream.Length);
        using var key = new SrtpMasterKey(stream[0].Suite, Hex(stream[0].MasterKey), Hex(stream[0].MasterSalt));
        var (tx, rx) = Pair(key);
        using (tx)
        using (rx)
        {
            foreach (var v in stream)
            {
                var plain = Hex(v.Plain);
                var wire = ProtectRtp(tx, plain, plain.Length);
                Assert.Equal(v.Protected, ToHex(wire));
                Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(wire, out int n));
                Assert.Equal(v.Plain, ToHex(wire.AsSpan(0, n)));
            }
        }
    }

    [Fact]
    public void SdesInlineKeyIsKeyThenSalt()
    {
        // SharpSRTP TestProtectUnprotect.cs: a=crypto inline key material is base64(master key || master salt).
        var v = SrtpVectors.SrtpPackets.Single(x => x.Id == "sharpsrtp-sdes-inline-aes128cm-sha1-80");
        Assert.Equal(v.MasterKey + v.MasterSalt, ToHex(Convert.FromBase64String("n7z9GgmnJ4Bc2hC0prEf8KFCKv8EyG+4WrUOg7oi")));
    }

    [Theory]
    [MemberData(nameof(SrtcpIds))]
    public void SrtcpPacketMatchesAndRoundTrips(string id)
    {
        var v = SrtpVectors.SrtcpPackets.Single(x => x.Id == id);
        var info = SrtpSuites.Info(v.Suite);
        AssertSessionKeys(v.MasterKey, v.MasterSalt, SrtpKeyDerivation.RtcpEncryption, v.Session, info);
        foreach (var path in new[] { SrtpCryptoPath.Portable, SrtpCryptoPath.Native })
        {
            using var key = new SrtpMasterKey(v.Suite, Hex(v.MasterKey), Hex(v.MasterSalt));
            var (tx, rx) = Pair(key, path);
            using (tx)
            using (rx)
            {
                var plain = Hex(v.Plain);
                if (v.Index > 0)
                {
                    // Our sender numbers SRTCP from 1 (as libsrtp and pion do); earlier packets of the stream were not sent here.
                    tx.SetLastRtcpIndex(v.Ssrc, v.Index - 1);
                    Assert.Equal(v.Protected, ToHex(ProtectRtcp(tx, plain, plain.Length)));
                }
                var wire = Hex(v.Protected);
                Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtcp(wire, out int n));
                Assert.Equal(v.Plain, ToHex(wire.AsSpan(0, n)));
            }
        }
    }

    [Fact]
    public void FirstSrtcpPacketUsesIndexOne()
    {
        var v = SrtpVectors.SrtcpPackets.Single(x => x.Id == "libsrtp-validate-srtcp-aes128cm-sha1-80");
        using var key = new SrtpMasterKey(v.Suite, Hex(v.MasterKey), Hex(v.MasterSalt));
        using var tx = new SrtpContext(new SrtpPolicy(key));
        var plain = Hex(v.Plain);
        Assert.Equal(v.Protected, ToHex(ProtectRtcp(tx, plain, plain.Length)));
    }

    [Theory]
    [MemberData(nameof(GcmIdsAndPaths))]
    public void GcmPacketMatchesIncludingIv(string id, bool native)
    {
        var v = SrtpVectors.Gcm.Single(x => x.Id == id);
        var info = SrtpSuites.Info(v.Suite);
        Span<byte> nonce = stackalloc byte[12];
        SrtpContext.GcmNonceForTest(Hex(v.SessionSalt), v.Ssrc, v.IndexOrSrtcpIndex, nonce);
        Assert.Equal(v.Iv, ToHex(nonce));
        var plain = Hex(v.Plain);
        var expected = Hex(v.Protected);
        // RFC 7714: AAD is the RTP header, or for SRTCP the first 8 octets followed by E|index.
        var aadHead = ToHex(plain.AsSpan(0, v.Rtcp ? 8 : 12));
        Assert.StartsWith(aadHead, v.Aad, StringComparison.Ordinal);

        using var tx = GcmContext(v, info, Path(native));
        using var rx = GcmContext(v, info, Path(native));
        Assert.Equal(native, tx.UsesNativeGcm);
        byte[] wire;
        if (v.Rtcp)
        {
            tx.SetLastRtcpIndex(v.Ssrc, (uint)v.IndexOrSrtcpIndex - 1);
            wire = ProtectRtcp(tx, plain, plain.Length);
            Assert.Equal(v.Aad[16..], ToHex(wire.AsSpan(wire.Length - 4)));
        }
        else
        {
            wire = ProtectRtp(tx, plain, plain.Length);
        }
        Assert.Equal(v.Protected, ToHex(wire));
        var status = v.Rtcp ? rx.UnprotectRtcp(expected, out int n) : rx.UnprotectRtp(expected, out n);
        Assert.Equal(SrtpStatus.Ok, status);
        Assert.Equal(v.Plain, ToHex(expected.AsSpan(0, n)));
    }

    private static SrtpContext GcmContext(SrtpVectors.GcmVector v, SrtpSuiteInfo info, SrtpCryptoPath path)
    {
        // RFC 7714 §16-17 publish session keys, not master keys: the same key and salt serve SRTP and SRTCP here.
        var rtp = SrtpSessionKeys.FromSessionKeys(info, Hex(v.SessionKey), Hex(v.SessionSalt), default, path);
        var rtcp = SrtpSessionKeys.FromSessionKeys(info, Hex(v.SessionKey), Hex(v.SessionSalt), default, path);
        return new SrtpContext(v.Suite, default, null, 128, rtp, rtcp);
    }

    private static void AssertSessionKeys(string masterKey, string masterSalt, byte encLabel, SrtpVectors.SessionKeys expected, SrtpSuiteInfo info)
    {
        var key = new byte[info.KeyLength];
        var auth = new byte[20];
        var salt = new byte[info.SaltLength];
        SrtpKeyDerivation.Derive(Hex(masterKey), Hex(masterSalt), encLabel, key);
        SrtpKeyDerivation.Derive(Hex(masterKey), Hex(masterSalt), (byte)(encLabel + 1), auth);
        SrtpKeyDerivation.Derive(Hex(masterKey), Hex(masterSalt), (byte)(encLabel + 2), salt);
        Assert.Equal(expected.Key, ToHex(key));
        Assert.Equal(expected.AuthKey, ToHex(auth));
        Assert.Equal(expected.Salt, ToHex(salt));
    }
}
