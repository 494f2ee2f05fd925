using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;

namespace OpenUM.Sip.Tests;

public class LogThrottleTests
{
    [Fact]
    public void OneEventPerKeyAndIntervalWithTheSuppressedCount()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(time, TimeSpan.FromSeconds(10));
        Assert.True(throttle.ShouldLog("192.0.2.1", out int s0));
        Assert.Equal(0, s0);
        for (int i = 0; i < 5; i++) Assert.False(throttle.ShouldLog("192.0.2.1", out _));
        Assert.True(throttle.ShouldLog("192.0.2.2", out _)); // another peer is not hidden by the first
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(throttle.ShouldLog("192.0.2.1", out int s1));
        Assert.Equal(5, s1);
    }

    [Fact]
    public void AFloodFromManyAddressesIsCappedGlobally()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(time, TimeSpan.FromSeconds(10), globalPerInterval: 20);
        int logged = Enumerable.Range(0, 1000).Count(i => throttle.ShouldLog($"198.51.100.{i}", out _));
        Assert.Equal(20, logged);
    }
}
