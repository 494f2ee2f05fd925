using OpenUM.Media.Session;

namespace OpenUM.Media.Tests;

public class RtpPortRangeTests
{
    [Fact]
    public void HandsOutEveryEvenPortOnceAndReusesReturnedOnes()
    {
        var r = new RtpPortRange(10001, 10008); // becomes 10002-10008
        Assert.Equal(4, r.Count);
        var got = new List<int>();
        while (r.TryRent(out int p))
            got.Add(p);
        Assert.Equal([10002, 10004, 10006, 10008], got.Order());
        r.Return(10004);
        r.Return(10004); // a double return must not make the port rentable twice
        Assert.Equal(3, r.InUse);
        Assert.True(r.TryRent(out int again));
        Assert.Equal(10004, again);
        Assert.False(r.TryRent(out _));
        Assert.Equal(4, r.InUse);
    }

    [Fact]
    public void PortsAreHandedOutInAnUnpredictableOrder()
    {
        // Round-robin ports let an attacker aim RTP at the next call's port before its peer sends (RTP bleed).
        // Two ranges renting 20 of 1000 ports each: with a random order the sequences being equal, or either
        // being the ascending run, has a probability of about 1e-60.
        var a = new RtpPortRange(30000, 31998);
        var b = new RtpPortRange(30000, 31998);
        var fromA = new List<int>();
        var fromB = new List<int>();
        for (int i = 0; i < 20; i++)
        {
            Assert.True(a.TryRent(out int pa));
            Assert.True(b.TryRent(out int pb));
            fromA.Add(pa);
            fromB.Add(pb);
        }
        Assert.NotEqual(fromA, fromB);
        Assert.NotEqual(Enumerable.Range(0, 20).Select(i => 30000 + 2 * i), fromA);
        Assert.NotEqual(fromA.Order(), fromA);
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
