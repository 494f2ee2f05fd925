using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using OpenUM.Calls;
using OpenUM.Delivery.Smtp;

namespace OpenUM.Server.Metrics;

/// <summary>
/// The last <see cref="Minutes"/> minutes of calls, refusals and delivery latency, per minute, kept in the server's
/// memory for the web console's charts and GET /api/v1/metrics/history. A MeterListener on the instruments the layers
/// already count (openum.calls, openum.refusals, openum.maildir.latency, openum.outbox.latency) adds each measurement
/// to a ring of preallocated per-minute slots with Interlocked: nothing is allocated per measurement, and a lock is
/// taken once a minute, by whoever first records in a new minute, to clear the slot it reuses.
/// </summary>
public sealed class MetricsHistory : IHostedService, IDisposable
{
    /// <summary>Minutes kept: six hours.</summary>
    public const int Minutes = 360;

    private static readonly object CallsState = new(), RefusalsState = new(), MaildirState = new(), OutboxState = new();
    private readonly TimeProvider _time;
    private readonly Lock _roll = new();
    private readonly long[] _minute = new long[Minutes];   // the minute (since the Unix epoch) a slot holds; -1 none yet
    private readonly long[] _calls = new long[Minutes];
    private readonly long[] _answered = new long[Minutes];
    private readonly long[] _refusals = new long[Minutes];
    private readonly long[] _maildir = new long[Minutes];
    private readonly long[] _smtp = new long[Minutes];
    private readonly long[] _latencySum = new long[Minutes]; // microseconds, so Interlocked.Add works on it
    private readonly long[] _latencyMax = new long[Minutes]; // microseconds
    private MeterListener? _listener;

    /// <summary>A history reading the minute from <paramref name="time"/>; it listens once started.</summary>
    public MetricsHistory(TimeProvider time)
    {
        _time = time;
        Array.Fill(_minute, -1);
    }

    /// <summary>Starts listening to the instruments (also those published later, when their class is first used).</summary>
    public Task StartAsync(CancellationToken ct)
    {
        Start();
        return Task.CompletedTask;
    }

    /// <summary>Starts listening, as <see cref="StartAsync"/> does.</summary>
    public void Start()
    {
        if (_listener is not null) return;
        var listener = new MeterListener { InstrumentPublished = Publish };
        listener.SetMeasurementEventCallback<long>(OnLong);
        listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener = listener;
        listener.Start();
    }

    /// <summary>Stops listening; what was recorded stays readable.</summary>
    public Task StopAsync(CancellationToken ct)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Stops listening.</summary>
    public void Dispose()
    {
        _listener?.Dispose();
        _listener = null;
    }

    /// <summary>Adds <paramref name="count"/> decided INVITEs (any outcome) to the current minute; <paramref name="answered"/> when they were answered.</summary>
    public void AddCalls(long count, bool answered)
    {
        int slot = Slot();
        Interlocked.Add(ref _calls[slot], count);
        if (answered) Interlocked.Add(ref _answered[slot], count);
    }

    /// <summary>Adds <paramref name="count"/> refused connections or calls (any reason) to the current minute.</summary>
    public void AddRefusals(long count) => Interlocked.Add(ref _refusals[Slot()], count);

    /// <summary>Adds a delivered voice message and its latency (by SMTP to the smart host, or into a maildir).</summary>
    public void AddDelivery(double seconds, bool smtp)
    {
        int slot = Slot();
        long micros = seconds > 0 ? (long)Math.Min(seconds * 1e6, long.MaxValue / 2) : 0;
        Interlocked.Increment(ref smtp ? ref _smtp[slot] : ref _maildir[slot]);
        Interlocked.Add(ref _latencySum[slot], micros);
        long max = Volatile.Read(ref _latencyMax[slot]);
        while (micros > max)
        {
            long seen = Interlocked.CompareExchange(ref _latencyMax[slot], micros, max);
            if (seen == max) break;
            max = seen;
        }
    }

    /// <summary>The last <see cref="Minutes"/> minutes, oldest first, the current minute last (minutes without data are zeros).</summary>
    public MetricsMinute[] Read()
    {
        long now = CurrentMinute();
        var minutes = new MetricsMinute[Minutes];
        for (int i = 0; i < Minutes; i++)
        {
            long minute = now - Minutes + 1 + i;
            int slot = (int)(minute % Minutes);
            var start = DateTimeOffset.FromUnixTimeSeconds(minute * 60);
            // A slot still holding an older minute (nothing recorded since) reads as empty: that is how old minutes drop.
            minutes[i] = Volatile.Read(ref _minute[slot]) != minute ? new MetricsMinute(start, 0, 0, 0, 0, 0, 0, 0) : new MetricsMinute(start,
                Volatile.Read(ref _calls[slot]), Volatile.Read(ref _answered[slot]), Volatile.Read(ref _refusals[slot]),
                Volatile.Read(ref _maildir[slot]), Volatile.Read(ref _smtp[slot]),
                Volatile.Read(ref _latencySum[slot]) / 1e6, Volatile.Read(ref _latencyMax[slot]) / 1e6);
        }
        return minutes;
    }

    private long CurrentMinute() => _time.GetUtcNow().ToUnixTimeSeconds() / 60;

    // The current minute's slot, cleared first if it still holds a minute six hours old (or none).
    private int Slot()
    {
        long minute = CurrentMinute();
        int slot = (int)(minute % Minutes);
        if (Volatile.Read(ref _minute[slot]) == minute) return slot;
        lock (_roll)
        {
            long held = _minute[slot];
            // Newer than this minute: the clock stepped back; count it in the newer minute rather than lose it.
            if (held >= minute) return slot;
            _calls[slot] = _answered[slot] = _refusals[slot] = _maildir[slot] = _smtp[slot] = _latencySum[slot] = _latencyMax[slot] = 0;
            // Published last: a recorder that sees this minute sees cleared counters.
            Volatile.Write(ref _minute[slot], minute);
        }
        return slot;
    }

    private static void Publish(Instrument instrument, MeterListener listener)
    {
        object? state = (instrument.Meter.Name, instrument.Name) switch
        {
            (CallMetrics.MeterName, "openum.calls") => CallsState,
            (CallMetrics.MeterName, "openum.refusals") => RefusalsState,
            (OutboxWorker.MeterName, "openum.maildir.latency") => MaildirState,
            (OutboxWorker.MeterName, "openum.outbox.latency") => OutboxState,
            _ => null,
        };
        if (state is not null) listener.EnableMeasurementEvents(instrument, state);
    }

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (ReferenceEquals(state, RefusalsState)) { AddRefusals(value); return; }
        if (!ReferenceEquals(state, CallsState)) return;
        bool answered = false;
        foreach (var tag in tags)
            if (tag.Key == "outcome" && tag.Value is string outcome && outcome == "answered") answered = true;
        AddCalls(value, answered);
    }

    // Maildir latency is in seconds, the outbox's in milliseconds.
    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (ReferenceEquals(state, MaildirState)) AddDelivery(value, smtp: false);
        else if (ReferenceEquals(state, OutboxState)) AddDelivery(value / 1000, smtp: true);
    }
}

/// <summary>One minute of <see cref="MetricsHistory"/>.</summary>
/// <param name="Start">The minute's start (UTC).</param>
/// <param name="Calls">INVITEs decided (answered, refused or failed).</param>
/// <param name="Answered">Of those, answered.</param>
/// <param name="Refusals">Connections and calls refused (openum.refusals, every reason).</param>
/// <param name="MaildirDeliveries">Voice messages delivered into a maildir.</param>
/// <param name="SmtpDeliveries">Voice messages accepted by the smart host.</param>
/// <param name="LatencySumSeconds">Their latencies added up.</param>
/// <param name="LatencyMaxSeconds">The longest of them.</param>
public readonly record struct MetricsMinute(DateTimeOffset Start, long Calls, long Answered, long Refusals, long MaildirDeliveries, long SmtpDeliveries,
    double LatencySumSeconds, double LatencyMaxSeconds)
{
    /// <summary>Deliveries of both kinds.</summary>
    public long Deliveries => MaildirDeliveries + SmtpDeliveries;

    /// <summary>The mean latency, or 0 without deliveries.</summary>
    public double LatencyMeanSeconds => Deliveries == 0 ? 0 : LatencySumSeconds / Deliveries;

    /// <summary>Whether anything happened in the minute.</summary>
    public bool IsEmpty => Calls == 0 && Refusals == 0 && Deliveries == 0;
}
