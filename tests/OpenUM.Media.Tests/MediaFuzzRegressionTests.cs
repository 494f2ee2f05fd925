using OpenUM.Media.Sdp;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Tests;

// Inputs found with the AFL++ harness (fuzz/OpenUM.Fuzz); each is also kept in fuzz/regressions/<target>/ and
// replayed by fuzz/smoke.sh.
public class MediaFuzzRegressionTests
{
    private const string Key128 = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"; // RFC 4568 example key, 30 bytes

    // fuzz target sdes (fuzz/regressions/sdes/lifetime-above-2-48): RFC 4568 §9.2 lets a lifetime be any number
    // up to 2^64-1 or 2^n, so these lines parse; SRTP allows at most 2^48 packets per key (RFC 3711 §9.2), and
    // the master key constructor refused the lifetime with an ArgumentOutOfRangeException out of a Try method.
    [Theory]
    [InlineData("|2^49")]
    [InlineData("|2^63")]
    [InlineData("|281474976710657")] // 2^48 + 1
    [InlineData("|18446744073709551615|1:4")] // 2^64 - 1, with an MKI
    public void KeyWithALifetimeAboveSrtpsLimitDoesNotSplitIntoAMasterKey(string lifetime)
    {
        Assert.True(SdesCrypto.TryParse("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + lifetime, out var crypto, out var error), error);
        var key = crypto!.Keys[0];

        Assert.False(key.TryToMasterKey(SrtpSuite.AesCm128HmacSha1_80, out var master));
        Assert.Null(master);
        // The answerer never gets that far: the policy refuses the line first, naming the lifetime.
        Assert.False(SdesPolicy.IsAcceptable(crypto, out var why));
        Assert.Contains("lifetime", why, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyAtSrtpsLifetimeLimitStillSplits()
    {
        Assert.True(SdesCrypto.TryParse("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "|2^48", out var crypto, out _));

        Assert.True(crypto!.Keys[0].TryToMasterKey(SrtpSuite.AesCm128HmacSha1_80, out var master));
        using (master)
            Assert.Equal(SrtpMasterKey.MaxSrtpPackets, master!.Lifetime);
    }

    [Fact]
    public void HandMadeKeyParamsThatCannotKeySrtpDoNotSplit()
    {
        var keySalt = new byte[30];
        Assert.False(new SdesKeyParam(keySalt, Lifetime: 0).TryToMasterKey(SrtpSuite.AesCm128HmacSha1_80, out _));
        Assert.False(new SdesKeyParam(keySalt, MkiValue: 1, MkiLength: 129).TryToMasterKey(SrtpSuite.AesCm128HmacSha1_80, out _));
        Assert.False(new SdesKeyParam(keySalt, MkiValue: 1, MkiLength: -1).TryToMasterKey(SrtpSuite.AesCm128HmacSha1_80, out _));
    }
}
