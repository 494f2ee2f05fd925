using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests.Metrics;

/// <summary>openum.configuration.reloads: a reload after a version change is "applied", a failed poll "failed".</summary>
public sealed class ReloadMetricsTests
{
    [Fact]
    public void ReloadsAreCountedAppliedOrFailed()
    {
        using var temp = new TempStore();
        using var monitor = new ConfigurationMonitor(temp.Store, new FakeTimeProvider(), TimeSpan.FromSeconds(1));
        // The counter is shared by every monitor of the process (other tests run in parallel): Poll runs on this
        // thread, so this thread's measurements are this monitor's.
        int thread = Environment.CurrentManagedThreadId;
        var seen = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ConfigurationMonitor.MeterName && instrument.Name == "openum.configuration.reloads")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (Environment.CurrentManagedThreadId != thread) return;
            foreach (var tag in tags)
                if (tag.Key == "result") lock (seen) seen.Add($"{tag.Value}:{value}");
        });
        listener.Start();

        Assert.False(monitor.Poll());                 // nothing changed: nothing counted
        Assert.Empty(seen);
        using (var cli = temp.OpenAnother()) cli.AddDialPlan(DialPlan());
        Assert.True(monitor.Poll());
        Assert.Equal(["applied:1"], seen);

        temp.Store.Dispose();                         // the store is gone: the poll fails
        Assert.False(monitor.Poll());
        Assert.Equal(["applied:1", "failed:1"], seen);
    }
}
