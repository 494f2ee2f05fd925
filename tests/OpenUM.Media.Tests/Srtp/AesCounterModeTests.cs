using System.Security.Cryptography;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Tests.Srtp;

// The AES-NI keystream must equal the BCL's AES (the ECB path) byte for byte, for both key sizes and every length
// shape: empty, partial block, a four- or eight-block tail, exactly eight blocks, the 8-block pipeline plus each kind
// of tail, and large packets.
public sealed class AesCounterModeTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void AesNiAndEcbPathsProduceTheSameKeystream(int keyLength)
    {
        Assert.True(AesNiKeystream.IsSupported, "this CPU has no AES-NI: the fast path is not exercised here");
        var random = new Random(3711 + keyLength);
        for (int round = 0; round < 20; round++)
        {
            byte[] key = new byte[keyLength];
            byte[] iv = new byte[16];
            random.NextBytes(key);
            random.NextBytes(iv);
            iv[14] = iv[15] = 0;
            using var ni = new AesCounterMode(key, useAesNi: true);
            using var ecb = new AesCounterMode(key, useAesNi: false);
            Assert.True(ni.UsesAesNi);
            Assert.False(ecb.UsesAesNi);
            foreach (int length in new[] { 0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 160, 172, 191, 192, 255, 256, 1360, 1400, 4096 })
            {
                byte[] data = new byte[length];
                random.NextBytes(data);
                byte[] a = [.. data], b = [.. data];
                ni.Apply(iv, a);
                ecb.Apply(iv, b);
                Assert.Equal(b, a);
            }
        }
    }

    [Fact]
    public void AesNiMatchesTheFipsExample()
    {
        // FIPS 197 Appendix C.1 (AES-128) and C.3 (AES-256): one block, as the keystream of counter = plaintext.
        Check("000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff", "69c4e0d86a7b0430d8cdb78070b4c55a");
        Check("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "00112233445566778899aabbccddeeff",
            "8ea2b7ca516745bfeafc49904b496089");

        static void Check(string key, string plain, string cipher)
        {
            byte[] iv = Convert.FromHexString(plain);
            // The counter occupies the IV's last two bytes; block 0 leaves them as they are only when they are 0, so
            // use an IV with the same last two bytes as the FIPS plaintext by starting from it and XOR-ing.
            using var ks = new AesNiKeystream(Convert.FromHexString(key));
            byte[] data = new byte[16];
            byte[] ivZeroTail = [.. iv];
            ivZeroTail[14] = ivZeroTail[15] = 0;
            using var aes = Aes.Create();
            aes.Key = Convert.FromHexString(key);
            byte[] expected = aes.EncryptEcb(ivZeroTail, PaddingMode.None);
            ks.Apply(ivZeroTail, data);
            Assert.Equal(expected, data);
            // And the FIPS vector itself through the BCL, so both sides are anchored to the standard.
            Assert.Equal(cipher, Convert.ToHexStringLower(aes.EncryptEcb(iv, PaddingMode.None)));
        }
    }
}
