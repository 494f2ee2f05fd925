using OpenUM.Media.Sdp;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Tests;

// a=crypto values (the part after "a=crypto:"). Source tags:
//   [R4568] RFC 4568 example keys as reproduced in sipsorcery-org/sipsorcery test/unit/net/SDP/
//           SDPSecurityDescriptionUnitTest.cs and KeyParameterUnitTest.cs @ ef0fd22722036ae6ced29c71108f75fce2b1935d
//           and jitsi sdes4j CryptoAttributeTest.
//   [SS]    Inputs from the same sipsorcery tests.
//   [GRAM]  Constructed from the RFC 4568 §9.2 ABNF (the comment names the rule).
public class SdesTests
{
    private const string Key128 = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"; // [R4568], 30 bytes

    [Theory]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32")] // [R4568]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4")] // [R4568]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")] // [R4568]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20")] // [R4568]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:32")] // [R4568] MKI only
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1048576")] // [SS] decimal lifetime
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 FEC_ORDER=FEC_SRTP")] // [R4568]
    [InlineData("2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4 FEC_ORDER=FEC_SRTP")] // [R4568]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32")] // [R4568]
    [InlineData("2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32")] // [R4568]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:YUJDZGVmZ2hpSktMbW9QUXJzVHVWd3l6MTIzNDU2|1066:4")] // [R4568]
    [InlineData("1 AES_256_CM_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj/Jl+xZQ4qrEUAzDN67dOAQ==")] // [SS] RFC 6188
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR KDR=10")] // [SS]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR WSH=128")] // [SS]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR UNENCRYPTED_SRTP")] // [SS]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR UNENCRYPTED_SRTCP")] // [SS]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR UNAUTHENTICATED_SRTP")] // [SS]
    [InlineData("999999999 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")] // [SS] largest tag
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^48")] // [SS]
    [InlineData("1 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==")] // [GRAM] RFC 7714, 28 bytes
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR -NEW_PARAM=1")] // [GRAM] optional extension
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR NEW_PARAM=1")] // [GRAM] unknown mandatory
    [InlineData("1 AES_CM_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4")] // [SS] unregistered suite
    [InlineData("1 1 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4")] // [SS] suite "1"
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^0|1:4")] // [SS] lifetime 1: grammatical
    public void WellFormedLinesParseAndFormatBackExactly(string value)
    {
        Assert.True(SdesCrypto.TryParse(value, out var c, out var error), error);
        Assert.Null(error);
        Assert.Equal(value, c!.Format());
        // ToString redacts: no key text, but the length is shown.
        string keyText = value.Split("inline:")[1].Split('|', ' ', ';')[0];
        Assert.DoesNotContain(keyText, c.ToString(), StringComparison.Ordinal);
        Assert.Contains("bytes>", c.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FieldsOfTheRfc4568ExampleAreRead()
    {
        Assert.True(SdesCrypto.TryParse("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "|2^20|1:4", out var c, out _));
        Assert.Equal(1, c!.Tag);
        Assert.Equal(SrtpSuite.AesCm128HmacSha1_80, c.Suite);
        var k = Assert.Single(c.Keys);
        Assert.Equal(Convert.FromHexString("3d2d6e40255e7821426a75667239293f2c2335685c603d265d7b71695051"), k.KeySalt.ToArray());
        Assert.Equal(1UL << 20, k.Lifetime);
        Assert.Equal(1UL, k.MkiValue);
        Assert.Equal(4, k.MkiLength);
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, k.MkiBytes());
        Assert.Empty(c.SessionParams);
    }

    [Fact]
    public void MkiWithoutLifetimeAndDecimalLifetimeAreTold()
    {
        // [R4568] "|1066:4": a field holding ':' is the MKI.
        Assert.True(SdesCrypto.TryParse("1 AES_CM_128_HMAC_SHA1_80 inline:YUJDZGVmZ2hpSktMbW9QUXJzVHVWd3l6MTIzNDU2|1066:4", out var c, out _));
        Assert.Null(c!.Keys[0].Lifetime);
        Assert.Equal(new byte[] { 0, 0, 0x04, 0x2A }, c.Keys[0].MkiBytes());
        Assert.True(SdesCrypto.TryParse("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "|1048576", out c, out _));
        Assert.Equal(1048576UL, c!.Keys[0].Lifetime);
        Assert.False(c.Keys[0].HasMki);
    }

    [Fact]
    public void GcmKeySplitsIntoKeyAndTwelveByteSalt()
    {
        Assert.True(SdesCrypto.TryParse("1 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==", out var c, out _));
        Assert.True(c!.Keys[0].TryToMasterKey(SrtpSuite.AeadAes128Gcm, out var key));
        Assert.Equal(Convert.FromHexString("000102030405060708090a0b0c0d0e0f"), key!.Key.ToArray());
        Assert.Equal(Convert.FromHexString("101112131415161718191a1b"), key.Salt.ToArray());
        Assert.True(key.Mki.IsEmpty);
    }

    [Fact]
    public void AliasSuiteNameIsKeptAndResolved()
    {
        // [SS] RFC 6188 key under the alias spelling some SBCs send.
        const string v = "1 AES_CM_256_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj/Jl+xZQ4qrEUAzDN67dOAQ==";
        Assert.True(SdesCrypto.TryParse(v, out var c, out _));
        Assert.Equal(SrtpSuite.Aes256CmHmacSha1_80, c!.Suite);
        Assert.Equal("AES_CM_256_HMAC_SHA1_80", c.SuiteName);
        Assert.Equal(46, c.Keys[0].KeySalt.Length);
    }

    [Fact]
    public void UnknownSuitesParseWithNullSuite()
    {
        Assert.True(SdesCrypto.TryParse("2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4 FEC_ORDER=FEC_SRTP", out var c, out _));
        Assert.Null(c!.Suite);
        Assert.Equal([1UL, 2UL], c.Keys.Select(k => k.MkiValue!.Value));
        Assert.Equal("FEC_SRTP", c.FecOrder);
        Assert.False(SdesPolicy.IsAcceptable(c, out var why));
        Assert.Contains("not implemented", why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4")] // [SS] missing tag
    [InlineData("1  inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4")] // [SS] missing crypto-suite
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|20^2|1:4")] // [SS] lifetime 20^2
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTINDU2Nzg5QUJjZGVm|2^20|1:4")] // [SS] 39 base64 chars
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|14")] // [SS] MKI without ':'
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline: MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4")] // [SS] space after inline:
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm")] // [GRAM] no key-method
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhc")] // [GRAM] 21-byte key
    [InlineData("1 AES_256_CM_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")] // [GRAM] 30 bytes for a 46-byte suite
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:129")] // [GRAM] MKI length > 128
    [InlineData("1234567890 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")] // [GRAM] 10-digit tag
    [InlineData("x AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")] // [GRAM] non-numeric tag
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4;inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:8")] // [GRAM] MKI lengths differ
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR WSH=32")] // [GRAM] WSH < 64
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR KDR=25")] // [GRAM] KDR > 24
    public void MalformedLinesAreRejectedWithAReason(string value)
    {
        Assert.False(SdesCrypto.TryParse(value, out var c, out var error));
        Assert.Null(c);
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.DoesNotContain("MTIzNDU2", error, StringComparison.Ordinal);
        Assert.DoesNotContain("PS1uQ", error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> HostileLines() => new()
    {
        { new string('9', 500) + " AES_CM_128_HMAC_SHA1_80 inline:" + Key128, "tag" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVm!jkpPywjNWhcYD0mXXtxaVBR", "base64" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmc=kpPywjNWhcYD0mXXtxaVBR", "base64" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "AAAA", "33 bytes" },
        { "1 AES_CM_128_HMAC_SHA1_80 " + string.Join(';', Enumerable.Range(1, 1000).Select(i => $"inline:{Key128}|{i}:4")), "1024" },
        { "1 AES_CM_128_HMAC_SHA1_80 " + string.Join(';', Enumerable.Range(1, 9).Select(i => $"inline:{Key128}|{i}:1")), "key-params" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "|1:0", "MKI length" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "|1:200", "MKI length" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "|256:1", "fit" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "|99999999999999999999999:4", "MKI value" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "|2^64", "lifetime" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "|0", "lifetime" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "|1:4|2^20", "follow" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + ";inline:" + Key128, "MKI" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "|1:4;inline:" + Key128 + "|1:4", "MKI value" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + " WSH=128 WSH=256", "WSH" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + " " + string.Join(' ', Enumerable.Range(0, 17).Select(i => "-X" + i)), "session parameters" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "\u0000", "control" },
        { "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + " \u00e9", "non-ASCII" },
        { "1 AES_CM_128_HMAC_SHA1_80 key:" + Key128, "key method" },
        { "1 AES-CM inline:" + Key128, "crypto-suite" },
        { "1 " + new string('A', 65) + " inline:" + Key128, "crypto-suite" },
        { "1 AES_CM_128_HMAC_SHA1_80", "key-params" },
        { "", "tag" },
    };

    [Theory]
    [MemberData(nameof(HostileLines))]
    public void HostileInputGivesAnErrorNotAnException(string value, string expectedInError)
    {
        Assert.False(SdesCrypto.TryParse(value, out var c, out var error));
        Assert.Null(c);
        Assert.Contains(expectedInError, error, StringComparison.OrdinalIgnoreCase);
        Assert.True(error!.Length < 200, error);
    }

    [Fact]
    public void NullValueIsAnError()
    {
        Assert.False(SdesCrypto.TryParse(null, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void UnpaddedBase64IsAccepted()
    {
        // Some stacks drop the "==" of 46-byte keys; the bytes are the same.
        const string padded = "d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj/Jl+xZQ4qrEUAzDN67dOAQ==";
        Assert.True(SdesCrypto.TryParse("1 AES_256_CM_HMAC_SHA1_80 inline:" + padded.TrimEnd('='), out var c, out var error), error);
        Assert.Equal(Convert.FromBase64String(padded), c!.Keys[0].KeySalt.ToArray());
        Assert.EndsWith("==", c.Format(), StringComparison.Ordinal);
    }

    [Fact]
    public void MutatedLinesNeverThrowAndWhatParsesRoundTrips()
    {
        const string seed = "7 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1066:4 WSH=256 KDR=0";
        const string alphabet = " \t:;|^=/+-_0123456789AZaz\u00ff";
        var rng = new Random(4568);
        int parsed = 0;
        for (int i = 0; i < 5000; i++)
        {
            var chars = seed.ToCharArray();
            int edits = rng.Next(1, 4);
            for (int e = 0; e < edits; e++)
                chars[rng.Next(chars.Length)] = alphabet[rng.Next(alphabet.Length)];
            var text = new string(chars, 0, rng.Next(chars.Length / 2, chars.Length + 1));
            if (SdesCrypto.TryParse(text, out var c, out _))
            {
                parsed++;
                Assert.True(SdesCrypto.TryParse(c!.Format(), out var again, out var error), error);
                Assert.Equal(c.Format(), again!.Format());
            }
        }
        Assert.InRange(parsed, 1, 4999);
    }

    [Fact]
    public void FecKeyIsRedactedInToString()
    {
        var v = "1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + " FEC_KEY=inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj";
        Assert.True(SdesCrypto.TryParse(v, out var c, out var error), error);
        Assert.True(c!.HasFecKey);
        Assert.DoesNotContain("d0Rmdm", c.ToString(), StringComparison.Ordinal);
        Assert.Equal(v, c.Format());
    }

    [Theory]
    [InlineData("", true)]
    [InlineData(" KDR=0", true)]
    [InlineData(" WSH=512", true)]
    [InlineData(" -NEW_PARAM=1", true)]
    [InlineData("|2^20|1:4", true)]
    [InlineData("|2^20|1:4;inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4", true)]
    [InlineData("|2^20|1:32", false)]
    [InlineData("|2^0", false)]
    [InlineData("|2^49", false)]
    [InlineData(" KDR=10", false)]
    [InlineData(" UNENCRYPTED_SRTP", false)]
    [InlineData(" UNENCRYPTED_SRTCP", false)]
    [InlineData(" UNAUTHENTICATED_SRTP", false)]
    [InlineData(" FEC_ORDER=FEC_SRTP", false)]
    [InlineData(" NEW_PARAM=1", false)]
    public void AcceptabilityIsSecureByDefault(string suffix, bool acceptable)
    {
        Assert.True(SdesCrypto.TryParse("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + suffix, out var c, out var error), error);
        Assert.Equal(acceptable, SdesPolicy.IsAcceptable(c!, out var why));
        Assert.Equal(acceptable, why is null);
    }

    [Theory]
    [InlineData(128, null, 128)]
    [InlineData(128, 64, 128)]
    [InlineData(128, 512, 512)]
    [InlineData(128, 100000, SdesPolicy.MaxHonouredWindowSizeHint)]
    [InlineData(2048, 100000, 2048)]
    public void WindowSizeHintRaisesTheReceiveWindowUpToACap(int ours, int? wsh, int expected) =>
        Assert.Equal(expected, SdesPolicy.ReceiveWindow(ours, wsh));

    [Fact]
    public void OwnKeyFormatsAsOneInlineKeyAndParsesBack()
    {
        var key = SrtpMasterKey.Generate(SrtpSuite.AeadAes256Gcm);
        var line = new SdesCrypto(42, SrtpSuite.AeadAes256Gcm, SdesKeyParam.FromMasterKey(key));
        Assert.True(SdesCrypto.TryParse(line.Format(), out var back, out var error), error);
        Assert.Equal(42, back!.Tag);
        Assert.Equal("AEAD_AES_256_GCM", back.SuiteName);
        Assert.True(back.Keys[0].TryToMasterKey(SrtpSuite.AeadAes256Gcm, out var parsed));
        Assert.Equal(key.Key.ToArray(), parsed!.Key.ToArray());
        Assert.Equal(key.Salt.ToArray(), parsed.Salt.ToArray());
        Assert.DoesNotContain(Convert.ToBase64String(key.Key.Span)[..8], line.ToString(), StringComparison.Ordinal);
    }
}
