using System.Diagnostics;

namespace OpenUM.LoadGen;

/// <summary>
/// The generator's one pacing loop: a dedicated thread that wakes every 20 ms (absolute deadlines from one start
/// time, so lateness does not accumulate) and sends every streaming call's next frame. No timer or task per call; a
/// tick that starts more than one frame late is counted, with the worst lateness, so the report says when the
/// generator itself could not keep up; after a stall of more than 200 ms the missed ticks are skipped and counted.
/// </summary>
internal sealed class MediaPacer : IDisposable
{
    private static readonly long Period = Stopwatch.Frequency / 50;
    // After a stall longer than this the missed ticks are skipped instead of caught up (as the server's MediaClock does).
    private static readonly long MaxLag = Stopwatch.Frequency / 5;

    private readonly SecuredCall?[] _calls;
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _tick;
    private long _start;

    public MediaPacer(int capacity)
    {
        _calls = new SecuredCall?[capacity];
        _thread = new Thread(Run) { IsBackground = true, Name = "media pacer", Priority = ThreadPriority.AboveNormal };
    }

    /// <summary>Ticks done so far: the time base of the calls' states.</summary>
    public long CurrentTick => Volatile.Read(ref _tick);

    /// <summary>Ticks that started more than one frame (20 ms) after their deadline.</summary>
    public long TicksLate { get; private set; }

    /// <summary>Ticks skipped after stalls longer than 200 ms (no frame sent for them).</summary>
    public long TicksSkipped { get; private set; }

    /// <summary>The worst lateness of a tick.</summary>
    public TimeSpan WorstLateness { get; private set; }

    /// <summary>The most calls streaming in one tick.</summary>
    public int PeakStreaming { get; private set; }

    /// <summary>Ticks run.</summary>
    public long Ticks => CurrentTick;

    public void Start()
    {
        _start = Stopwatch.GetTimestamp();
        _thread.Start();
    }

    /// <summary>Paces <paramref name="call"/> from the next tick on (its slot is its index).</summary>
    public void Add(SecuredCall call) => Volatile.Write(ref _calls[call.Index], call);

    /// <summary>Stops pacing <paramref name="call"/>; its state no longer changes.</summary>
    public void Remove(SecuredCall call) => Interlocked.CompareExchange(ref _calls[call.Index], null, call);

    private void Run()
    {
        long worst = 0;
        while (!_stop)
        {
            long tick = _tick;
            long due = _start + tick * Period;
            long now = Stopwatch.GetTimestamp();
            if (now < due)
            {
                long ms = (due - now) * 1000 / Stopwatch.Frequency;
                if (ms > 0)
                    Thread.Sleep((int)ms);
                else
                    Thread.Yield();
                continue;
            }
            long late = now - due;
            if (late > Period)
                TicksLate++;
            if (late > MaxLag)
            {
                // Stalled (descheduled on a busy machine): a phone would not send the missed audio in one burst, and
                // a burst of seconds would overflow the server's socket buffers. Skip the missed ticks; each call's
                // timestamps move on by the time that passed, its frame numbers do not.
                long skip = late / Period;
                var all = _calls;
                for (int i = 0; i < all.Length; i++)
                    Volatile.Read(ref all[i])?.Skip(skip);
                TicksSkipped += skip;
                Volatile.Write(ref _tick, tick + skip);
                continue;
            }
            if (late > worst)
            {
                worst = late;
                WorstLateness = Stopwatch.GetElapsedTime(0, late);
            }
            int streaming = 0;
            var calls = _calls;
            for (int i = 0; i < calls.Length; i++)
            {
                if (Volatile.Read(ref calls[i]) is { } call && call.OnTick(tick, now))
                    streaming++;
            }
            if (streaming > PeakStreaming)
                PeakStreaming = streaming;
            Volatile.Write(ref _tick, tick + 1);
        }
    }

    public void Dispose()
    {
        _stop = true;
        if (_thread.IsAlive)
            _thread.Join();
    }
}
