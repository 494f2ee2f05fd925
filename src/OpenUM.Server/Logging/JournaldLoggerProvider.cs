using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Logging;

/// <summary>
/// Sends events to the systemd journal over its native protocol (one datagram per entry to
/// /run/systemd/journal/socket): MESSAGE, PRIORITY, SYSLOG_IDENTIFIER=openum, EVENT_ID,
/// OPENUM_EVENT_NAME, OPENUM_CATEGORY, each structured property as OPENUM_&lt;UPPER_SNAKE&gt; and
/// OPENUM_EXCEPTION. The journal adds its trusted fields (_PID, _UID, _SYSTEMD_UNIT, time). An entry the
/// journal does not take (socket missing, journald stopped or stuck, entry too large) goes to the
/// fallback logger, and event 2017 says so there once a minute. When the journal takes entries again, the first
/// is event 2063 with how many it missed and between which times.
/// </summary>
public sealed class JournaldLoggerProvider : ILoggerProvider
{
    /// <summary>Where journald listens for native entries.</summary>
    public const string DefaultSocket = "/run/systemd/journal/socket";

    /// <summary>SYSLOG_IDENTIFIER of every entry: `journalctl -t openum`.</summary>
    public const string Identifier = "openum";

    /// <summary>Field names of the fixed fields; a property that would map onto one gets OPENUM_PROPERTY_ instead.</summary>
    public const string EventIdField = "EVENT_ID", EventNameField = "OPENUM_EVENT_NAME",
        CategoryField = "OPENUM_CATEGORY", ExceptionField = "OPENUM_EXCEPTION";

    /// <summary>
    /// Largest datagram sent. Linux refuses datagrams beyond the socket's send buffer (net.core.wmem_default,
    /// 208 KiB unless raised), so larger entries are sent again with every value cut to <see cref="SmallFieldLimit"/>.
    /// </summary>
    public const int MaxDatagram = 192 * 1024;

    /// <summary>Value limit of the second try for an oversize entry.</summary>
    public const int SmallFieldLimit = 2048;

    private static readonly TimeSpan FailureReportInterval = TimeSpan.FromMinutes(1);
    private readonly string _socketPath;
    private readonly ILoggerProvider _fallback;
    private readonly string _fallbackName;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly JournalEntry _entry = new();
    private readonly ConcurrentDictionary<string, ILogger> _fallbackLoggers = new();
    private Socket? _socket;
    private System.Net.SocketAddress? _address;
    private int _failures;
    private string? _lastFailure;
    private DateTimeOffset _nextFailureReport = DateTimeOffset.MinValue;
    private readonly EventLogGap _gap = new();
    private bool _disposed;

    /// <summary>Sends to <paramref name="socketPath"/>; <paramref name="fallback"/> (named <paramref name="fallbackName"/> in event 2017) takes what the journal does not.</summary>
    public JournaldLoggerProvider(string socketPath, ILoggerProvider fallback, string fallbackName, TimeProvider time)
    {
        _socketPath = socketPath;
        _fallback = fallback;
        _fallbackName = fallbackName;
        _time = time;
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _socket?.Dispose();
        }
        _fallback.Dispose();
    }

    /// <summary>syslog(3) priority of a log level, as journald and syslog daemons expect.</summary>
    public static int Priority(LogLevel level) => level switch
    {
        LogLevel.Critical => 2, // crit
        LogLevel.Error => 3,    // err
        LogLevel.Warning => 4,  // warning
        LogLevel.Information => 6, // info
        _ => 7,                 // debug
    };

    /// <summary>Writes the fields of one event into <paramref name="entry"/> (cleared first).</summary>
    public static void Encode<TState>(JournalEntry entry, string category, LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        entry.Clear();
        string message = formatter(state, exception);
        // journalctl shows MESSAGE only; like the console, it carries the exception below the message.
        entry.Add("MESSAGE", exception is null ? message : message + "\n" + exception);
        entry.Add("PRIORITY", Priority(level).ToString(CultureInfo.InvariantCulture));
        entry.Add("SYSLOG_IDENTIFIER", Identifier);
        if (id.Id != 0)
        {
            entry.Add(EventIdField, id.Id.ToString(CultureInfo.InvariantCulture));
            if (id.Name is { Length: > 0 } name) entry.Add(EventNameField, name);
        }
        entry.Add(CategoryField, category);
        if (state is IReadOnlyList<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                if (key == "{OriginalFormat}" || value is null) continue;
                string field = JournalEntry.FieldName("OPENUM_", key);
                if (field is EventIdField or EventNameField or CategoryField or ExceptionField)
                    field = JournalEntry.FieldName("OPENUM_PROPERTY_", key);
                entry.Add(field, value is bool b ? (b ? "true" : "false") : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
            }
        }
        if (exception is not null) entry.Add(ExceptionField, exception.ToString());
    }

    private void Write<TState>(string category, LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string? failure = null;
        lock (_gate)
        {
            if (_disposed) return;
            var now = _time.GetUtcNow();
            if (_gap.Count > 0)
            {
                // The journal is back: first the entry saying what it missed, then this event (one attempt per event while it is not).
                _entry.FieldLimit = SmallFieldLimit;
                EventLogEvents.Resumed(new GapEncoder(this), $"systemd journal ({_socketPath})", _gap.Count,
                    EventLogGap.Format(_gap.FirstLost), EventLogGap.Format(_gap.LastLost), _gap.Reason, _fallbackName);
                failure = Send(_entry.Datagram);
                if (failure is null) _gap.Clear();
            }
            if (failure is null)
            {
                _entry.FieldLimit = 64 * 1024;
                Encode(_entry, category, level, id, state, exception, formatter);
                if (_entry.Datagram.Length > MaxDatagram)
                {
                    _entry.FieldLimit = SmallFieldLimit;
                    Encode(_entry, category, level, id, state, exception, formatter);
                }
                failure = Send(_entry.Datagram);
                if (failure is null) return;
            }
            _failures++;
            _lastFailure = failure;
            _gap.Lost(now, static f => f, failure);
        }
        _fallbackLoggers.GetOrAdd(category, _fallback.CreateLogger).Log(level, id, state, exception, formatter);
        int count;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (now < _nextFailureReport) return;
            _nextFailureReport = now + FailureReportInterval;
            (count, failure, _failures) = (_failures, _lastFailure, 0);
        }
        EventLogEvents.WriteFailed(_fallbackLoggers.GetOrAdd(EventLogEvents.Category, _fallback.CreateLogger),
            $"systemd journal ({_socketPath})", count, failure ?? "", _fallbackName);
    }

    // Null when sent, else why not. Unconnected sendto(2) per entry, so a restarted journald is picked up at once.
    private string? Send(ReadOnlySpan<byte> datagram)
    {
        try
        {
            if (_socket is null)
            {
                _address = new UnixDomainSocketEndPoint(_socketPath).Serialize();
                // A stuck journald blocks senders once its queue is full; better the fallback than a stalled server.
                _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { SendTimeout = 5000 };
            }
            _socket.SendTo(datagram, SocketFlags.None, _address!);
            return null;
        }
        catch (SocketException e)
        {
            if (e.SocketErrorCode is not (SocketError.ConnectionRefused or SocketError.AddressNotAvailable or SocketError.MessageSize))
            {
                _socket?.Dispose(); // an odd state: start afresh next time
                _socket = null;
            }
            return $"{e.SocketErrorCode}: {e.Message}";
        }
        catch (ObjectDisposedException)
        {
            return "the journal client was closed";
        }
    }

    // Encodes the 2063 entry into the provider's entry buffer (under its lock) instead of logging it.
    private sealed class GapEncoder(JournaldLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Encode(owner._entry, EventLogEvents.Category, logLevel, eventId, state, exception, formatter);
    }

    private sealed class Logger(JournaldLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The journal replaces the console too, so events without an ID (framework warnings) go there as well.
            if (IsEnabled(logLevel)) owner.Write(category, logLevel, eventId, state, exception, formatter);
        }
    }
}
