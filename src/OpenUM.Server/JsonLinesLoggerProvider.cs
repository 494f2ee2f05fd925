using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OpenUM.Server;

/// <summary>
/// Writes every event that has a numeric ID as one JSON object per line to events.jsonl
/// (time, id, level, name, message, properties) — the file `openum events` reads and operators grep.
/// Appends are serialized and flushed per event so a crash loses nothing already reported.
/// </summary>
public sealed class JsonLinesLoggerProvider : ILoggerProvider
{
    private readonly FileStream _file;
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Opens (creating if needed, owner-only) the event file for appending.</summary>
    public JsonLinesLoggerProvider(string path, TimeProvider time)
    {
        _time = time;
        var options = new FileStreamOptions
        {
            Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        _file = new FileStream(path, options);
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate) _file.Dispose();
    }

    private void Write<TState>(string category, LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
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
                            json.WriteNumber(name, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                        case double d: json.WriteNumber(name, d); break;
                        case float f: json.WriteNumber(name, f); break;
                        case bool b: json.WriteBoolean(name, b); break;
                        default: json.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                    }
                }
            }
            json.WriteEndObject();
            if (exception is not null) json.WriteString("exception", exception.ToString());
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        lock (_gate)
        {
            // .NET's FileMode.Append is no O_APPEND (dotnet/runtime#53432): it writes at the end it saw last, so the
            // serve process would overwrite events the CLI appended meanwhile (audit, outbox retry/purge). Seek first.
            _file.Seek(0, SeekOrigin.End);
            _file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            _file.Flush();
        }
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
}
