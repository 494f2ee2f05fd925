using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Server.Logging;

namespace OpenUM.Server.Tests.Logging;

/// <summary>
/// The standard-error provider's queue with a recording write(2) and a clock the test moves: the flush timer fires
/// only when the test advances it, so what one write carries is certain, not a race.
/// </summary>
public sealed class StandardErrorQueueTests
{
    private const int EPipe = 32;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));

    /// <summary>Every write(2) to descriptor 2, in order; <see cref="Refuse"/> makes the next ones fail; <see cref="MaxPerCall"/> shortens them.</summary>
    private sealed class StandardErrorSpy
    {
        public List<byte[]> Writes { get; } = [];
        public int Refuse { get; set; }
        public int MaxPerCall { get; set; } = int.MaxValue;

        public nint Write(int fd, ReadOnlySpan<byte> data, out int errno)
        {
            Assert.Equal(2, fd);
            if (Refuse > 0)
            {
                Refuse--;
                errno = EPipe;
                return -1;
            }
            errno = 0;
            var taken = data[..Math.Min(data.Length, MaxPerCall)];
            Writes.Add(taken.ToArray());
            return taken.Length;
        }

        public string Text => string.Concat(Writes.Select(w => Encoding.UTF8.GetString(w)));
        public string[] Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private StandardErrorLoggerProvider Provider(StandardErrorSpy spy, StandardErrorFormat format = StandardErrorFormat.Simple,
        int capacity = StandardErrorLoggerProvider.DefaultCapacity) =>
        new(_time, format, "events.jsonl", capacity, spy.Write);

    private static string Padding(int n) => new('x', n);

    [Fact]
    public void LinesQueuedBeforeTheFlushGoOutInOneWriteInTheirOrder()
    {
        var spy = new StandardErrorSpy();
        using var provider = Provider(spy);
        var logger = provider.CreateLogger("OpenUM.Test");
        for (int i = 0; i < 500; i++) TestEvents.Numbered(logger, "serve", i, "");
        _time.Advance(StandardErrorLoggerProvider.FlushDelay - TimeSpan.FromTicks(1));
        Assert.Empty(spy.Writes); // nothing is written per line

        _time.Advance(TimeSpan.FromTicks(1));
        byte[] batch = Assert.Single(spy.Writes);
        string[] lines = Encoding.UTF8.GetString(batch).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"2026-03-04 05:06:07 info: OpenUM.Test[9001] writer serve event {i} "), lines);

        // The next line arms the timer again: a second write, with it alone.
        TestEvents.Numbered(logger, "serve", 500, "");
        _time.Advance(StandardErrorLoggerProvider.FlushDelay);
        Assert.Equal(2, spy.Writes.Count);
        Assert.EndsWith("event 500 \n", Encoding.UTF8.GetString(spy.Writes[1]));
    }

    [Fact]
    public void LinesFromManyThreadsAreWholeAndEachThreadsInOrder()
    {
        var spy = new StandardErrorSpy();
        using var provider = Provider(spy);
        var logger = provider.CreateLogger("OpenUM.Test");
        Parallel.For(0, 4, w =>
        {
            for (int i = 0; i < 1000; i++) TestEvents.Numbered(logger, $"w{w}", i, Padding(w * 10));
        });
        _time.Advance(StandardErrorLoggerProvider.FlushDelay);
        Assert.Single(spy.Writes);
        var lines = spy.Lines;
        Assert.Equal(4000, lines.Length);
        for (int w = 0; w < 4; w++)
        {
            string prefix = $"2026-03-04 05:06:07 info: OpenUM.Test[9001] writer w{w} event ";
            var mine = lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"{prefix}{i} {Padding(w * 10)}"), mine);
        }
    }

    [Fact]
    public void AShortWriteIsFollowedByTheRest()
    {
        var spy = new StandardErrorSpy { MaxPerCall = 100 };
        using var provider = Provider(spy);
        var logger = provider.CreateLogger("OpenUM.Test");
        for (int i = 0; i < 20; i++) TestEvents.Numbered(logger, "serve", i, "");
        _time.Advance(StandardErrorLoggerProvider.FlushDelay);
        Assert.True(spy.Writes.Count > 1);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"2026-03-04 05:06:07 info: OpenUM.Test[9001] writer serve event {i} "), spy.Lines);
    }

    [Fact]
    public void WhenTheQueueIsFullEventsAreDroppedAndTheNextLineSaysHowMany()
    {
        var spy = new StandardErrorSpy();
        int capacity = StandardErrorLine.MaxLength + 1024; // the smallest queue there is
        using var provider = Provider(spy, capacity: capacity);
        var logger = provider.CreateLogger("OpenUM.Test");
        // Lines of 1,000 bytes: 66 fit, the other 134 do not, and nothing waits for room.
        string padding = Padding(1000 - "2026-03-04 05:06:07 info: OpenUM.Test[9001] writer serve event 000 \n".Length);
        for (int i = 100; i < 300; i++) TestEvents.Numbered(logger, "serve", i, padding);
        _time.Advance(TimeSpan.FromSeconds(1));
        byte[] first = Assert.Single(spy.Writes);
        Assert.Equal(66 * 1000, first.Length);
        Assert.True(first.Length <= capacity);
        Assert.EndsWith($"event 165 {padding}\n", Encoding.UTF8.GetString(first));

        TestEvents.Numbered(logger, "serve", 300, "");
        _time.Advance(StandardErrorLoggerProvider.FlushDelay);
        string[] next = Encoding.UTF8.GetString(spy.Writes[1]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, next.Length);
        Assert.Equal("2026-03-04 05:06:08 warn: OpenUM.Server.EventLog[2063] The event log standard error is written again: 134 events " +
            "from 2026-03-04T05:06:07.0000000Z to 2026-03-04T05:06:07.0000000Z are missing from it (the queue of 66560 bytes was full: " +
            "standard error did not keep up); they went to events.jsonl", next[0]);
        Assert.EndsWith("writer serve event 300 ", next[1]);
    }

    [Fact]
    public void TheDropNoteHasTheFormatOfTheLinesAndTheJournalsWarningPriority()
    {
        var spy = new StandardErrorSpy();
        using var provider = Provider(spy, StandardErrorFormat.Systemd, StandardErrorLine.MaxLength + 1024);
        var logger = provider.CreateLogger("OpenUM.Test");
        for (int i = 0; i < 100; i++) TestEvents.Numbered(logger, "serve", i, Padding(2000));
        _time.Advance(StandardErrorLoggerProvider.FlushDelay);
        TestEvents.Numbered(logger, "serve", 100, "");
        _time.Advance(StandardErrorLoggerProvider.FlushDelay);
        string note = Encoding.UTF8.GetString(spy.Writes[1]).Split('\n')[0];
        Assert.StartsWith("<4>OpenUM.Server.EventLog[2063] The event log standard error is written again: ", note);
    }

    [Fact]
    public void LinesAWriteRefusedAreCountedAndReportedWithWhy()
    {
        var spy = new StandardErrorSpy { Refuse = 1 };
        using var provider = Provider(spy);
        var logger = provider.CreateLogger("OpenUM.Test");
        for (int i = 0; i < 3; i++) TestEvents.Numbered(logger, "serve", i, "");
        _time.Advance(StandardErrorLoggerProvider.FlushDelay);
        Assert.Empty(spy.Writes);

        TestEvents.Numbered(logger, "serve", 3, "");
        _time.Advance(StandardErrorLoggerProvider.FlushDelay);
        string[] lines = spy.Lines;
        Assert.Equal(2, lines.Length);
        Assert.Contains("[2063] The event log standard error is written again: 3 events ", lines[0]);
        Assert.Contains($"(write(2) failed: {AppendOnlyFile.Describe(EPipe)})", lines[0]);
        Assert.EndsWith("writer serve event 3 ", lines[1]);
    }

    [Fact]
    public void DisposeWritesWhatIsQueuedAndLaterLinesAreWrittenAtOnce()
    {
        var spy = new StandardErrorSpy();
        var provider = Provider(spy);
        var logger = provider.CreateLogger("OpenUM.Test");
        for (int i = 0; i < 10; i++) TestEvents.Numbered(logger, "serve", i, "");
        Assert.Empty(spy.Writes); // the clock never moves in this test: only Dispose writes them

        provider.Dispose();
        byte[] all = Assert.Single(spy.Writes);
        Assert.Equal(10, all.Count(b => b == (byte)'\n'));

        TestEvents.Numbered(logger, "serve", 10, "");
        Assert.Equal(2, spy.Writes.Count);
        provider.Dispose(); // again: nothing more to write
        Assert.Equal(Enumerable.Range(0, 11).Select(i => $"2026-03-04 05:06:07 info: OpenUM.Test[9001] writer serve event {i} "), spy.Lines);
    }

    [Fact]
    public void TheLoggerFactorysFiltersChooseTheLevels()
    {
        var spy = new StandardErrorSpy();
        var provider = Provider(spy);
        using (var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning).AddProvider(provider)))
        {
            factory.CreateLogger("OpenUM.Test").LogDebug("not this");
            factory.CreateLogger("Microsoft.Hosting").LogInformation("nor this");
            factory.CreateLogger("Microsoft.Hosting").LogWarning("but this");
            factory.CreateLogger("OpenUM.Test").LogInformation("and this");
        }
        provider.Dispose();
        Assert.Equal(["2026-03-04 05:06:07 warn: Microsoft.Hosting[0] but this", "2026-03-04 05:06:07 info: OpenUM.Test[0] and this"], spy.Lines);
    }
}
