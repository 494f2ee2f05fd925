using System.Net;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OpenUM.Calls.Tests.Harness;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Session;
using OpenUM.Sip.Transport;

namespace OpenUM.Calls.Tests.Metrics;

/// <summary>
/// The call layer's instruments, counted where the decision is taken. The instruments are static and other tests run
/// in parallel, so a check looks for its own measurement (a tag or value no other test produces) or for at least one.
/// </summary>
public sealed class CallMetricsTests
{
    private static MetricCollector<long> Collect(string instrument) => new(null, CallMetrics.MeterName, instrument);

    private static bool Tagged<T>(CollectedMeasurement<T> m, string key, string value) where T : struct =>
        m.Tags.TryGetValue(key, out var v) && value.Equals(v);

    [Fact]
    public async Task AStrangersTlsConnectionIsARefusalWithItsReasonAndEventId()
    {
        using var refusals = Collect("openum.refusals");
        await using var harness = await CallControllerHarness.StartAsync();
        harness.Controller.OnAddressRefused(new IPEndPoint(IPAddress.Parse("192.0.2.99"), 5061), SipTransportKind.Tls);

        var mine = refusals.GetMeasurementSnapshot().Where(m => Tagged(m, "reason", "unknown_tls_address")).ToList();
        var only = Assert.Single(mine);
        Assert.Equal(1, only.Value);
        Assert.True(Tagged(only, "event_id", "1021"));
    }

    [Fact]
    public async Task ARefusedCallCountsAsACallRefusedAndARefusal()
    {
        using var calls = Collect("openum.calls");
        using var refusals = Collect("openum.refusals");
        await using var harness = await CallControllerHarness.StartAsync();
        harness.Configuration = CallControllerHarness.Snapshot(gateway: CallControllerHarness.Gateway with { Status = UmStatus.Disabled });
        var (result, client) = await harness.CallAsync("1000");
        await using var _ = client;
        Assert.Equal(503, result.StatusCode);

        Assert.Contains(refusals.GetMeasurementSnapshot(), m => Tagged(m, "reason", "gateway_disabled") && Tagged(m, "event_id", "1021"));
        Assert.Contains(calls.GetMeasurementSnapshot(), m => Tagged(m, "outcome", "refused"));
    }

    [Fact]
    public async Task AnAnsweredCallIsCountedAndIsActiveUntilItEnds()
    {
        using var calls = Collect("openum.calls");
        using var active = Collect("openum.calls.active");
        await using var harness = await CallControllerHarness.StartAsync();
        var (result, client) = await harness.CallAsync("9999");   // no mailbox: a prompt, then the server hangs up
        await using var _ = client;
        Assert.Equal(200, result.StatusCode);
        Assert.Contains(calls.GetMeasurementSnapshot(), m => Tagged(m, "outcome", "answered"));
        Assert.Contains(active.GetMeasurementSnapshot(), m => m.Value == 1);
        await result.Dialog!.Terminated.WaitAsync(TimeSpan.FromSeconds(30));
        // The call leaves the list (and the gauge) once its handler has finished, just after the BYE.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (harness.Controller.Calls.Count > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Contains(active.GetMeasurementSnapshot(), m => m.Value == -1);
    }

    [Fact]
    public void SrtpRejectionsAreAddedByKindOnceAtTheEnd()
    {
        using var rejections = Collect("openum.srtp.rejections");
        CallMetrics.SrtpRejections(new SrtpStatistics(RtpAuthenticationFailures: 7001, RtpReplays: 0, RtpOther: 0,
            RtcpAuthenticationFailures: 0, RtcpReplays: 7003, RtcpOther: 0, RtcpPackets: 12));
        var mine = rejections.GetMeasurementSnapshot().Where(m => m.Value is 7001 or 7003).ToList();
        Assert.Equal(2, mine.Count);
        Assert.Contains(mine, m => m.Value == 7001 && Tagged(m, "kind", "rtp_authentication"));
        Assert.Contains(mine, m => m.Value == 7003 && Tagged(m, "kind", "rtcp_replay"));
    }

    [Theory]
    [InlineData(RecordingStopReason.WriteFailed, "write_failed")]
    [InlineData(RecordingStopReason.IdleTimeout, "idle_timeout")]
    [InlineData(RecordingStopReason.StopDigit, "stop_digit")]
    public void ARecordingIsCountedByWhatEndedItWithItsLength(RecordingStopReason reason, string tag)
    {
        using var recordings = Collect("openum.recordings");
        using var durations = new MetricCollector<double>(null, CallMetrics.MeterName, "openum.recording.duration");
        double seconds = 1000 + (int)reason + 0.25;   // a length no real test call has
        CallMetrics.RecordingEnded(reason, TimeSpan.FromSeconds(seconds));
        Assert.Contains(recordings.GetMeasurementSnapshot(), m => Tagged(m, "reason", tag));
        Assert.Contains(durations.GetMeasurementSnapshot(), m => m.Value == seconds);
    }
}
