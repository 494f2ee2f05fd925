using System.Text;
using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Logging;

/// <summary>
/// Every event on standard error, one line each (<see cref="StandardErrorLine"/>): where a daemon logs, and where
/// the journal mode's events go when the journal does not take them.
/// </summary>
/// <remarks>
/// The caller formats its line in a buffer of its thread and copies it into a bounded queue; nothing else happens on
/// the caller's thread. The first line into an empty queue arms a timer, and <see cref="FlushDelay"/> later one
/// pool work item writes everything queued by then with a single write(2) (and whatever came while it wrote, with
/// the next) - no thread of its own (the server starts none: PoolThreads), no write or wake-up per line. When the
/// queue is full (standard error is slower than the events, a flood) the event is dropped and counted, never waited
/// for and never queued beyond <see cref="DefaultCapacity"/>; the next line that fits is preceded by event 2063
/// with how many and when. Dispose writes what is queued, so the last lines before the server stops are there.
/// </remarks>
public sealed class StandardErrorLoggerProvider : ILoggerProvider
{
    /// <summary>Bytes the queue holds at most (about 7,000 lines): what a flood can take while standard error is stuck.</summary>
    public const int DefaultCapacity = 1024 * 1024;

    /// <summary>How long the first queued line waits for others to join its write.</summary>
    public static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(10);

    private const int StandardError = 2, EIntr = 4;
    private const int NoteRoom = 1024; // more than a 2063 line takes: its text and values are the server's own
    [ThreadStatic] private static StandardErrorLine? t_line;
    private static readonly byte[] NoteCategory = Encoding.UTF8.GetBytes(EventLogEvents.Category);
    private readonly StandardErrorFormat _format;
    private readonly string _elsewhere;
    private readonly int _capacity;
    private readonly string _fullReason;
    private readonly TimeProvider _time;
    private readonly AppendOnlyFile.WriteCall _write;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();       // the queue, the gap, _scheduled and _disposed
    private readonly Lock _writeGate = new();  // one writer at a time, and Dispose waits for it
    private readonly StandardErrorLine _note = new(); // under _gate
    private readonly EventLogGap _gap = new();
    private byte[] _queue = new byte[4096];    // grows up to _capacity
    private byte[] _writing = new byte[4096];  // the batch being written, swapped with _queue
    private int _queued;
    private bool _scheduled;
    private bool _disposed;

    /// <summary>Writes lines in <paramref name="format"/> to descriptor 2 through <paramref name="write"/> (null: libc's write(2)).</summary>
    /// <param name="time">Clock of the lines' times and of the flush timer.</param>
    /// <param name="format">The lines' format (<see cref="FormatForThisProcess"/>).</param>
    /// <param name="elsewhere">Where dropped events can still be read, for event 2063 ("events.jsonl").</param>
    /// <param name="capacity">Bytes the queue holds at most.</param>
    /// <param name="write">write(2); tests pass one that records or fails.</param>
    public StandardErrorLoggerProvider(TimeProvider time, StandardErrorFormat format, string elsewhere, int capacity = DefaultCapacity,
        AppendOnlyFile.WriteCall? write = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, StandardErrorLine.MaxLength + NoteRoom);
        _time = time;
        _format = format;
        _elsewhere = elsewhere;
        _capacity = capacity;
        _fullReason = $"the queue of {capacity} bytes was full: standard error did not keep up";
        _write = write ?? AppendOnlyFile.SystemWrite;
        // The flush runs on the pool with no caller's context (activities, culture) attached.
        using (ExecutionContext.SuppressFlow())
            _timer = time.CreateTimer(static p => ((StandardErrorLoggerProvider)p!).Flush(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The systemd format when standard error is the journal (JOURNAL_STREAM names it), else the simple one.</summary>
    public static StandardErrorFormat FormatForThisProcess() =>
        JournalStream.StandardErrorIsJournal() ? StandardErrorFormat.Systemd : StandardErrorFormat.Simple;

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Writes what is queued; later events are written at once by the thread that logs them.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _timer.Dispose();
        Flush();
    }

    private void Enqueue(ReadOnlySpan<byte> line, DateTimeOffset now)
    {
        bool arm = false, flushNow = false;
        lock (_gate)
        {
            int note = _gap.Count > 0 ? NoteRoom : 0;
            if (_queued + note + line.Length > _capacity)
            {
                _gap.Lost(now, static r => r, _fullReason);
                return;
            }
            if (note > 0)
            {
                EventLogEvents.Resumed(new NoteFormatter(this, now), JsonLinesLoggerProvider.Fallback, _gap.Count,
                    EventLogGap.Format(_gap.FirstLost), EventLogGap.Format(_gap.LastLost), _gap.Reason, _elsewhere);
                Append(_note.Written);
                _gap.Clear();
            }
            Append(line);
            if (_disposed) flushNow = true;
            else if (!_scheduled) arm = _scheduled = true;
        }
        if (arm) _timer.Change(FlushDelay, Timeout.InfiniteTimeSpan);
        else if (flushNow) Flush();
    }

    // Under _gate; the caller made sure it fits.
    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_queued + bytes.Length > _queue.Length)
            Array.Resize(ref _queue, Math.Min(_capacity, Math.Max(2 * _queue.Length, _queued + bytes.Length)));
        bytes.CopyTo(_queue.AsSpan(_queued));
        _queued += bytes.Length;
    }

    // Writes batches until the queue is empty: each the whole queue as it was, in one write(2) (more on a short write).
    private void Flush()
    {
        lock (_writeGate)
        {
            while (true)
            {
                int length;
                lock (_gate)
                {
                    length = _queued;
                    if (length == 0)
                    {
                        _scheduled = false;
                        return;
                    }
                    (_queue, _writing) = (_writing, _queue);
                    _queued = 0;
                }
                WriteOut(_writing.AsSpan(0, length));
            }
        }
    }

    private void WriteOut(ReadOnlySpan<byte> batch)
    {
        while (!batch.IsEmpty)
        {
            nint n = _write(StandardError, batch, out int errno);
            if (n > 0)
            {
                batch = batch[(int)n..];
                continue;
            }
            if (n < 0 && errno == EIntr) continue;
            // Closed, a broken pipe, a non-blocking descriptor that is full: what is left is counted, for 2063.
            string reason = n == 0 ? "write(2) wrote nothing" : "write(2) failed: " + AppendOnlyFile.Describe(errno);
            lock (_gate) _gap.Lost(_time.GetUtcNow(), batch.Count((byte)'\n'), static r => r, reason);
            return;
        }
    }

    private void Write(ReadOnlySpan<byte> category, LogLevel level, int eventId, in EventMessage message, Exception? exception)
    {
        var now = _time.GetUtcNow();
        var line = t_line ??= new StandardErrorLine();
        line.Format(_format, now, level, category, eventId, message, exception);
        Enqueue(line.Written, now);
    }

    private sealed class Logger(StandardErrorLoggerProvider owner, string category) : ILogger
    {
        private readonly byte[] _category = Encoding.UTF8.GetBytes(category);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        // Which levels and categories is the logger factory's filters' choice, as it was with Microsoft's console logger.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var message = EventMessage.Of(state, exception, formatter, state as IReadOnlyList<KeyValuePair<string, object?>>);
            if (message.IsNull && exception is null) return; // nothing to say: Microsoft's console logger wrote no line either
            owner.Write(_category, logLevel, eventId.Id, message, exception);
        }
    }

    // Formats the 2063 line into the provider's note buffer (under _gate) instead of logging it.
    private sealed class NoteFormatter(StandardErrorLoggerProvider owner, DateTimeOffset time) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._note.Format(owner._format, time, logLevel, NoteCategory, eventId.Id, formatter(state, exception), exception);
    }
}
