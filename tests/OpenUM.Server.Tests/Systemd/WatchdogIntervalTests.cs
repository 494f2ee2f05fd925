using OpenUM.Server.Systemd;

namespace OpenUM.Server.Tests.Systemd;

/// <summary>Which watchdog interval the service takes from systemd's WATCHDOG_USEC and WATCHDOG_PID (sd_watchdog_enabled(3)).</summary>
public sealed class WatchdogIntervalTests
{
    [Theory]
    [InlineData("30000000", null, 30.0)]     // WatchdogSec=30s, no PID named: ours
    [InlineData("30000000", "", 30.0)]
    [InlineData("30000000", "4242", 30.0)]   // names this process
    [InlineData("1500000", "4242", 1.5)]
    public void TakesTheIntervalMeantForThisProcess(string usec, string? pid, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), ServiceManagerNotifier.WatchdogInterval(usec, pid, 4242));

    [Theory]
    [InlineData(null, null)]                 // no watchdog configured
    [InlineData("", null)]
    [InlineData("0", null)]
    [InlineData("-5", null)]
    [InlineData("30s", null)]                // not microseconds
    [InlineData("30000000", "4243")]         // meant for another process (e.g. a parent that forked us)
    [InlineData("30000000", "self")]
    public void IgnoresWhatIsNotForThisProcess(string? usec, string? pid) =>
        Assert.Null(ServiceManagerNotifier.WatchdogInterval(usec, pid, 4242));
}
