using OpenUM.Directory.Pins;

namespace OpenUM.Directory.Tests.Pins;

public class PinHasherTests
{
    [Fact]
    public void VerifiesTheRightPinOnly()
    {
        var hash = PinHasher.Hash("482917", PinHasher.MinIterations);
        Assert.True(PinHasher.Verify("482917", hash));
        Assert.False(PinHasher.Verify("482918", hash));
        Assert.False(PinHasher.Verify("4829170", hash));
        Assert.False(PinHasher.Verify("", hash));
    }

    [Fact]
    public void EncodesItsParametersAndNeverThePin()
    {
        var hash = PinHasher.Hash("482917");
        var parts = hash.Split('$');
        Assert.Equal(4, parts.Length);
        Assert.Equal("pbkdf2-sha256", parts[0]);
        Assert.Equal(PinHasher.DefaultIterations.ToString(System.Globalization.CultureInfo.InvariantCulture), parts[1]);
        Assert.True(PinHasher.DefaultIterations >= 100_000);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[3]).Length);
        Assert.Equal(PinHasher.DefaultIterations, PinHasher.Iterations(hash));
        Assert.DoesNotContain("482917", hash);
        Assert.True(PinHasher.Verify("482917", hash));
    }

    [Fact]
    public void EverySaltIsFresh()
    {
        var hashes = Enumerable.Range(0, 20).Select(_ => PinHasher.Hash("482917", PinHasher.MinIterations)).ToArray();
        Assert.Equal(hashes.Length, hashes.Distinct().Count());
        Assert.Equal(hashes.Length, hashes.Select(h => h.Split('$')[2]).Distinct().Count());
    }

    [Fact]
    public void TheIterationCountIsReadFromTheHash()
    {
        var hash = PinHasher.Hash("482917", 123_456);
        Assert.Equal(123_456, PinHasher.Iterations(hash));
        Assert.True(PinHasher.Verify("482917", hash));
        // The same salt and hash claimed with another count no longer verify.
        Assert.False(PinHasher.Verify("482917", hash.Replace("$123456$", "$123457$", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("482917")]
    [InlineData("pbkdf2-sha256$100000$AAAA$AAAA")]                                           // short salt and hash
    [InlineData("pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")] // cost below the floor
    [InlineData("pbkdf2-sha256$99999999999$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("md5$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$100000$!!!$???")]
    public void MalformedOrDowngradedHashesNeverVerify(string hash)
    {
        Assert.False(PinHasher.Verify("482917", hash));
        Assert.Null(PinHasher.Iterations(hash));
    }

    [Fact]
    public void TooCheapACostIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PinHasher.Hash("482917", PinHasher.MinIterations - 1));
}
