using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenUM.Server.Logging;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Server.Tests.Logging;

/// <summary>
/// events.jsonl on a disk that fills up and frees again: every event still reaches the console copy, the lost
/// ones are counted, and the first line written again is preceded by 2063 with the count and the times; no
/// line is ever left half written.
/// </summary>
public class EventLogOutageTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>write(2) that refuses (ENOSPC) while told to, optionally after writing a few bytes of the first refused line.</summary>
    private sealed class FlakyDisk
    {
        public int Refuse { get; set; }
        public int ShortWriteBytes { get; set; }
        public int Calls { get; private set; }

        public nint Write(int fd, ReadOnlySpan<byte> data, out int errno)
        {
            Calls++;
            if (Refuse == 0) return AppendOnlyFile.SystemWrite(fd, data, out errno);
            if (ShortWriteBytes > 0 && data.Length > ShortWriteBytes)
            {
                // The last free blocks take the start of the line; the next call of the same append finds the disk full.
                int n = ShortWriteBytes;
                ShortWriteBytes = 0;
                return AppendOnlyFile.SystemWrite(fd, data[..n], out errno);
            }
            Refuse--;
            errno = AppendOnlyFile.ENoSpc;
            return -1;
        }
    }

    /// <summary>The server's arrangement: the console copy (captured here) and events.jsonl behind one logger factory.</summary>
    private sealed class Server : IDisposable
    {
        public Server(string path, FlakyDisk disk)
        {
            Time = new ManualTime(Start);
            File = new JsonLinesLoggerProvider(path, Time, EventLogRotation.Default, disk.Write);
            Factory = LoggerFactory.Create(b => b.AddProvider(Console).AddProvider(File));
            File.Diagnostics = Factory.CreateLogger(EventLogEvents.Category);
            Logger = Factory.CreateLogger("OpenUM.Test");
        }

        public ManualTime Time { get; }
        public FakeLoggerProvider Console { get; } = new();
        public JsonLinesLoggerProvider File { get; }
        public ILoggerFactory Factory { get; }
        public ILogger Logger { get; }

        /// <summary>Logs event <paramref name="seq"/> one second after the previous one.</summary>
        public void Event(int seq)
        {
            Time.Now = Start + TimeSpan.FromSeconds(seq);
            TestEvents.Numbered(Logger, "serve", seq, "");
        }

        public void Dispose() => Factory.Dispose();
    }

    private static List<JsonElement> Lines(string path) =>
        // JsonDocument.Parse throws on a torn line: every line must be whole JSON.
        [.. System.IO.File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    private static int Id(JsonElement line) => line.GetProperty("id").GetInt32();
    private static int Seq(JsonElement line) => line.GetProperty("properties").GetProperty("seq").GetInt32();
    private static string Prop(JsonElement line, string name) => line.GetProperty("properties").GetProperty(name).ToString();

    [Fact]
    public void EventsLostOnAFullDiskAreCountedAndTheFileRecordsTheGapWhenWritingResumes()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        var disk = new FlakyDisk();
        using var server = new Server(path, disk);
        server.Event(0);
        disk.Refuse = 5; // write attempts: events 1-4, and the 2017 that reports the failure
        for (int seq = 1; seq <= 4; seq++) server.Event(seq);
        Assert.Equal(5, server.File.Missing); // events 1-4 and the 2017 about them

        server.Event(5); // space is back
        Assert.Equal(0, server.File.Missing);
        server.Event(6);

        // The console copy has every event, lost or not.
        Assert.Equal(Enumerable.Range(0, 7), server.Console.Collector.GetSnapshot().Where(e => e.Id.Id == 9001).Select(e => e.Field<int>("Seq")));
        var lines = Lines(path);
        Assert.Equal([9001, 2063, 9001, 9001], lines.Select(Id));
        Assert.Equal([0, 5, 6], lines.Where(l => Id(l) == 9001).Select(Seq));
        var gap = lines[1];
        Assert.Equal("5", Prop(gap, "count"));
        Assert.Equal(Start + TimeSpan.FromSeconds(1), DateTimeOffset.Parse(Prop(gap, "firstLost"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Start + TimeSpan.FromSeconds(4), DateTimeOffset.Parse(Prop(gap, "lastLost"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("No space left on device", Prop(gap, "reason"));
        Assert.Equal("standard error", Prop(gap, "fallback"));
        Assert.Equal("Warning", gap.GetProperty("level").GetString());
        // The gap is written where it happened: after the last event before it, before the first one after it.
        Assert.Equal(Start + TimeSpan.FromSeconds(5), gap.GetProperty("time").GetDateTimeOffset());
        // The console was told too: 2017 when it started, 2063 (once) when it ended.
        Assert.Single(server.Console.Collector.GetSnapshot(), e => e.Id.Id == 2017);
        var told = Assert.Single(server.Console.Collector.GetSnapshot(), e => e.Id.Id == 2063);
        Assert.Equal(5L, told.Field<long>("Count"));
    }

    [Fact]
    public void AFailingDiskCostsOneWriteAttemptPerEventAndNoException()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        var disk = new FlakyDisk();
        using var server = new Server(path, disk);
        server.Event(0);
        disk.Refuse = int.MaxValue;
        server.Event(1); // the first failure also reports 2017 (one more attempt, for that line)
        int before = disk.Calls;
        var firstChance = 0;
        int thread = Environment.CurrentManagedThreadId; // tests of other classes run meanwhile and may throw
        EventHandler<System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs> count = (_, _) =>
        {
            if (Environment.CurrentManagedThreadId == thread) Interlocked.Increment(ref firstChance);
        };
        AppDomain.CurrentDomain.FirstChanceException += count;
        try
        {
            // Within the minute of the first 2017: no other report, so only the events themselves try the disk.
            server.Time.Now = Start + TimeSpan.FromSeconds(2);
            for (int seq = 2; seq < 102; seq++) TestEvents.Numbered(server.Logger, "serve", seq, "");
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= count;
        }
        Assert.Equal(100, disk.Calls - before);
        Assert.Equal(0, firstChance);
        Assert.Equal(102, server.File.Missing);
        disk.Refuse = 0;
        server.Event(200);
        var gap = Lines(path).Single(l => Id(l) == 2063);
        Assert.Equal("102", Prop(gap, "count"));
    }

    [Fact]
    public void AShortWriteIntoTheLastFreeBlocksIsCutOffSoNoLineIsTorn()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        var disk = new FlakyDisk();
        using var server = new Server(path, disk);
        server.Event(0);
        long before = new FileInfo(path).Length;
        disk.Refuse = 3;
        disk.ShortWriteBytes = 17;
        server.Event(1);
        Assert.Equal(before, new FileInfo(path).Length); // the 17 bytes that fitted were taken back
        server.Event(2);
        server.Event(3);
        var lines = Lines(path); // throws on a torn line
        Assert.Equal([9001, 2063, 9001], lines.Select(Id));
        Assert.Equal([0, 3], lines.Where(l => Id(l) == 9001).Select(Seq));
    }

    [Fact]
    public void ADirectoryInPlaceOfTheFileIsWrittenAgainOnceItIsGoneWithoutARestart()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        using var server = new Server(path, new FlakyDisk());
        server.Event(0);
        File.Delete(path);
        System.IO.Directory.CreateDirectory(path); // every open(2) fails (EISDIR), as on a read-only or vanished directory
        for (int seq = 1; seq <= 3; seq++) server.Event(seq);
        System.IO.Directory.Delete(path);
        server.Event(4);
        var lines = Lines(path);
        Assert.Equal([2063, 9001], lines.Select(Id));
        Assert.Equal("4", Prop(lines[0], "count")); // 1-3 and the 2017 about them
        Assert.Equal(Start + TimeSpan.FromSeconds(1), DateTimeOffset.Parse(Prop(lines[0], "firstLost"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Start + TimeSpan.FromSeconds(3), DateTimeOffset.Parse(Prop(lines[0], "lastLost"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("cannot open", Prop(lines[0], "reason"));
        Assert.Equal(Enumerable.Range(0, 5), server.Console.Collector.GetSnapshot().Where(e => e.Id.Id == 9001).Select(e => e.Field<int>("Seq")));
    }

    [Fact]
    public void AFileDeletedWhileTheDiskWasFullIsCreatedAgainAndGetsTheGap()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        var disk = new FlakyDisk();
        using var server = new Server(path, disk);
        server.Event(0);
        disk.Refuse = 2;
        server.Event(1);
        File.Delete(path); // an operator freeing space; the server still holds the old file open
        server.Event(2);
        server.Event(3);
        var lines = Lines(path);
        Assert.Equal(2063, Id(lines[0]));
        Assert.Equal("2", Prop(lines[0], "count")); // event 1 and its 2017
        Assert.Equal([2, 3], lines.Where(l => Id(l) == 9001).Select(Seq));
    }

    [Fact]
    public void AJournalThatComesBackGetsTheGapFirst()
    {
        using var dir = new TempDir();
        string socketPath = dir.File("journal.socket");
        var time = new ManualTime(Start);
        var fallback = new FakeLoggerProvider();
        using var provider = new JournaldLoggerProvider(socketPath, fallback, "standard error", time);
        var logger = provider.CreateLogger("OpenUM.Test");
        for (int seq = 1; seq <= 3; seq++)
        {
            time.Now = Start + TimeSpan.FromSeconds(seq);
            TestEvents.Numbered(logger, "serve", seq, "");
        }
        Assert.Equal(3, fallback.Collector.GetSnapshot().Count(e => e.Id.Id == 9001));

        using var journal = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram,
            System.Net.Sockets.ProtocolType.Unspecified) { ReceiveTimeout = 30_000 };
        journal.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
        time.Now = Start + TimeSpan.FromSeconds(10);
        TestEvents.Numbered(logger, "serve", 4, "");
        var buffer = new byte[64 * 1024];
        var gap = JournalDatagram.Parse(buffer.AsSpan(0, journal.Receive(buffer))).ToDictionary(f => f.Name, f => f.Text);
        var next = JournalDatagram.Parse(buffer.AsSpan(0, journal.Receive(buffer))).ToDictionary(f => f.Name, f => f.Text);
        Assert.Equal("2063", gap["EVENT_ID"]);
        Assert.Equal("3", gap["OPENUM_COUNT"]); // 1-3 (the 2017 about them went to the fallback, not to the journal)
        Assert.Equal(Start + TimeSpan.FromSeconds(1), DateTimeOffset.Parse(gap["OPENUM_FIRST_LOST"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Start + TimeSpan.FromSeconds(3), DateTimeOffset.Parse(gap["OPENUM_LAST_LOST"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("4", next["OPENUM_SEQ"]);
    }

    [Theory]
    [InlineData("2049:81234", 8u, 1u, 81234ul, true)]     // makedev(8, 1) = 2049
    [InlineData("2049:81235", 8u, 1u, 81234ul, false)]
    [InlineData("2050:81234", 8u, 1u, 81234ul, false)]
    [InlineData("garbage", 8u, 1u, 81234ul, false)]
    [InlineData(null, 8u, 1u, 81234ul, false)]
    public void JournalStreamNamesStandardErrorOnlyByItsDeviceAndInode(string? value, uint major, uint minor, ulong inode, bool expected) =>
        Assert.Equal(expected, JournalStream.Names(value, new FileIdentity(major, minor, inode, 0)));
}
