using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Logging;

/// <summary>
/// How an event looks on standard error: byte for byte as Microsoft's console formatters print it (the server used
/// them before), so what operators, scripts and journald read stays as it was.
/// </summary>
public enum StandardErrorFormat
{
    /// <summary>"2026-01-02 03:04:05 info: Category[1114] message": the simple formatter on one line, UTC, no colours.</summary>
    Simple,

    /// <summary>"&lt;6&gt;Category[1114] message": the systemd formatter, whose syslog priority journald strips and keeps.</summary>
    Systemd,
}

/// <summary>
/// One event formatted as one UTF-8 line into a reusable buffer, without a string per line: level, category and ID
/// are written as bytes, the message and the exception text are encoded straight into the buffer. Newlines in them
/// become spaces, as both console formatters do, so one event is one line. A line longer than <see cref="MaxLength"/>
/// is cut (with a note of its length), so no event takes more than a small part of the standard-error queue.
/// </summary>
public sealed class StandardErrorLine
{
    /// <summary>Longest line kept whole, newline included.</summary>
    public const int MaxLength = 64 * 1024;

    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss "; // the server's TimestampFormat for the simple formatter
    private byte[] _bytes = new byte[512];

    /// <summary>The line, ending in its newline.</summary>
    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Length);

    /// <summary>Bytes of the line.</summary>
    public int Length { get; private set; }

    /// <summary>Formats one event (<paramref name="time"/> is UTC) in place of the previous line.</summary>
    public void Format(StandardErrorFormat format, DateTimeOffset time, LogLevel level, ReadOnlySpan<byte> category, int eventId,
        string? message, Exception? exception) =>
        Format(format, time, level, category, eventId, EventMessage.Text(message), exception);

    /// <summary>Formats one event (<paramref name="time"/> is UTC) in place of the previous line.</summary>
    internal void Format(StandardErrorFormat format, DateTimeOffset time, LogLevel level, ReadOnlySpan<byte> category, int eventId,
        in EventMessage message, Exception? exception)
    {
        Length = 0;
        if (_bytes.Length > 4 * MaxLength) _bytes = new byte[512]; // an unusually long event does not keep its buffer
        if (format == StandardErrorFormat.Systemd)
        {
            Append(SyslogPriority(level));
        }
        else
        {
            Reserve(TimeFormat.Length);
            Length += WriteTime(time.UtcDateTime, _bytes.AsSpan(Length));
            Append(LevelName(level));
            Append(": "u8);
        }
        Append(category);
        Append("["u8);
        Reserve(11);
        eventId.TryFormat(_bytes.AsSpan(Length), out int idLength, default, CultureInfo.InvariantCulture);
        Length += idLength;
        Append("]"u8);
        if (message.Length > 0)
        {
            Append(" "u8);
            for (int i = 0; i < message.Pieces; i++) AppendOneLine(message.Piece(i));
        }
        if (exception is not null)
        {
            Append(" "u8);
            AppendOneLine(exception.ToString());
        }
        if (Length >= MaxLength) Cut();
        Append("\n"u8);
    }

    /// <summary>The simple formatter's level names.</summary>
    public static ReadOnlySpan<byte> LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce"u8,
        LogLevel.Debug => "dbug"u8,
        LogLevel.Information => "info"u8,
        LogLevel.Warning => "warn"u8,
        LogLevel.Error => "fail"u8,
        LogLevel.Critical => "crit"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>The systemd formatter's prefixes (RFC 5424 severities; trace and debug are both debug).</summary>
    public static ReadOnlySpan<byte> SyslogPriority(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "<7>"u8,
        LogLevel.Information => "<6>"u8,
        LogLevel.Warning => "<4>"u8,
        LogLevel.Error => "<3>"u8,
        LogLevel.Critical => "<2>"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    // "yyyy-MM-dd HH:mm:ss " (TimeFormat) by hand: the custom-format parser was a visible part of every event's cost.
    private static int WriteTime(DateTime time, Span<byte> to)
    {
        "0000-00-00 00:00:00 "u8.CopyTo(to);
        Digits(to, 0, 4, time.Year);
        Digits(to, 5, 2, time.Month);
        Digits(to, 8, 2, time.Day);
        Digits(to, 11, 2, time.Hour);
        Digits(to, 14, 2, time.Minute);
        Digits(to, 17, 2, time.Second);
        return TimeFormat.Length;
    }

    private static void Digits(Span<byte> to, int at, int count, int value)
    {
        for (int i = at + count - 1; i >= at; i--, value /= 10) to[i] = (byte)('0' + value % 10);
    }

    // Text with each newline a space (Environment.NewLine is "\n" here; 0x0A never occurs inside a UTF-8 sequence).
    private void AppendOneLine(ReadOnlySpan<char> text)
    {
        Reserve(Encoding.UTF8.GetMaxByteCount(text.Length));
        var target = _bytes.AsSpan(Length);
        int n = Encoding.UTF8.GetBytes(text, target);
        target[..n].Replace((byte)'\n', (byte)' ');
        Length += n;
    }

    // Keeps the start of an overlong line, ended on a whole character, and says how long it was.
    private void Cut()
    {
        int total = Length;
        int end = MaxLength - 64;
        while ((_bytes[end] & 0xC0) == 0x80) end--; // not inside a multi-byte character
        Length = end;
        Append(" [truncated by openum: "u8);
        Reserve(11);
        total.TryFormat(_bytes.AsSpan(Length), out int n, default, CultureInfo.InvariantCulture);
        Length += n;
        Append(" bytes]"u8);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_bytes.AsSpan(Length));
        Length += bytes.Length;
    }

    private void Reserve(int more)
    {
        if (Length + more > _bytes.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + more));
    }
}
