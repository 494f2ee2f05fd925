using System.Diagnostics;

namespace OpenUM.Sip;

/// <summary>Hashed timer wheel driven by one <see cref="TimeProvider"/> timer; O(1) schedule and cancel.</summary>
/// <remarks>
/// Every SIP timer (RFC 3261 Timer A..K, 2xx retransmission, idle connections) lives here instead of
/// one Task.Delay or System.Threading.Timer per message. The underlying ITimer only ticks while at
/// least one entry is pending. Callbacks run on the tick thread, in deadline order, and must be quick
/// (queue a send, complete a task); an exception in one callback is contained and reported.
/// </remarks>
public sealed class TimerWheel : IDisposable
{
    private readonly TimeProvider _time;
    private readonly long _resolutionTicks; // in TimeProvider timestamp units
    private readonly TimeSpan _resolution;
    private readonly TimerWheelEntry?[] _slots;
    private readonly int _mask;
    private readonly long _origin;
    private readonly object _lock = new();
    private readonly List<TimerWheelEntry> _due = new();
    private readonly ITimer _timer;
    private long _cursor;      // last wheel tick already processed
    private long _sequence;
    private int _count;
    private bool _running;
    private bool _disposed;
    private int _ticking;

    /// <summary>Creates a wheel; <paramref name="slotCount"/> is rounded up to a power of two.</summary>
    public TimerWheel(TimeProvider time, TimeSpan? resolution = null, int slotCount = 1024)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _resolution = resolution ?? TimeSpan.FromMilliseconds(10);
        if (_resolution <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(resolution));
        _resolutionTicks = Math.Max(1, (long)(_resolution.TotalSeconds * time.TimestampFrequency));
        var size = 1;
        while (size < Math.Max(2, slotCount)) size <<= 1;
        _slots = new TimerWheelEntry?[size];
        _mask = size - 1;
        _origin = time.GetTimestamp();
        _timer = time.CreateTimer(static s => ((TimerWheel)s!).OnTick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Raised when a callback throws; the wheel keeps running.</summary>
    public event Action<Exception>? CallbackFailed;

    /// <summary>The clock this wheel runs on.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>Granularity: deadlines are rounded up to a whole number of ticks.</summary>
    public TimeSpan Resolution => _resolution;

    /// <summary>Pending entries.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Runs <paramref name="callback"/>(<paramref name="state"/>) once after <paramref name="delay"/>.</summary>
    /// <remarks>Pass a static lambda and carry context in <paramref name="state"/> to avoid a closure per timer.</remarks>
    public TimerWheelEntry Schedule(TimeSpan delay, Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var entry = new TimerWheelEntry(this, callback, state);
        var ticks = delay <= TimeSpan.Zero ? 1 : (long)Math.Ceiling(delay.Ticks / (double)_resolution.Ticks);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = CurrentTick();
            if (!_running)
            {
                // Nothing was pending, so nothing was missed: resume from the present.
                _cursor = now;
                _running = true;
                _timer.Change(_resolution, _resolution);
            }
            entry.Deadline = Math.Max(now, _cursor) + Math.Max(1, ticks);
            entry.Sequence = ++_sequence;
            Link(entry);
            _count++;
        }
        return entry;
    }

    /// <summary>Cancels a pending entry; false if it already fired or was cancelled.</summary>
    public bool Cancel(TimerWheelEntry? entry)
    {
        if (entry is null || !ReferenceEquals(entry.Wheel, this)) return false;
        lock (_lock)
        {
            if (!entry.Linked) return false;
            Unlink(entry);
            _count--;
            return entry.TryCancelState();
        }
    }

    /// <summary>Processes everything due now; normally called by the internal timer.</summary>
    internal void OnTick()
    {
        // A slow tick must not overlap the next one; the later tick catches up anyway.
        if (Interlocked.Exchange(ref _ticking, 1) == 1) return;
        try
        {
            lock (_lock)
            {
                if (_disposed) return;
                var now = CurrentTick();
                if (now - _cursor >= _slots.Length)
                {
                    // A long pause (or a fake clock jumping ahead): one pass over every slot suffices.
                    for (var i = 0; i < _slots.Length; i++) CollectDue(i, now);
                }
                else
                {
                    for (var t = _cursor + 1; t <= now; t++) CollectDue((int)(t & _mask), now);
                }
                _cursor = Math.Max(_cursor, now);
                if (_count == 0 && _running)
                {
                    _running = false;
                    _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
                if (_due.Count > 1) _due.Sort(static (a, b) => a.Deadline != b.Deadline ? a.Deadline.CompareTo(b.Deadline) : a.Sequence.CompareTo(b.Sequence));
            }
            Fire();
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    private void Fire()
    {
        // _due is only touched by the single ticking thread outside the lock.
        for (var i = 0; i < _due.Count; i++)
        {
            var entry = _due[i];
            if (!entry.TryFireState()) continue; // cancelled by an earlier callback of the same batch
            try
            {
                entry.Callback(entry.State);
            }
            catch (Exception ex)
            {
                CallbackFailed?.Invoke(ex);
            }
        }
        _due.Clear();
    }

    private void CollectDue(int slot, long now)
    {
        var e = _slots[slot];
        while (e is not null)
        {
            var next = e.Next;
            if (e.Deadline <= now)
            {
                Unlink(e);
                _count--;
                _due.Add(e);
            }
            e = next;
        }
    }

    private long CurrentTick() => (_time.GetTimestamp() - _origin) / _resolutionTicks;

    private void Link(TimerWheelEntry entry)
    {
        var slot = (int)(entry.Deadline & _mask);
        var head = _slots[slot];
        entry.Next = head;
        entry.Prev = null;
        if (head is not null) head.Prev = entry;
        _slots[slot] = entry;
        entry.Linked = true;
    }

    private void Unlink(TimerWheelEntry entry)
    {
        Debug.Assert(entry.Linked);
        if (entry.Prev is not null) entry.Prev.Next = entry.Next;
        else _slots[(int)(entry.Deadline & _mask)] = entry.Next;
        if (entry.Next is not null) entry.Next.Prev = entry.Prev;
        entry.Next = entry.Prev = null;
        entry.Linked = false;
    }

    /// <summary>Stops the wheel; pending entries never fire.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            Array.Clear(_slots);
            _count = 0;
        }
        _timer.Dispose();
    }
}

/// <summary>A scheduled callback of a <see cref="TimerWheel"/>; cancel it through <see cref="Cancel"/>.</summary>
public sealed class TimerWheelEntry
{
    internal TimerWheelEntry(TimerWheel wheel, Action<object?> callback, object? state)
    {
        Wheel = wheel;
        Callback = callback;
        State = state;
    }

    internal TimerWheel Wheel { get; }
    internal Action<object?> Callback { get; }
    internal object? State { get; }
    internal long Deadline;
    internal long Sequence;
    internal TimerWheelEntry? Next;
    internal TimerWheelEntry? Prev;
    internal bool Linked;
    private int _state; // 0 pending, 1 fired, 2 cancelled

    /// <summary>True while the entry is waiting to fire.</summary>
    public bool IsPending => Volatile.Read(ref _state) == 0;

    internal bool TryFireState() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

    internal bool TryCancelState() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;

    /// <summary>Cancels the entry; false if it already fired or was cancelled.</summary>
    public bool Cancel()
    {
        if (Wheel.Cancel(this)) return true;
        // An entry already collected for firing but not yet run can still be stopped.
        return TryCancelState();
    }
}
