using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Logging;

/// <summary>
/// One provider writing every event to two others: a CLI command's audit events under `--log-target both` go to the
/// journal and to events.jsonl, as the server's do. Disposing it disposes both.
/// </summary>
public sealed class TeeLoggerProvider(ILoggerProvider first, ILoggerProvider second) : ILoggerProvider
{
    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Tee(first.CreateLogger(categoryName), second.CreateLogger(categoryName));

    /// <inheritdoc />
    public void Dispose()
    {
        first.Dispose();
        second.Dispose();
    }

    private sealed class Tee(ILogger first, ILogger second) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => first.IsEnabled(logLevel) || second.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            first.Log(logLevel, eventId, state, exception, formatter);
            second.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
