using System.Threading.Tasks.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OpenUM.Media.Session;

/// <summary>Something the clock paces: called once per tick, returns false when it has nothing more to do (send or time out).</summary>
internal interface IPacedSource
{
    bool OnTick(long timestamp);

    /// <summary>True when something was queued after OnTick last returned false.</summary>
    bool HasWork { get; }
}

/// <summary>
/// The one 20 ms pacing loop shared by all sessions: each tick every playing session sends the frames now due and
/// every recording session checks its idle deadline. One timer for the whole clock, re-armed per tick with an
/// absolute deadline; no timer or Task per call or per tick.
/// </summary>
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
    private readonly TickSignal _tick = new();
    private readonly ITimer _timer;
    private readonly Task _loop;
    private IPacedSource[] _active = [];

    /// <summary>Starts the loop (it sleeps while nothing plays or records).</summary>
    public MediaClock(TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _timer = TimeProvider.CreateTimer(static s => ((TickSignal)s!).Signal(), _tick, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The time source for pacing and for media timeouts of sessions using this clock.</summary>
    public TimeProvider TimeProvider { get; }

    internal bool IsDisposed => _stop.IsCancellationRequested;

    /// <summary>Sessions currently being paced (playing or recording).</summary>
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
        // Registered once, not per tick: cancellation completes a pending tick wait.
        using var registration = ct.UnsafeRegister(static s => ((TickSignal)s!).Signal(), _tick);
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
            if (Volatile.Read(ref _active).Length == 0 || ct.IsCancellationRequested)
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
            {
                await _tick.WaitAsync(_timer, due).ConfigureAwait(false);
                if (ct.IsCancellationRequested)
                    return;
            }
        }
    }

    /// <summary>Stops the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
            return;
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        _timer.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }

    // The one reusable awaitable behind the tick timer: waiting for a tick allocates nothing (a Task.Delay per tick
    // allocated a Task, a timer and a registration 50 times a second). Continuations run inline on the timer
    // callback's thread-pool thread, as the Task.Delay continuation did. Only the loop waits, one wait at a time.
    private sealed class TickSignal : IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _core;
        // 1 while a wait is pending: the timer and the cancellation registration race to complete it, only one may.
        private int _armed;

        public ValueTask WaitAsync(ITimer timer, TimeSpan due)
        {
            _core.Reset();
            Volatile.Write(ref _armed, 1);
            timer.Change(due, Timeout.InfiniteTimeSpan);
            return new ValueTask(this, _core.Version);
        }

        public void Signal()
        {
            if (Interlocked.Exchange(ref _armed, 0) == 1)
                _core.SetResult(true);
        }

        void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

        void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
