using static OpenUM.Media.Tests.Srtp.SrtpTestPackets;

using OpenUM.Media.Srtp;

namespace OpenUM.Media.Tests.Srtp;

public sealed class SrtpKeyTests
{
    private const string KeyHex = "e1f97a0d3e018be0d64fa32c06de4139";
    private const string SaltHex = "0ec675ad498afeebb6960b3aabe6";

    [Fact]
    public void ToStringAndPolicyNeverShowKeyBytes()
    {
        using var key = new SrtpMasterKey(SrtpSuite.AesCm128HmacSha1_80, Hex(KeyHex), Hex(SaltHex), [9, 9], 1000);
        foreach (var text in new[] { key.ToString(), new SrtpPolicy(key).ToString() })
        {
            Assert.Contains("AES_CM_128_HMAC_SHA1_80", text, StringComparison.Ordinal);
            Assert.DoesNotContain(KeyHex, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(SaltHex, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Convert.ToBase64String(Hex(KeyHex)), text, StringComparison.Ordinal);
            Assert.DoesNotContain("225, 249", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void WrongLengthsThrowWithoutKeyBytes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SrtpMasterKey(SrtpSuite.Aes256CmHmacSha1_80, Hex(KeyHex), Hex(SaltHex)));
        Assert.DoesNotContain(KeyHex, ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<ArgumentException>(() => new SrtpMasterKey(SrtpSuite.AeadAes128Gcm, Hex(KeyHex), Hex(SaltHex)));
        Assert.Throws<ArgumentException>(() => new SrtpMasterKey(SrtpSuite.AesCm128HmacSha1_80, Hex(KeyHex), Hex(SaltHex), new byte[129]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SrtpMasterKey(SrtpSuite.AesCm128HmacSha1_80, Hex(KeyHex), Hex(SaltHex), lifetime: 0));
    }

    [Fact]
    public void DisposeZeroesKeyMaterial()
    {
        var key = new SrtpMasterKey(SrtpSuite.AesCm128HmacSha1_80, Hex(KeyHex), Hex(SaltHex));
        var keyView = key.Key;
        key.Dispose();
        Assert.All(keyView.ToArray(), b => Assert.Equal(0, b));
        Assert.All(key.Salt.ToArray(), b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => new SrtpContext(new SrtpPolicy(key)));
    }

    [Theory]
    [MemberData(nameof(SrtpTestPackets.Suites), MemberType = typeof(SrtpTestPackets))]
    public void GenerateGivesFreshKeysOfTheSuiteSizes(SrtpSuite suite)
    {
        using var a = SrtpMasterKey.Generate(suite);
        using var b = SrtpMasterKey.Generate(suite);
        var info = SrtpSuites.Info(suite);
        Assert.Equal(info.KeyLength, a.Key.Length);
        Assert.Equal(info.SaltLength, a.Salt.Length);
        Assert.True(a.Mki.IsEmpty);
        Assert.Null(a.Lifetime);
        Assert.NotEqual(ToHex(a.Key.Span), ToHex(b.Key.Span));
    }

    [Theory]
    [InlineData(63)]
    [InlineData(32769)]
    [InlineData(0)]
    public void ReplayWindowOutsideRangeIsRejected(int window)
    {
        using var key = SrtpMasterKey.Generate(SrtpSuite.AesCm128HmacSha1_80);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SrtpPolicy(key, window));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SrtpPolicy(key) with { ReplayWindow = window });
        Assert.Equal(64, new SrtpPolicy(key, 64).ReplayWindow);
        Assert.Equal(32768, new SrtpPolicy(key, 32768).ReplayWindow);
        Assert.Equal(128, new SrtpPolicy(key).ReplayWindow);
    }

    [Fact]
    public void DisposedContextRefusesWork()
    {
        using var key = SrtpMasterKey.Generate(SrtpSuite.AesCm128HmacSha1_80);
        var ctx = new SrtpContext(new SrtpPolicy(key));
        ctx.Dispose();
        ctx.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ctx.ProtectRtp(new byte[100], 50, out _));
    }
}
