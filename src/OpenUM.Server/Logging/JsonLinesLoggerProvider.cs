using System.Collections.Concurrent;
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
/// When the file cannot be written, the events are counted (<see cref="EventLogGap"/>; the server's copy on
/// standard error has them all, a CLI command prints each to standard error) and event 2017 says so once a
/// minute; the first line that can be written again is preceded by event 2063 with the count and the times,
/// so events.jsonl itself records its gap.
/// </summary>
public sealed class JsonLinesLoggerProvider : ILoggerProvider
{
    /// <summary>Where events go when events.jsonl does not take them (named by events 2017 and 2063).</summary>
    public const string Fallback = "standard error";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly TimeSpan FailureReportInterval = TimeSpan.FromMinutes(1);
    [ThreadStatic] private static bool t_reporting;
    [ThreadStatic] private static bool t_inFileAlready;
    private readonly EventFileAppender _appender;
    private readonly EventLogRotation? _rotation;
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    [ThreadStatic] private static LineBuffer? t_line;
    private readonly LineBuffer _gapLine = new();
    private readonly EventLogGap _gap = new();
    private bool _disposed;
    private int _failures;
    private EventFileError _lastFailure;
    private DateTimeOffset _nextFailureReport = DateTimeOffset.MinValue;

    /// <summary>For one-off writers (CLI commands): each event opens, appends to and closes the file; never rotates.</summary>
    public JsonLinesLoggerProvider(string path, TimeProvider time) : this(path, time, null) { }

    /// <summary>For the server: keeps the file open, follows renames, and rotates it by <paramref name="rotation"/> (null: never).</summary>
    /// <param name="path">events.jsonl.</param>
    /// <param name="time">Clock of the lines' times.</param>
    /// <param name="rotation">Rotation policy, or null.</param>
    /// <param name="write">write(2) (null: libc's); tests pass one that fails.</param>
    public JsonLinesLoggerProvider(string path, TimeProvider time, EventLogRotation? rotation, AppendOnlyFile.WriteCall? write = null)
    {
        _time = time;
        _rotation = rotation;
        _appender = new EventFileAppender(path, rotation, write, time);
    }

    /// <summary>
    /// Where events about this log (2017-2019, 2063) go; the server sets the host's logger so they reach the
    /// console too. Null: a rotation note goes into the new file, a write failure to standard error.
    /// </summary>
    public ILogger? Diagnostics { get; set; }

    /// <summary>Events not written to the file since the last one that was (the gap 2063 will report).</summary>
    public long Missing
    {
        get { lock (_gate) return _gap.Count; }
    }

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

    private readonly record struct Resumption(long Count, DateTimeOffset FirstLost, DateTimeOffset LastLost, string Reason);

    private void Write<TState>(string category, LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (t_inFileAlready) return; // the console's copy of a 2063 this provider has written itself
        RotationOutcome outcome = default;
        EventFileError? failure = null;
        Resumption? resumed = null;
        // Formatted before the lock, into the thread's own buffer: threads queue only for the append itself.
        var line = t_line ??= new LineBuffer();
        var now = _time.GetUtcNow();
        Format(line, now, category, level, id, state, exception, formatter);
        lock (_gate)
        {
            if (_disposed) return;
            if (_gap.Count > 0)
            {
                // The gap goes first, so it sits in the file where the events are missing.
                var gap = new Resumption(_gap.Count, _gap.FirstLost, _gap.LastLost, _gap.Reason);
                EventLogEvents.Resumed(new GapFormatter(this, now), _appender.Path, gap.Count, EventLogGap.Format(gap.FirstLost),
                    EventLogGap.Format(gap.LastLost), gap.Reason, Fallback);
                if (_appender.TryAppend(_gapLine.Written, out outcome, out var gapError))
                {
                    _gap.Clear();
                    resumed = gap;
                }
                else
                {
                    failure = gapError; // still failing: one attempt per event, this one was it
                }
            }
            if (failure is null)
            {
                if (!_appender.TryAppend(line.Written, out var lineOutcome, out var error))
                    failure = error;
                else if (lineOutcome.Rotated || lineOutcome.Error is not null)
                    outcome = lineOutcome;
            }
            if (failure is { } lost)
            {
                _failures++;
                _lastFailure = lost;
                _gap.Lost(now, static a => a.Error.Describe(a.Path), (Error: lost, _appender.Path));
            }
        }
        if (resumed is { } r && Diagnostics is { } diagnostics)
        {
            // Already in the file; the console gets its copy.
            t_inFileAlready = true;
            try
            {
                EventLogEvents.Resumed(diagnostics, _appender.Path, r.Count, EventLogGap.Format(r.FirstLost), EventLogGap.Format(r.LastLost), r.Reason, Fallback);
            }
            finally
            {
                t_inFileAlready = false;
            }
        }
        if (t_reporting) return; // an event about the log that itself could not be written is not reported again
        t_reporting = true;
        try
        {
            Report(outcome, failure, id, state, exception, formatter);
        }
        finally
        {
            t_reporting = false;
        }
    }

    private void Report<TState>(RotationOutcome outcome, EventFileError? failure, EventId id, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        var diagnostics = Diagnostics ?? CreateLogger(EventLogEvents.Category);
        if (outcome.Rotated)
            EventLogEvents.Rotated(diagnostics, _appender.Path, outcome.SizeBefore, _rotation!.MaxBytes,
                Path.GetFileName(EventLogFiles.RotatedPath(_appender.Path, 1)), _rotation.Files,
                outcome.Deleted is null ? "" : $"; deleted the oldest, {outcome.Deleted}");
        else if (outcome.Error is not null)
            EventLogEvents.RotationFailed(diagnostics, _appender.Path, outcome.SizeBefore, _rotation!.MaxBytes, outcome.Error, outcome.RetryAtBytes);
        if (failure is not { } error) return;
        if (Diagnostics is null)
        {
            // A CLI command: the person running it sees at once that its audit event is missing, and the event itself.
            Console.Error.WriteLine($"error: event {id.Id} ({id.Name}) could not be written to the event log: {error.Describe(_appender.Path)}: " +
                formatter(state, exception));
            return;
        }
        int count;
        string reason;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (now < _nextFailureReport) return;
            _nextFailureReport = now + FailureReportInterval;
            (count, reason, _failures) = (_failures, _lastFailure.Describe(_appender.Path), 0);
        }
        EventLogEvents.WriteFailed(Diagnostics, _appender.Path, count, reason, Fallback);
    }

    // The line's writer is the line's own: a thread's buffer, or the gap line under _gate.
    private static void Format<TState>(LineBuffer line, DateTimeOffset time, string category, LogLevel level, EventId id, TState state,
        Exception? exception, Func<TState, Exception?, string> formatter)
    {
        line.Reset();
        var json = line.Json;
        json.Reset(line);
        WriteEvent(json, time, category, level, id, state, exception, formatter);
        json.Flush();
        line.WriteByte((byte)'\n');
    }

    private static void WriteEvent<TState>(Utf8JsonWriter json, DateTimeOffset time, string category, LogLevel level,
        EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var pairs = state as IReadOnlyList<KeyValuePair<string, object?>>;
        var message = EventMessage.Of(state, exception, formatter, pairs);
        json.WriteStartObject();
        json.WriteString(Names.Time, time);
        json.WriteNumber(Names.Id, id.Id);
        if ((uint)level < (uint)Names.Levels.Length) json.WriteString(Names.Level, Names.Levels[(int)level]);
        else json.WriteString(Names.Level, level.ToString());
        json.WriteString(Names.Name, Names.Encoded(id.Name ?? ""));
        json.WriteString(Names.Category, Names.Encoded(category));
        if (message.IsNull)
        {
            json.WriteNull(Names.Message);
        }
        else
        {
            // Piece by piece through the writer's own escaping: the same bytes as the whole message, without its string.
            json.WritePropertyName(Names.Message);
            for (int i = 0, last = message.Pieces - 1; i <= last; i++) json.WriteStringValueSegment(message.Piece(i), i == last);
        }
        json.WriteStartObject(Names.Properties);
        if (pairs is not null)
        {
            // Indexed: the list's enumerator would be one more object per event.
            for (int i = 0; i < pairs.Count; i++)
            {
                var (key, value) = pairs[i];
                if (key == "{OriginalFormat}") continue;
                var name = Names.Property(key);
                switch (value)
                {
                    case null: json.WriteNull(name); break;
                    case string text: json.WriteString(name, text); break;
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
        if (exception is not null) json.WriteString(Names.Exception, exception.ToString());
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

    // Formats the 2063 line into the provider's gap buffer (under its lock) instead of logging it.
    private sealed class GapFormatter(JsonLinesLoggerProvider owner, DateTimeOffset time) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Format(owner._gapLine, time, EventLogEvents.Category, logLevel, eventId, state, exception, formatter);
    }

    /// <summary>A MemoryStream whose buffer is reused from line to line (and given back after an unusually long one).</summary>
    private sealed class LineBuffer : MemoryStream
    {
        /// <summary>The JSON writer of every line of this buffer (Reset per line).</summary>
        public Utf8JsonWriter Json { get; }

        public LineBuffer() => Json = new Utf8JsonWriter(this, WriterOptions);

        public ReadOnlySpan<byte> Written => GetBuffer().AsSpan(0, (int)Length);

        public void Reset()
        {
            SetLength(0);
            if (Capacity > 256 * 1024) Capacity = 4096;
        }
    }

    /// <summary>
    /// The line's names encoded once instead of once per event: the fixed ones, the levels, and the categories, event
    /// names and properties' JSON names ("CallId" becomes "callId") by their strings, which are the templates' and loggers'
    /// own, a small fixed set (looked up by reference: no hashing of the text). Past <see cref="MaxCached"/> (a logger with
    /// made-up keys) a name is encoded each time.
    /// </summary>
    private static class Names
    {
        private const int MaxCached = 1024;
        public static readonly JsonEncodedText Time = Encode("time"), Id = Encode("id"), Level = Encode("level"), Name = Encode("name"),
            Category = Encode("category"), Message = Encode("message"), Properties = Encode("properties"), Exception = Encode("exception");
        public static readonly JsonEncodedText[] Levels = [.. Enum.GetNames<LogLevel>().Select(Encode)]; // Trace (0) .. None (6), as level.ToString()
        private static readonly ConcurrentDictionary<string, JsonEncodedText> Texts = new(ReferenceEqualityComparer.Instance);
        private static readonly ConcurrentDictionary<string, JsonEncodedText> Keys = new(ReferenceEqualityComparer.Instance);

        /// <summary>A category or event name.</summary>
        public static JsonEncodedText Encoded(string text) => Cached(Texts, text, static t => t);

        /// <summary>A property's JSON name.</summary>
        public static JsonEncodedText Property(string key) => Cached(Keys, key, CamelCase);

        private static JsonEncodedText Cached(ConcurrentDictionary<string, JsonEncodedText> cache, string key, Func<string, string> name)
        {
            if (cache.TryGetValue(key, out var encoded)) return encoded;
            encoded = Encode(name(key));
            if (cache.Count < MaxCached) cache.TryAdd(key, encoded);
            return encoded;
        }

        private static string CamelCase(string key) =>
            key.Length == 0 || char.IsLower(key[0]) ? key : char.ToLowerInvariant(key[0]) + key[1..];

        private static JsonEncodedText Encode(string text) => JsonEncodedText.Encode(text, WriterOptions.Encoder);
    }
}
