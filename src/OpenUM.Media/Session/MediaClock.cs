using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OpenUM.Media;

/// <summary>Something the clock paces: called once per tick, returns false when it has nothing more to send.</summary>
internal interface IPacedSource
{
    bool OnTick(long timestamp);

    /// <summary>True when something was queued after OnTick last returned false.</summary>
    bool HasWork { get; }
}

/// <summary>The one 20 ms pacing loop shared by all sessions: each tick every playing session sends the frames now due.</summary>
public sealed class MediaClock : IAsyncDisposable
{
    /// <summary>Tick interval.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    // After a stall longer than this (GC pause, suspended VM) restart the schedule instead of catching up.
    private static readonly TimeSpan MaxLag = TimeSpan.FromMilliseconds(200);

    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private IPacedSource[] _active = [];

    /// <summary>Starts the loop (it sleeps while nothing plays).</summary>
    public MediaClock(TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The time source for pacing and for media timeouts of sessions using this clock.</summary>
    public TimeProvider TimeProvider { get; }

    internal bool IsDisposed => _stop.IsCancellationRequested;

    /// <summary>Sessions currently being paced.</summary>
    public int ActiveCount => Volatile.Read(ref _active).Length;

    internal void Activate(IPacedSource source)
    {
        lock (_lock)
        {
            if (Array.IndexOf(_active, source) >= 0)
                return;
            // Copy-on-write: the loop iterates a snapshot without taking the lock.
            _active = [.. _active, source];
            if (_active.Length == 1)
                _wake.Release();
        }
    }

    private void Deactivate(IPacedSource source, bool force)
    {
        lock (_lock)
        {
            int i = Array.IndexOf(_active, source);
            // Re-checked under the lock: a clip queued between OnTick returning false and now would otherwise
            // be stranded (its Activate call found the source still registered and did nothing).
            if (i < 0 || (!force && source.HasWork))
                return;
            var next = new IPacedSource[_active.Length - 1];
            Array.Copy(_active, next, i);
            Array.Copy(_active, i + 1, next, i, next.Length - i);
            _active = next;
        }
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (Volatile.Read(ref _active).Length == 0)
                {
                    await _wake.WaitAsync(ct).ConfigureAwait(false);
                    continue;
                }
                await RunScheduleAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    // Deadlines are absolute (start + n * Interval), so the loop does not drift by the time each tick takes.
    private async Task RunScheduleAsync(CancellationToken ct)
    {
        long start = TimeProvider.GetTimestamp();
        long tick = 0;
        while (true)
        {
            long now = TimeProvider.GetTimestamp();
            var snapshot = Volatile.Read(ref _active);
            foreach (var source in snapshot)
            {
                try
                {
                    if (!source.OnTick(now))
                        Deactivate(source, force: false);
                }
                catch (Exception ex)
                {
                    MediaLog.TickFailed(_logger, ex);
                    Deactivate(source, force: true);
                }
            }
            if (Volatile.Read(ref _active).Length == 0)
                return;

            tick++;
            var due = Interval * tick - TimeProvider.GetElapsedTime(start);
            if (due < -MaxLag)
            {
                MediaLog.ClockResync(_logger, -due);
                start = TimeProvider.GetTimestamp();
                tick = 0;
                continue;
            }
            if (due > TimeSpan.Zero)
                await Task.Delay(due, TimeProvider, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
            return;
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _wake.Dispose();
    }
}
