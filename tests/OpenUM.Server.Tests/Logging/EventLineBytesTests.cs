using System.Text;
using Microsoft.Extensions.Logging;
using OpenUM.Calls;
using OpenUM.Server.Logging;

namespace OpenUM.Server.Tests.Logging;

/// <summary>
/// The bytes of events.jsonl and of standard error, pinned: a set of events through both providers, set up as the
/// server sets them up, against the files under Logging/Expected (written by the formatting that operators' scripts
/// and `openum events` were built against). Covers JSON escaping, non-ASCII, surrogates, every value type the writer
/// knows, templates with formats, alignment and escaped braces, messages built by the generator's own state, a
/// state without values, exceptions and times with and without fractions.
/// </summary>
public sealed partial class EventLineBytesTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    [Theory]
    [InlineData(StandardErrorFormat.Simple, "stderr-simple.txt")]
    [InlineData(StandardErrorFormat.Systemd, "stderr-systemd.txt")]
    public void EveryByteIsAsItWas(StandardErrorFormat format, string standardErrorFile)
    {
        using var dir = new TempDir();
        var written = new MemoryStream();
        var time = new ManualTime(Start);
        var standardError = new StandardErrorLoggerProvider(time, format, "events.jsonl",
            write: (int _, ReadOnlySpan<byte> data, out int errno) =>
            {
                lock (written) written.Write(data);
                errno = 0;
                return data.Length;
            });
        var file = new JsonLinesLoggerProvider(dir.File("events.jsonl"), time, EventLogRotation.Default);
        using (var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(standardError).AddProvider(file)))
        {
            file.Diagnostics = factory.CreateLogger(EventLogEvents.Category);
            LogEverything(factory.CreateLogger("OpenUM.Calls.SipCallHandler"), time);
        }
        standardError.Dispose();

        Assert.Equal(Expected("events.jsonl"), File.ReadAllBytes(dir.File("events.jsonl")));
        Assert.Equal(Expected(standardErrorFile), written.ToArray());
    }

    private static byte[] Expected(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Logging", "Expected", name));

    private static void LogEverything(ILogger logger, ManualTime time)
    {
        CallEvents.CallAnswered(logger, "a84b4c76e66710@pc33.atlanta.example.com", "+4930123456", "gw1.example.com", "4711", "Default", "PCMU");
        time.Now += TimeSpan.FromTicks(8_900_000); // .89: the fraction's trailing zeros are trimmed
        CallEvents.CallEnded(logger, "a84b4c76e66710@pc33.atlanta.example.com", "caller hung up");
        time.Now += TimeSpan.FromTicks(1_234_567);
        CallEvents.CallAnswered(logger, "quote \" backslash \\ slash / <>&' tab\tnewline\ncr\r\u0001\u001f\u007f",
            "Müller ☎ 😀 \u2028\u2029 \u00a0 \ufeff", "", "{not a hole}", "%s %n", "PCMU");
        time.Now += TimeSpan.FromSeconds(1);
        CallEvents.CallEnded(logger, "lone \ud83d high", "lone \ude00 low, then a pair \ud83d\ude00");
        CallEvents.CallEnded(logger, "edge \ud83d", "\ude00 edge");
        Typed(logger, 42, -7_000_000_000L, true, 2.5, 1.25f, DayOfWeek.Friday, null, 'x', 3.75m, (byte)9, ushort.MaxValue, uint.MaxValue);
        Formatted(logger, 255, 3.14159, "right", DateTimeOffset.UnixEpoch);
        Seven(logger, "1", "2", "3", "4", "5", "6", "7");
        Numbers(logger, 1, 2, 3, 4, 5, 6, 7L, 8);
        logger.LogWarning(new EventId(9010), "plain {First} and {second} {{escaped}}", "one", 2);
        logger.LogInformation(new EventId(9011, "NoValues"), NoValues);
        logger.LogError(new EventId(9012, "Failed"), NotThrown(), "failed {What}", "disk\non fire");
        logger.LogCritical(new EventId(9013, "Crit"), "critical {Items}", new List<string> { "a", "b" });
        logger.LogInformation(new EventId(0, "NoId"), "no id: standard error only");
        logger.LogDebug(new EventId(9014, "Debug"), "below the minimum: nowhere");
        logger.Log(LogLevel.Information, new EventId(9015, "Custom"), "state", null, static (s, _) => "custom " + s);
        logger.LogInformation(new EventId(9016, "Split"), "a pair split \ud83d{Low} by a hole", "\ude00");
        Repeated(logger, "same", "template");
        Repeated(logger, "twice", "template");
    }

    // Not a literal at the call, so that the analyzer lets a template without values through: its holes stay as written.
    private static readonly string NoValues = "braces {{kept}} as {written} when nothing fills them";

    // Never thrown, so its text has no stack trace (no path of this machine, no line numbers).
    private static Exception NotThrown() =>
        new InvalidOperationException("disk on fire\nsecond line", new IOException("inner \"quoted\""));

    [LoggerMessage(EventId = 9001, EventName = "Typed", Level = LogLevel.Information,
        Message = "int {Int} long {Long} bool {Bool} double {Double} float {Float} enum {Kind} null {Null} char {Char} decimal {Decimal} byte {Byte} ushort {UShort} uint {UInt}")]
    private static partial void Typed(ILogger logger, int @int, long @long, bool @bool, double @double, float @float, DayOfWeek kind, string? @null,
        char @char, decimal @decimal, byte @byte, ushort uShort, uint uInt);

    [LoggerMessage(EventId = 9002, EventName = "Formatted", Level = LogLevel.Warning,
        Message = "hex {Hex:X4} fixed {Fixed:F2} aligned [{Aligned,8}] date {Date:yyyy-MM-dd}")]
    private static partial void Formatted(ILogger logger, int hex, double @fixed, string aligned, DateTimeOffset date);

    [LoggerMessage(EventId = 9003, EventName = "Seven", Level = LogLevel.Information,
        Message = "{A}{B} {C} {D} {E} {F} {G}")]
    private static partial void Seven(ILogger logger, string a, string b, string c, string d, string e, string f, string g);

    [LoggerMessage(EventId = 9004, EventName = "Numbers", Level = LogLevel.Information,
        Message = "{N1} {N2} {N3} {N4} {N5} {N6} {N7} {N8}")]
    private static partial void Numbers(ILogger logger, int n1, int n2, int n3, int n4, int n5, int n6, long n7, short n8);

    [LoggerMessage(EventId = 9005, EventName = "Repeated", Level = LogLevel.Information, Message = "{Word} {Other}")]
    private static partial void Repeated(ILogger logger, string word, string other);
}
