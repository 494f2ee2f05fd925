using Microsoft.Extensions.Logging;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>Log events of in-process OpenUM components, written to the test output (event id and message).</summary>
public sealed class OutputLogger(ITestOutputHelper output) : ILogger
{
    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
            return;
        try
        {
            output.WriteLine($"[{eventId.Id}] {formatter(state, exception)}");
        }
        catch (InvalidOperationException)
        {
            // the test has already finished
        }
    }
}
