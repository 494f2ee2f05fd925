using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Logging;

/// <summary>
/// One line per event on standard error ("time level: category[id] message"): where the server's events
/// go when the journal does not take them. Under systemd standard error is captured by the journal
/// too, so even then the lines are not lost.
/// </summary>
public sealed class StandardErrorLoggerProvider(TimeProvider time) : ILoggerProvider
{
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void Dispose() { }

    private void Write(string line)
    {
        lock (_gate) Console.Error.WriteLine(line);
    }

    private sealed class Logger(StandardErrorLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            string text = $"{owner.TimeNow():yyyy-MM-dd HH:mm:ss} {logLevel}: {category}[{eventId.Id}] {formatter(state, exception)}";
            owner.Write(exception is null ? text : text + Environment.NewLine + exception);
        }
    }

    private DateTimeOffset TimeNow() => time.GetUtcNow();
}
