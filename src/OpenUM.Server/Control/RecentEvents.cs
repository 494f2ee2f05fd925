using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Control;

/// <summary>
/// Keeps the last few warnings and errors the server logged, for `openum status`, wherever the events themselves go
/// (events.jsonl or the journal). Bounded: <see cref="Capacity"/> entries of at most <see cref="MaxMessageLength"/>
/// characters, whatever floods the log.
/// </summary>
public sealed class RecentEvents(TimeProvider time) : ILoggerProvider
{
    /// <summary>How many events are kept.</summary>
    public const int Capacity = 10;

    /// <summary>Longer messages are cut (the event log has them whole).</summary>
    public const int MaxMessageLength = 300;

    private readonly RecentEvent[] _ring = new RecentEvent[Capacity];
    private readonly Lock _gate = new();
    private int _next, _count;

    /// <summary>The kept events, oldest first.</summary>
    public IReadOnlyList<RecentEvent> Snapshot()
    {
        lock (_gate)
        {
            var list = new List<RecentEvent>(_count);
            for (int i = 0; i < _count; i++)
                list.Add(_ring[(_next - _count + i + Capacity) % Capacity]);
            return list;
        }
    }

    private void Add(LogLevel level, EventId id, string message)
    {
        if (message.Length > MaxMessageLength) message = message[..(MaxMessageLength - 3)] + "...";
        var entry = new RecentEvent(time.GetUtcNow(), id.Id, level.ToString(), message);
        lock (_gate)
        {
            _ring[_next] = entry;
            _next = (_next + 1) % Capacity;
            if (_count < Capacity) _count++;
        }
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this);

    /// <inheritdoc />
    public void Dispose() { }

    private sealed class Logger(RecentEvents owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Warning and < LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) owner.Add(logLevel, eventId, formatter(state, exception));
        }
    }
}
