using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Logging;

/// <summary>
/// Writes every event that has a numeric ID as one JSON object per line to events.jsonl
/// (time, id, level, name, category, message, properties, exception) - the file `openum events` reads and
/// operators grep. Each line is one O_APPEND write, so lines of the server and of CLI commands never
/// overwrite or cut each other, and nothing already reported is lost in a crash of the process.
/// </summary>
public sealed class JsonLinesLoggerProvider : ILoggerProvider
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly TimeSpan FailureReportInterval = TimeSpan.FromMinutes(1);
    [ThreadStatic] private static bool t_reporting;
    private readonly EventFileAppender _appender;
    private readonly EventLogRotation? _rotation;
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly LineBuffer _line = new();
    private bool _disposed;
    private int _failures;
    private string? _lastFailure;
    private DateTimeOffset _nextFailureReport = DateTimeOffset.MinValue;

    /// <summary>For one-off writers (CLI commands): each event opens, appends to and closes the file; never rotates.</summary>
    public JsonLinesLoggerProvider(string path, TimeProvider time) : this(path, time, null) { }

    /// <summary>For the server: keeps the file open, follows renames, and rotates it by <paramref name="rotation"/> (null: never).</summary>
    public JsonLinesLoggerProvider(string path, TimeProvider time, EventLogRotation? rotation)
    {
        _time = time;
        _rotation = rotation;
        _appender = new EventFileAppender(path, rotation);
    }

    /// <summary>
    /// Where events about this log (2017-2019) go; the server sets the host's logger so they reach the
    /// console too. Null: a rotation note goes into the new file, a write failure to standard error.
    /// </summary>
    public ILogger? Diagnostics { get; set; }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _appender.Dispose();
        }
    }

    private void Write<TState>(string category, LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        RotationOutcome outcome = default;
        string? failure = null;
        lock (_gate)
        {
            if (_disposed) return;
            _line.Reset();
            using (var json = new Utf8JsonWriter(_line, WriterOptions))
                WriteEvent(json, category, level, id, state, exception, formatter);
            _line.WriteByte((byte)'\n');
            try
            {
                outcome = _appender.Append(_line.Written);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failure = e.Message;
                _failures++;
                _lastFailure = e.Message;
            }
        }
        if (t_reporting) return; // an event about the log that itself could not be written is not reported again
        t_reporting = true;
        try
        {
            Report(outcome, failure, id);
        }
        finally
        {
            t_reporting = false;
        }
    }

    private void Report(RotationOutcome outcome, string? failure, EventId id)
    {
        var diagnostics = Diagnostics ?? CreateLogger(EventLogEvents.Category);
        if (outcome.Rotated)
            EventLogEvents.Rotated(diagnostics, _appender.Path, outcome.SizeBefore, _rotation!.MaxBytes,
                Path.GetFileName(EventLogFiles.RotatedPath(_appender.Path, 1)), _rotation.Files,
                outcome.Deleted is null ? "" : $"; deleted the oldest, {outcome.Deleted}");
        else if (outcome.Error is not null)
            EventLogEvents.RotationFailed(diagnostics, _appender.Path, outcome.SizeBefore, _rotation!.MaxBytes, outcome.Error, outcome.RetryAtBytes);
        if (failure is null) return;
        if (Diagnostics is null)
        {
            // A CLI command: the person running it sees at once that its audit event is missing.
            Console.Error.WriteLine($"error: event {id.Id} ({id.Name}) could not be written to the event log: {failure}");
            return;
        }
        int count;
        string reason;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (now < _nextFailureReport) return;
            _nextFailureReport = now + FailureReportInterval;
            (count, reason, _failures) = (_failures, _lastFailure ?? failure, 0);
        }
        EventLogEvents.WriteFailed(Diagnostics, _appender.Path, count, reason, "the console only");
    }

    private void WriteEvent<TState>(Utf8JsonWriter json, string category, LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        json.WriteStartObject();
        json.WriteString("time", _time.GetUtcNow());
        json.WriteNumber("id", id.Id);
        json.WriteString("level", level.ToString());
        json.WriteString("name", id.Name ?? "");
        json.WriteString("category", category);
        json.WriteString("message", formatter(state, exception));
        json.WriteStartObject("properties");
        if (state is IReadOnlyList<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                if (key == "{OriginalFormat}") continue;
                string name = key.Length > 0 ? char.ToLowerInvariant(key[0]) + key[1..] : key;
                switch (value)
                {
                    case null: json.WriteNull(name); break;
                    case int or long or short or uint or ulong or ushort or byte:
                        json.WriteNumber(name, Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
                    case double d: json.WriteNumber(name, d); break;
                    case float f: json.WriteNumber(name, f); break;
                    case bool b: json.WriteBoolean(name, b); break;
                    default: json.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture)); break;
                }
            }
        }
        json.WriteEndObject();
        if (exception is not null) json.WriteString("exception", exception.ToString());
        json.WriteEndObject();
    }

    private sealed class Logger(JsonLinesLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Only events with a stable ID belong in the operator's event log; framework chatter does not.
            if (eventId.Id == 0 || !IsEnabled(logLevel)) return;
            owner.Write(category, logLevel, eventId, state, exception, formatter);
        }
    }

    /// <summary>A MemoryStream whose buffer is reused from line to line (and given back after an unusually long one).</summary>
    private sealed class LineBuffer : MemoryStream
    {
        public ReadOnlySpan<byte> Written => GetBuffer().AsSpan(0, (int)Length);

        public void Reset()
        {
            SetLength(0);
            if (Capacity > 256 * 1024) Capacity = 4096;
        }
    }
}
