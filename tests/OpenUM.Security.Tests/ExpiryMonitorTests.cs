using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenUM.TestSupport.Logging;
using OpenUM.TestSupport.Pki;

namespace OpenUM.Security.Tests;

public class ExpiryMonitorTests
{
    private readonly FakeTimeProvider _time = new(TestPki.Now);
    private readonly FakeLogger _log = new();

    // NotAfter daysLeft days after the start, at the same time of day as the fake clock.
    private static X509Certificate2 Expiring(string cn, int daysLeft) =>
        TestPki.SelfSigned(cn, null, TestPki.Now.AddDays(-100), TestPki.Now.AddDays(daysLeft));

    [Fact]
    public void GoodAtStartThenOneWarningPerDayFromThirtyDaysThenDailyErrors()
    {
        using var cert = Expiring("um1.example.test", 31);
        using var monitor = new ExpiryMonitor(() => [new MonitoredCertificate(cert, ExpiryRole.Service)], _log, _time);

        var first = Assert.Single(monitor.Check(_time.GetUtcNow()));
        Assert.Equal((1123, LogLevel.Information, 31), (first.EventId, first.Level, first.DaysLeft));
        Assert.Empty(monitor.Check(_time.GetUtcNow()));

        for (var daysLeft = 30; daysLeft >= 0; daysLeft--)
        {
            _time.Advance(TimeSpan.FromDays(1));
            var e = Assert.Single(monitor.Check(_time.GetUtcNow()));
            Assert.Equal((1120, LogLevel.Warning, daysLeft), (e.EventId, e.Level, e.DaysLeft));
            Assert.Empty(monitor.Check(_time.GetUtcNow().AddHours(5))); // once a day, not once a check
        }
        for (var day = 1; day <= 3; day++)
        {
            _time.Advance(TimeSpan.FromDays(1));
            var e = Assert.Single(monitor.Check(_time.GetUtcNow()));
            Assert.Equal((1120, LogLevel.Error, true), (e.EventId, e.Level, e.Expired));
        }
    }

    [Fact]
    public void AlreadyInsideTheWindowAtStartWarnsAtOnce()
    {
        using var cert = Expiring("um1.example.test", 5);
        using var monitor = new ExpiryMonitor(() => [new MonitoredCertificate(cert, ExpiryRole.Service)], _log, _time);
        var e = Assert.Single(monitor.Check(_time.GetUtcNow()));
        Assert.Equal((1120, LogLevel.Warning, 5), (e.EventId, e.Level, e.DaysLeft));
    }

    [Fact]
    public void TrustedCertificatesOnlyWarn()
    {
        using var good = Expiring("root-good", 400);
        using var near = Expiring("root-near", 10);
        using var monitor = new ExpiryMonitor(() =>
            [new MonitoredCertificate(good, ExpiryRole.Trusted), new MonitoredCertificate(near, ExpiryRole.Trusted)], _log, _time);
        var e = Assert.Single(monitor.Check(_time.GetUtcNow()));
        Assert.Equal((1120, ExpiryRole.Trusted, near.Thumbprint), (e.EventId, e.Role, e.Certificate.Thumbprint));
    }

    [Fact]
    public void ATlsContextIsWatchedWithItsTrustList()
    {
        using var server = TestPki.SelfSigned("um1.example.test", null, TestPki.Now.AddDays(-1), TestPki.Now.AddDays(100));
        using var root = Expiring("root-near", 3);
        var context = TlsContext.Create(server, null, new TrustList([root], []), new PeerValidationOptions(), () => [], _time);
        var monitored = MonitoredCertificate.Of(context).ToArray();
        Assert.Equal([ExpiryRole.Service, ExpiryRole.Trusted], monitored.Select(m => m.Role));
        using var monitor = new ExpiryMonitor(() => MonitoredCertificate.Of(context), _log, _time);
        Assert.Equal([1123, 1120], monitor.Check(_time.GetUtcNow()).Select(e => e.EventId));
    }

    [Fact]
    public void TimerFromTheTimeProviderLogsEachDay()
    {
        using var cert = Expiring("um1.example.test", 31);
        using var monitor = new ExpiryMonitor(() => [new MonitoredCertificate(cert, ExpiryRole.Service)], _log, _time,
            checkInterval: TimeSpan.FromHours(6));
        monitor.Start();
        Assert.Equal([1123], _log.EventIds());

        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal([1123, 1120], _log.EventIds());
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal([1123, 1120, 1120], _log.EventIds());
        Assert.Contains("29 days left", _log.LatestRecord.Message);

        _time.Advance(TimeSpan.FromDays(40));
        Assert.Equal(LogLevel.Error, _log.LatestRecord.Level);
        Assert.Contains("expired", _log.LatestRecord.Message);
    }
}
