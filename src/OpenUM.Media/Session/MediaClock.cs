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
    // The paced sources, under _lock: a list with each source's index, so that adding and removing one costs the same
    // at 2,000 calls as at 2 (a copy-on-write array copied the whole list on every call's start and end: O(N) garbage
    // each, megabytes per second at thousands of calls). The loop copies the list into its own reusable array once per
    // tick and calls the sources outside the lock: a source's lock is taken inside OnTick, and sources call Activate
    // under their own lock.
    private readonly List<IPacedSource> _sources = [];
    private readonly Dictionary<IPacedSource, int> _index = new(ReferenceEqualityComparer.Instance);
    private IPacedSource[] _snapshot = new IPacedSource[16];
    private int _count;

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
    public int ActiveCount => Volatile.Read(ref _count);

    internal void Activate(IPacedSource source)
    {
        lock (_lock)
        {
            if (!_index.TryAdd(source, _sources.Count))
                return;
            _sources.Add(source);
            Volatile.Write(ref _count, _sources.Count);
            if (_sources.Count == 1)
                _wake.Release();
        }
    }

    private void Deactivate(IPacedSource source, bool force)
    {
        lock (_lock)
        {
            // Re-checked under the lock: a clip queued between OnTick returning false and now would otherwise
            // be stranded (its Activate call found the source still registered and did nothing).
            if (!_index.TryGetValue(source, out int i) || (!force && source.HasWork))
                return;
            // The last source takes the leaving one's place: O(1), and the order of ticks within one tick does not matter.
            var last = _sources[^1];
            _sources[i] = last;
            _index[last] = i;
            _sources.RemoveAt(_sources.Count - 1);
            _index.Remove(source);
            Volatile.Write(ref _count, _sources.Count);
        }
    }

    // The sources of this tick in the loop's own array (grown by doubling, never shrunk: no allocation per tick).
    private int TakeSnapshot()
    {
        lock (_lock)
        {
            int n = _sources.Count;
            if (_snapshot.Length < n)
                _snapshot = new IPacedSource[Math.Max(n, 2 * _snapshot.Length)];
            _sources.CopyTo(_snapshot);
            return n;
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
                if (Volatile.Read(ref _count) == 0)
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
            int n = TakeSnapshot();
            var snapshot = _snapshot;
            for (int k = 0; k < n; k++)
            {
                var source = snapshot[k];
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
            // Not kept alive by the loop until the next tick overwrites them (a session ended this tick may be gone).
            Array.Clear(snapshot, 0, n);
            if (Volatile.Read(ref _count) == 0 || ct.IsCancellationRequested)
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
