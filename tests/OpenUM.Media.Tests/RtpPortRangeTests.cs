namespace OpenUM.Media.Tests;

public class RtpPortRangeTests
{
    [Fact]
    public void HandsOutEvenPortsRoundRobinAndReusesReturnedOnes()
    {
        var r = new RtpPortRange(10001, 10008); // becomes 10002-10008
        Assert.Equal(4, r.Count);
        var got = new List<int>();
        while (r.TryRent(out int p))
            got.Add(p);
        Assert.Equal([10002, 10004, 10006, 10008], got);
        r.Return(10004);
        Assert.True(r.TryRent(out int again));
        Assert.Equal(10004, again);
        Assert.Equal(4, r.InUse);
    }

    [Fact]
    public void ConcurrentRentsNeverHandOutTheSamePortTwice()
    {
        var r = new RtpPortRange(20000, 21998);
        var ports = new System.Collections.Concurrent.ConcurrentBag<int>();
        Parallel.For(0, r.Count, _ =>
        {
            Assert.True(r.TryRent(out int p));
            ports.Add(p);
        });
        Assert.Equal(r.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.Equal(0, p % 2));
        Assert.False(r.TryRent(out _));
    }

    [Fact]
    public void InvalidRangesAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpPortRange(5001, 5001));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpPortRange(6000, 5000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpPortRange(0, 70000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpPortRange(10000, 10010).Return(10001));
    }
}
