using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Tests.Logging;

/// <summary>A clock the test moves.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;

    // Timestamps move with the same hand (the event file's path checks are timed by them).
    public override long GetTimestamp() => Now.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
}

/// <summary>A temp directory removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Directory.CreateTempSubdirectory("openum-eventlog-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public string[] Names() => System.IO.Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).Order().ToArray()!;
    public void Dispose()
    {
        try { System.IO.Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Test events with a sequence number, and reading them back from events.jsonl lines.</summary>
internal static partial class TestEvents
{
    [LoggerMessage(EventId = 9001, EventName = "TestEvent", Level = LogLevel.Information, Message = "writer {Writer} event {Seq} {Padding}")]
    public static partial void Numbered(ILogger logger, string writer, int seq, string padding);

    /// <summary>(writer, seq) of a 9001 line; null for other events and empty lines. Throws when the line is no JSON: a torn line.</summary>
    public static (string Writer, int Seq)? Parse(string line)
    {
        if (line.Length == 0) return null;
        using var doc = JsonDocument.Parse(line);
        var e = doc.RootElement;
        if (e.GetProperty("id").GetInt32() != 9001) return null;
        var p = e.GetProperty("properties");
        return (p.GetProperty("writer").GetString()!, p.GetProperty("seq").GetInt32());
    }

    /// <summary>Every line of events.jsonl and its rotated files, oldest file first.</summary>
    public static List<string> AllLines(string current)
    {
        var lines = new List<string>();
        foreach (int n in OpenUM.Server.Logging.EventLogFiles.RotatedNumbers(current).Reverse())
            lines.AddRange(File.ReadAllLines(OpenUM.Server.Logging.EventLogFiles.RotatedPath(current, n)));
        if (File.Exists(current)) lines.AddRange(File.ReadAllLines(current));
        return lines;
    }
}
