using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using OpenUM.Server.Logging;

namespace OpenUM.Server.Tests.Logging;

/// <summary>
/// The standard-error lines against Microsoft's own console formatters, configured as the server configured them
/// before it wrote the lines itself: the same bytes for every level, with and without an exception.
/// </summary>
public sealed class StandardErrorFormatTests
{
    private static readonly DateTimeOffset Time = new(2026, 3, 4, 5, 6, 7, 890, TimeSpan.Zero);
    private const string Category = "OpenUM.Server.Test";

    public static TheoryData<StandardErrorFormat, LogLevel, string, bool> Cases()
    {
        var data = new TheoryData<StandardErrorFormat, LogLevel, string, bool>();
        foreach (var format in Enum.GetValues<StandardErrorFormat>())
            foreach (var level in new[] { LogLevel.Trace, LogLevel.Debug, LogLevel.Information, LogLevel.Warning, LogLevel.Error, LogLevel.Critical })
                foreach (string message in new[] { "Call from 192.0.2.7:5061 refused", "two\nlines\r\nand a tab\tmüller ☎ 😀", "" })
                    foreach (bool withException in new[] { false, true })
                        data.Add(format, level, message, withException);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LinesAreTheBytesMicrosoftsConsoleFormatterWrote(StandardErrorFormat format, LogLevel level, string message, bool withException)
    {
        var exception = withException ? Thrown() : null;
        var ours = new StandardErrorLine();
        ours.Format(format, Time, level, Encoding.UTF8.GetBytes(Category), 1021, message, exception);
        byte[] theirs = Encoding.UTF8.GetBytes(Microsofts(format, level, message, exception));
        if (format == StandardErrorFormat.Simple)
        {
            // Their clock is the machine's: the time is compared in shape, the rest byte for byte.
            Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d $", Encoding.ASCII.GetString(theirs, 0, 20));
            Assert.Equal("2026-03-04 05:06:07 ", Encoding.ASCII.GetString(ours.Written[..20]));
            Assert.Equal(theirs[20..], ours.Written[20..].ToArray());
        }
        else
        {
            Assert.Equal(theirs, ours.Written.ToArray());
        }
        Assert.Equal(1, ours.Written.Count((byte)'\n'));
    }

    [Fact]
    public void ALineReadsAsOperatorsAndJournaldExpect()
    {
        var line = new StandardErrorLine();
        line.Format(StandardErrorFormat.Simple, Time, LogLevel.Warning, "OpenUM.Sip"u8, 1021, "Call from 192.0.2.7\nrefused", null);
        Assert.Equal("2026-03-04 05:06:07 warn: OpenUM.Sip[1021] Call from 192.0.2.7 refused\n", Encoding.UTF8.GetString(line.Written));
        line.Format(StandardErrorFormat.Systemd, Time, LogLevel.Error, "OpenUM.Sip"u8, 0, "", new InvalidOperationException("a\nb"));
        Assert.Equal("<3>OpenUM.Sip[0] System.InvalidOperationException: a b\n", Encoding.UTF8.GetString(line.Written));
    }

    [Fact]
    public void AnOverlongLineIsCutOnAWholeCharacterAndSaysHowLongItWas()
    {
        var line = new StandardErrorLine();
        string message = new('é', 50_000); // 100,000 bytes
        line.Format(StandardErrorFormat.Simple, Time, LogLevel.Information, "C"u8, 7, message, null);
        string text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(line.Written);
        int full = "2026-03-04 05:06:07 info: C[7] ".Length + 100_000;
        Assert.EndsWith($"é [truncated by openum: {full} bytes]\n", text);
        Assert.True(line.Length <= StandardErrorLine.MaxLength, $"{line.Length} bytes");
        Assert.Equal(1, line.Written.Count((byte)'\n'));

        // The buffer of that line is not kept for the next one, which is whole again.
        line.Format(StandardErrorFormat.Simple, Time, LogLevel.Information, "C"u8, 7, "short", null);
        Assert.Equal("2026-03-04 05:06:07 info: C[7] short\n", Encoding.UTF8.GetString(line.Written));
    }

    private static Exception Thrown()
    {
        try
        {
            try { throw new IOException("inner\ndetail"); }
            catch (IOException e) { throw new InvalidOperationException("disk on fire", e); }
        }
        catch (InvalidOperationException e)
        {
            return e;
        }
    }

    // What the console logger's formatter writes for one entry, set up as UmHost set it up.
    private static string Microsofts(StandardErrorFormat format, LogLevel level, string message, Exception? exception)
    {
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            b.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
                o.UseUtcTimestamp = true;
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
            b.AddSystemdConsole(o => o.UseUtcTimestamp = true);
        });
        using var provider = services.BuildServiceProvider();
        string name = format == StandardErrorFormat.Simple ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Systemd;
        var formatter = provider.GetServices<ConsoleFormatter>().Single(f => f.Name == name);
        var writer = new StringWriter();
        var entry = new LogEntry<string>(level, Category, new EventId(1021, "Refused"), message, exception, static (s, _) => s);
        formatter.Write(in entry, null, writer);
        return writer.ToString();
    }
}
