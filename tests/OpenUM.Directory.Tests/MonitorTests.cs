using Microsoft.Extensions.Time.Testing;
using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests;

public class MonitorTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public void SeesAChangeMadeByAnotherStoreInstance()
    {
        using var temp = new TempStore();
        var time = new FakeTimeProvider();
        using var monitor = new ConfigurationMonitor(temp.Store, time, Interval);
        var seen = new List<ConfigurationSnapshot>();
        var errors = new List<Exception>();
        monitor.Changed += seen.Add;
        monitor.Error += errors.Add;
        monitor.Start();
        Assert.Equal(0, monitor.Current.Version);

        time.Advance(Interval);
        Assert.Empty(seen);

        using (var cli = temp.OpenAnother())
        {
            cli.AddDialPlan(DialPlan());
        }

        time.Advance(Interval);
        var snapshot = Assert.Single(seen);
        Assert.Same(snapshot, monitor.Current);
        Assert.NotNull(monitor.Current.FindDialPlan("main"));
        Assert.Equal(1, monitor.Current.Version);

        time.Advance(Interval);
        Assert.Single(seen);
        Assert.Empty(errors);
    }

    [Fact]
    public void FailedReloadKeepsTheLastGoodSnapshot()
    {
        using var temp = new TempStore();
        temp.Store.AddDialPlan(DialPlan());
        var time = new FakeTimeProvider();
        using var monitor = new ConfigurationMonitor(temp.Store, time, Interval);
        var errors = new List<Exception>();
        var changes = 0;
        monitor.Error += errors.Add;
        monitor.Changed += _ => changes++;
        monitor.Start();
        var good = monitor.Current;

        using (var raw = StoreTests.RawConnection(temp.FilePath))
        {
            StoreTests.Execute(raw, "UPDATE dial_plans SET voip_security = 'Bogus'; UPDATE config_version SET version = version + 1");
        }

        time.Advance(Interval);
        Assert.Same(good, monitor.Current);
        Assert.IsType<InvalidDataException>(Assert.Single(errors));
        Assert.Equal(0, changes);

        using (var raw = StoreTests.RawConnection(temp.FilePath))
        {
            StoreTests.Execute(raw, "UPDATE dial_plans SET voip_security = 'Secured'; UPDATE config_version SET version = version + 1");
        }

        time.Advance(Interval);
        Assert.Equal(1, changes);
        Assert.Equal(VoipSecurity.Secured, monitor.Current.FindDialPlan("Main")!.VoipSecurity);
    }

    [Fact]
    public void AThrowingHandlerIsReportedAndPollingGoesOn()
    {
        using var temp = new TempStore();
        var time = new FakeTimeProvider();
        using var monitor = new ConfigurationMonitor(temp.Store, time, Interval);
        var errors = new List<Exception>();
        monitor.Error += errors.Add;
        monitor.Changed += _ => throw new InvalidOperationException("handler");
        monitor.Start();

        temp.Store.AddDialPlan(DialPlan());
        time.Advance(Interval);
        temp.Store.AddDialPlan(DialPlan("b"));
        time.Advance(Interval);

        Assert.Equal(2, errors.Count);
        Assert.Equal(2, monitor.Current.Version);
    }

    [Fact]
    public void DisposedMonitorStopsPolling()
    {
        using var temp = new TempStore();
        var time = new FakeTimeProvider();
        var monitor = new ConfigurationMonitor(temp.Store, time, Interval);
        var changes = 0;
        monitor.Changed += _ => changes++;
        monitor.Start();
        monitor.Dispose();
        temp.Store.AddDialPlan(DialPlan());
        time.Advance(Interval * 3);
        Assert.Equal(0, changes);
        Assert.False(monitor.Poll());
    }
}
