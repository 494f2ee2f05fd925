using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Calls.Outdialing;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests.Outdialing;

/// <summary>1400 SipPeersUnhealthy once a minute per gateway, 1401 SipPeersHealthy on the next success, across processes with a state file.</summary>
public sealed class SipPeerHealthTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger _events = new();
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("openum-peer-health-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RefusalsAreReportedOnceAMinutePerGatewayWithTheSuppressedCounted()
    {
        var health = new SipPeerHealth(_time, _events);
        health.Failed("gw1", "gw1.example.test", "NameNotAGateway");
        health.Failed("gw1", "gw1.example.test", "NameNotAGateway");
        health.Failed("gw2", "gw2.example.test", "UntrustedRoot");
        Assert.Equal(["gw1", "gw2"], _events.Records(1400).Select(r => r.Field<string>("Gateway")));

        _time.Advance(SipPeerHealth.ReportInterval);
        health.Failed("gw1", "gw1.example.test", "NameNotAGateway");
        var third = _events.Records(1400)[^1];
        Assert.Equal("gw1", third.Field<string>("Gateway"));
        Assert.Contains("1 similar suppressed", third.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyAGatewayThatWasUnhealthyReportsItsRecovery()
    {
        var health = new SipPeerHealth(_time, _events);
        health.Succeeded("gw1", "gw1.example.test");
        Assert.Empty(_events.Records(1401));

        health.Failed("gw1", "gw1.example.test", "UntrustedRoot");
        health.Succeeded("gw2", "gw2.example.test");
        health.Succeeded("gw1", "gw1.example.test");
        health.Succeeded("gw1", "gw1.example.test");
        Assert.Equal("gw1", Assert.Single(_events.Records(1401)).Field<string>("Gateway"));
    }

    [Fact]
    public void TheStateFileCarriesTheFailureToTheNextProcess()
    {
        string file = Path.Combine(_dir, "sip-peers-unhealthy");
        new SipPeerHealth(_time, _events, file).Failed("gw1", "gw1.example.test", "NameNotAGateway");
        Assert.True(File.Exists(file));

        // A second process within the minute: rate-limited, and it still knows gw1 is unhealthy.
        new SipPeerHealth(_time, _events, file).Failed("gw1", "gw1.example.test", "NameNotAGateway");
        Assert.Single(_events.Records(1400));
        new SipPeerHealth(_time, _events, file).Succeeded("gw1", "gw1.example.test");
        Assert.Single(_events.Records(1401));
        Assert.False(File.Exists(file));

        // A damaged file is ignored, not fatal.
        File.WriteAllText(file, "garbage\nno\ttabs\there\n");
        new SipPeerHealth(_time, _events, file).Failed("gw1", "gw1.example.test", "UntrustedRoot");
        Assert.Equal(2, _events.Records(1400).Count);
    }
}
