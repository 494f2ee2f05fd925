using OpenUM.Media;
using Xunit;

namespace OpenUM.Media.Tests;

public class SecureRandomDrawsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void Draws_stay_in_range_across_many_refills(int maxExclusive)
    {
        // Several buffers' worth, so refills at every offset are crossed.
        for (int i = 0; i < 10 * SecureRandomDraws.BufferBytes; i++)
        {
            int value = SecureRandomDraws.Next(maxExclusive);
            Assert.InRange(value, 0, maxExclusive - 1);
        }
    }

    [Fact]
    public void Every_value_of_a_small_range_comes_up()
    {
        var seen = new bool[7];
        for (int i = 0; i < 10_000 && Array.IndexOf(seen, false) >= 0; i++) seen[SecureRandomDraws.Next(7)] = true;
        Assert.All(seen, Assert.True); // missing one after 10,000 draws: p < 7 * (6/7)^10000
    }

    [Fact]
    public void Consecutive_32_bit_draws_differ()
    {
        // Each byte is used once: a buffer replayed after a refill would repeat a whole run of values.
        var values = new HashSet<uint>();
        for (int i = 0; i < 4 * SecureRandomDraws.BufferBytes / sizeof(uint); i++) values.Add(SecureRandomDraws.NextUInt32());
        Assert.True(values.Count >= 4 * SecureRandomDraws.BufferBytes / sizeof(uint) - 1); // a birthday repeat in 512 draws of 2^32: p ~ 3e-5
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_range_that_is_empty_is_refused(int maxExclusive) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SecureRandomDraws.Next(maxExclusive));
}
