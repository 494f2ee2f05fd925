using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Delivery.Smtp;

namespace OpenUM.Delivery.Tests.Metrics;

/// <summary>Delivery's instruments: maildir latency and the age of the oldest outbox item.</summary>
public sealed class DeliveryMetricsTests
{
    [Fact]
    public async Task MaildirLatencyRunsFromTheEndOfTheRecordingToNew()
    {
        using var fixture = new Fixture();
        var message = fixture.Message();
        // 777.5 s after the recording ended (its start plus its 12.4 s): a value no other test produces.
        var time = new FakeTimeProvider(message.ReceivedAt + message.Duration + TimeSpan.FromSeconds(777.5));
        using var latency = new MetricCollector<double>(null, OutboxWorker.MeterName, "openum.maildir.latency");
        await new MaildirSink(fixture.MaildirRoot, "vm@example.com", time).DeliverAsync(message, CancellationToken.None);
        Assert.Contains(latency.GetMeasurementSnapshot(), m => Math.Abs(m.Value - 777.5) < 1e-6);
    }

    [Fact]
    public async Task TheOldestOutboxItemsAgeIsObservedAtEachCollection()
    {
        using var fixture = new Fixture();
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 9, 0, 0, TimeSpan.Zero));
        var outbox = new SmtpOutbox(Path.Combine(fixture.MaildirRoot, "outbox"), time);
        await using var worker = new OutboxWorker(outbox, () => null, new NeverSubmitter(), time, NullLogger.Instance);
        // From this worker's instrument: a collector by name follows one instrument of that name, maybe another test's worker.
        using var age = new MetricCollector<double>(worker.OldestAge);

        age.RecordObservableInstruments();
        Assert.DoesNotContain(age.GetMeasurementSnapshot(), m => m.Value == 4321);
        await outbox.EnqueueAsync(fixture.Message(), "vm@example.com", CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(4321));
        age.RecordObservableInstruments();
        Assert.Contains(age.GetMeasurementSnapshot(), m => m.Value == 4321);
    }

    [Fact]
    public async Task ADisposedWorkersGaugesLeaveWithIt()
    {
        using var fixture = new Fixture();
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 9, 0, 0, TimeSpan.Zero));
        var outbox = new SmtpOutbox(Path.Combine(fixture.MaildirRoot, "outbox"), time);
        await outbox.EnqueueAsync(fixture.Message(), "vm@example.com", CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(8642));
        var worker = new OutboxWorker(outbox, () => null, new NeverSubmitter(), time, NullLogger.Instance);
        using var age = new MetricCollector<double>(worker.OldestAge);
        await using (worker)
        {
            age.RecordObservableInstruments();
            Assert.Contains(age.GetMeasurementSnapshot(), m => m.Value == 8642);
        }
        age.Clear();
        age.RecordObservableInstruments();
        Assert.DoesNotContain(age.GetMeasurementSnapshot(), m => m.Value == 8642);
    }

    [Fact]
    public async Task AnOutboxFolderThatCannotBeReadGivesNoValueRatherThanFailingTheCollection()
    {
        var gone = System.IO.Directory.CreateTempSubdirectory("openum-gone-");
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 9, 0, 0, TimeSpan.Zero));
        await using var worker = new OutboxWorker(new SmtpOutbox(gone.FullName, time), () => null, new NeverSubmitter(), time, NullLogger.Instance);
        gone.Delete(recursive: true);
        using var queued = new MetricCollector<int>(worker.Queued);
        using var age = new MetricCollector<double>(worker.OldestAge);
        queued.RecordObservableInstruments(); // threw DirectoryNotFoundException (wrapped) before
        age.RecordObservableInstruments();
    }

    private sealed class NeverSubmitter : ISmtpSubmitter
    {
        public Task<ISmtpSession> OpenAsync(SmartHostSettings settings, CancellationToken ct) => throw new InvalidOperationException("not used");
    }
}
