using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Server.Metrics;

namespace OpenUM.Server.Tests.Metrics;

/// <summary>The per-minute history: its minutes roll with the clock, six hours are kept, and nothing recorded at once is lost.</summary>
public sealed class MetricsHistoryTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 14, 5, 20, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly MetricsHistory _history;

    public MetricsHistoryTests() => _history = new MetricsHistory(_clock);

    public void Dispose() => _history.Dispose();

    [Fact]
    public void ItReadsSixHoursOfMinutesEndingWithTheCurrentOne()
    {
        var minutes = _history.Read();

        Assert.Equal(MetricsHistory.Minutes, minutes.Length);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 14, 5, 0, TimeSpan.Zero), minutes[^1].Start);
        Assert.Equal(minutes[^1].Start.AddHours(-6).AddMinutes(1), minutes[0].Start);
        Assert.All(minutes, m => Assert.True(m.IsEmpty));
    }

    [Fact]
    public void MeasurementsGoToTheMinuteOfTheClockAndTheNextMinuteStartsEmpty()
    {
        _history.AddCalls(2, answered: true);
        _history.AddCalls(1, answered: false);
        _history.AddRefusals(4);
        _history.AddDelivery(0.5, smtp: false);
        _history.AddDelivery(1.5, smtp: true);
        _clock.Advance(TimeSpan.FromSeconds(40)); // 14:06:00
        _history.AddCalls(1, answered: true);

        var minutes = _history.Read();
        var earlier = minutes[^2];
        var current = minutes[^1];

        Assert.Equal(new DateTimeOffset(2026, 11, 29, 14, 5, 0, TimeSpan.Zero), earlier.Start);
        Assert.Equal((3, 2, 4, 1, 1), (earlier.Calls, earlier.Answered, earlier.Refusals, earlier.MaildirDeliveries, earlier.SmtpDeliveries));
        Assert.Equal(1.0, earlier.LatencyMeanSeconds, 6);
        Assert.Equal(1.5, earlier.LatencyMaxSeconds, 6);
        Assert.Equal((1, 1, 0, 0), (current.Calls, current.Answered, current.Refusals, current.Deliveries));
        Assert.Equal(2, minutes.Count(m => !m.IsEmpty));
    }

    [Fact]
    public void AMinuteDropsOutAfterSixHoursAndItsSlotStartsAgainFromZero()
    {
        _history.AddCalls(5, answered: true);
        _clock.Advance(TimeSpan.FromMinutes(MetricsHistory.Minutes - 1));

        Assert.Equal(5, _history.Read()[0].Calls); // 359 minutes later: the oldest minute shown

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.All(_history.Read(), m => Assert.True(m.IsEmpty)); // 360 minutes later: gone, though its slot was not reused

        _history.AddCalls(1, answered: false); // the same slot, six hours on
        var minutes = _history.Read();
        Assert.Equal((1, 0), (minutes[^1].Calls, minutes[^1].Answered));
        Assert.Equal(1, minutes.Sum(m => m.Calls));
    }

    [Fact]
    public void ConcurrentRecordingAcrossAMinuteBoundaryLosesNothing()
    {
        const int threads = 8, each = 20_000;
        using var go = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            go.SignalAndWait();
            for (int i = 0; i < each; i++)
            {
                _history.AddCalls(1, answered: i % 2 == 0);
                _history.AddRefusals(1);
                _history.AddDelivery(t + 1, smtp: i % 2 == 1);
                // Halfway through, one of them moves the clock to the next minute while the others record.
                if (t == 0 && i == each / 2) _clock.Advance(TimeSpan.FromMinutes(1));
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        go.SignalAndWait();
        workers.ForEach(w => w.Join());

        var minutes = _history.Read();
        Assert.False(minutes[^2].IsEmpty);
        Assert.False(minutes[^1].IsEmpty);
        Assert.Equal(threads * each, minutes.Sum(m => m.Calls));
        Assert.Equal(threads * each / 2, minutes.Sum(m => m.Answered));
        Assert.Equal(threads * each, minutes.Sum(m => m.Refusals));
        Assert.Equal(threads * each / 2, minutes.Sum(m => m.SmtpDeliveries));
        Assert.Equal(threads * each, minutes.Sum(m => m.Deliveries));
        Assert.Equal(each * Enumerable.Range(1, threads).Sum(), minutes.Sum(m => m.LatencySumSeconds), 3);
        Assert.Equal(threads, minutes.Max(m => m.LatencyMaxSeconds));
    }

    [Fact]
    public void TheListenerTakesTheInstrumentsOfTheCallAndDeliveryMetersAndNothingElse()
    {
        // Instruments of the same meter and names as the layers' own: the listener picks them by those names.
        using var calls = new Meter(OpenUM.Calls.CallMetrics.MeterName);
        using var delivery = new Meter(OpenUM.Delivery.Smtp.OutboxWorker.MeterName);
        using var other = new Meter("OpenUM.Elsewhere");
        var callCounter = calls.CreateCounter<long>("openum.calls");
        var refusals = calls.CreateCounter<long>("openum.refusals");
        var maildir = delivery.CreateHistogram<double>("openum.maildir.latency", "s");
        var outbox = delivery.CreateHistogram<double>("openum.outbox.latency", "ms");
        var stranger = other.CreateCounter<long>("openum.calls");
        _history.Start();

        // Far from any real figure, so a measurement of another test of this process cannot pass for these.
        maildir.Record(7_777.25);
        outbox.Record(8_888_500); // ms: 8,888.5 s
        callCounter.Add(1, new KeyValuePair<string, object?>("outcome", "answered"));
        refusals.Add(1, new KeyValuePair<string, object?>("reason", "max_calls"));
        stranger.Add(1_000_000);
        var current = _history.Read()[^1];

        Assert.InRange(current.Calls, 1, 999_999);
        Assert.InRange(current.Answered, 1, current.Calls);
        Assert.True(current.Refusals >= 1);
        Assert.True(current.MaildirDeliveries >= 1 && current.SmtpDeliveries >= 1);
        Assert.Equal(8_888.5, current.LatencyMaxSeconds, 6);
        Assert.True(current.LatencySumSeconds >= 7_777.25 + 8_888.5 - 1e-6);

        _history.Dispose();
        maildir.Record(99_999);
        Assert.Equal(8_888.5, _history.Read()[^1].LatencyMaxSeconds, 6); // stopped: no longer listening
    }
}
