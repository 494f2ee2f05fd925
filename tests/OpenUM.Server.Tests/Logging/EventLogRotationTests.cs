using System.Text.Json;
using OpenUM.Server.Logging;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Server.Tests.Logging;

/// <summary>events.jsonl rotation by size with a retention count, as the server writes it.</summary>
public class EventLogRotationTests
{
    private const string Padding = "0123456789012345678901234567890123456789";

    [Fact]
    public void AFileThatWouldPassTheLimitIsRenamedAndANewOneStarted()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        const long max = 4096;
        using (var provider = new JsonLinesLoggerProvider(path, TimeProvider.System, new EventLogRotation(max, 5)))
        {
            var logger = provider.CreateLogger("test");
            for (int i = 0; i < 30; i++) TestEvents.Numbered(logger, "serve", i, Padding);
        }
        Assert.Contains("events.1.jsonl", dir.Names());
        foreach (string name in dir.Names())
            Assert.True(new FileInfo(dir.File(name)).Length <= max, $"{name} is {new FileInfo(dir.File(name)).Length} bytes, over the {max} limit");
        // Right after the event that did not fit any more, the new file says where the earlier events went.
        using var note = JsonDocument.Parse(File.ReadLines(path).Skip(1).First());
        Assert.Equal(2018, note.RootElement.GetProperty("id").GetInt32());
        Assert.Equal("events.1.jsonl", note.RootElement.GetProperty("properties").GetProperty("rotatedTo").GetString());
        // Nothing lost, nothing twice, in order across the files.
        var seqs = TestEvents.AllLines(path).Select(TestEvents.Parse).OfType<(string, int Seq)>().Select(e => e.Seq).ToList();
        Assert.Equal(Enumerable.Range(0, 30), seqs);
    }

    [Fact]
    public void OnlyTheNewestNRotatedFilesAreKept()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        const int kept = 3;
        using (var provider = new JsonLinesLoggerProvider(path, TimeProvider.System, new EventLogRotation(2048, kept)))
        {
            var logger = provider.CreateLogger("test");
            for (int i = 0; i < 200; i++)
            {
                TestEvents.Numbered(logger, "serve", i, Padding);
                Assert.True(dir.Names().Length <= kept + 1, $"after event {i}: {string.Join(", ", dir.Names())}");
            }
        }
        Assert.Equal(["events.1.jsonl", "events.2.jsonl", "events.3.jsonl", "events.jsonl"], dir.Names());
        var seqs = TestEvents.AllLines(path).Select(TestEvents.Parse).OfType<(string, int Seq)>().Select(e => e.Seq).ToList();
        Assert.Equal(199, seqs[^1]); // the newest stay
        Assert.True(seqs[0] > 100, $"the oldest kept event is {seqs[0]}: old files were not deleted");
        Assert.Equal(Enumerable.Range(seqs[0], seqs.Count), seqs); // the oldest go, as a block, with no gap in between
    }

    [Fact]
    public void FilesBeyondALoweredRetentionAreDeletedAtTheNextRotation()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        foreach (int n in new[] { 1, 2, 5, 9 }) File.WriteAllText(EventLogFiles.RotatedPath(path, n), "{}\n");
        using (var provider = new JsonLinesLoggerProvider(path, TimeProvider.System, new EventLogRotation(1024, 2)))
        {
            var logger = provider.CreateLogger("test");
            for (int i = 0; i < 12; i++) TestEvents.Numbered(logger, "serve", i, Padding);
        }
        Assert.Equal(["events.1.jsonl", "events.2.jsonl", "events.jsonl"], dir.Names());
    }

    [Fact]
    public void TheRotationIsReportedToDiagnosticsWithWhatWasDeleted()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        var diagnostics = new FakeLogger();
        using (var provider = new JsonLinesLoggerProvider(path, TimeProvider.System, new EventLogRotation(1024, 1)) { Diagnostics = diagnostics })
        {
            var logger = provider.CreateLogger("test");
            for (int i = 0; i < 20; i++) TestEvents.Numbered(logger, "serve", i, Padding);
        }
        var rotations = diagnostics.Collector.GetSnapshot().Where(e => e.Id.Id == 2018).ToList();
        Assert.True(rotations.Count >= 2, $"{rotations.Count} rotation events");
        Assert.Equal("", rotations[0].Field<string>("Deleted")); // nothing to delete the first time
        Assert.Contains("events.1.jsonl", rotations[^1].Field<string>("Deleted"));
    }

    [Fact]
    public void ARenameByAnotherProcessIsFollowedWithinTheCheckIntervalAndNoLineIsLost()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        var time = new ManualTime(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var provider = new JsonLinesLoggerProvider(path, time, EventLogRotation.Default);
        var logger = provider.CreateLogger("test");
        TestEvents.Numbered(logger, "serve", 1, "");
        File.Move(path, dir.File("moved.jsonl")); // e.g. an operator's logrotate
        // The path is not looked at for every line: the rest of this second goes, whole, to the file under its new name.
        TestEvents.Numbered(logger, "serve", 2, "");
        time.Now += EventFileAppender.PathCheckInterval;
        TestEvents.Numbered(logger, "serve", 3, "");
        TestEvents.Numbered(logger, "serve", 4, "");
        Assert.Equal([1, 2], File.ReadAllLines(dir.File("moved.jsonl")).Select(TestEvents.Parse).Select(e => e!.Value.Seq));
        Assert.Equal([3, 4], File.ReadAllLines(path).Select(TestEvents.Parse).Select(e => e!.Value.Seq));
    }

    [Fact]
    public void ACommandsLinesCountTowardsTheLimitFromTheNextPathCheckOn()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        var time = new ManualTime(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        const long max = 4096;
        using var provider = new JsonLinesLoggerProvider(path, time, new EventLogRotation(max, 5));
        var logger = provider.CreateLogger("test");
        TestEvents.Numbered(logger, "serve", 0, "");
        // Another writer fills the file almost to the limit: the server's own count does not know it yet.
        using (var cli = new JsonLinesLoggerProvider(path, TimeProvider.System))
            for (int i = 0; i < 40 && new FileInfo(path).Length < max - 200; i++) TestEvents.Numbered(cli.CreateLogger("test"), "cli", i, Padding);
        TestEvents.Numbered(logger, "serve", 1, Padding);
        Assert.DoesNotContain("events.1.jsonl", dir.Names());
        time.Now += EventFileAppender.PathCheckInterval;
        TestEvents.Numbered(logger, "serve", 2, Padding);
        TestEvents.Numbered(logger, "serve", 3, Padding);
        Assert.Contains("events.1.jsonl", dir.Names());
        var seqs = TestEvents.AllLines(path).Select(TestEvents.Parse).OfType<(string Writer, int Seq)>().Where(e => e.Writer == "serve").Select(e => e.Seq);
        Assert.Equal([0, 1, 2, 3], seqs);
    }

    [Fact]
    public void ALineCutShortBeforeIsEndedSoTheNextEventStaysReadable()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        File.WriteAllText(path, "{\"time\":\"2026-01-01T00:00:00Z\",\"id\":1037,\"mess"); // a crash in the middle of a write
        using (var provider = new JsonLinesLoggerProvider(path, TimeProvider.System, EventLogRotation.Default))
            TestEvents.Numbered(provider.CreateLogger("test"), "serve", 7, "");
        using (var cli = new JsonLinesLoggerProvider(path, TimeProvider.System))
            TestEvents.Numbered(cli.CreateLogger("test"), "cli", 8, "");
        string[] lines = File.ReadAllLines(path);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("{\"time\":\"2026-01-01T00:00:00Z\",\"id\":1037,\"mess", lines[0]);
        Assert.Equal(("serve", 7), TestEvents.Parse(lines[1]));
        Assert.Equal(("cli", 8), TestEvents.Parse(lines[2]));
    }

    [Fact]
    public void AWriteFailureIsReportedOnceAMinuteWithTheCountOfEventsNotWritten()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        var time = new ManualTime(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var diagnostics = new FakeLogger();
        using var provider = new JsonLinesLoggerProvider(path, time, EventLogRotation.Default) { Diagnostics = diagnostics };
        var logger = provider.CreateLogger("test");
        TestEvents.Numbered(logger, "serve", 0, "");
        // The file becomes a directory: every open fails, as on a full or read-only disk.
        File.Delete(path);
        System.IO.Directory.CreateDirectory(path);
        time.Now += EventFileAppender.PathCheckInterval; // noticed at the next look at the path
        for (int i = 1; i <= 3; i++) TestEvents.Numbered(logger, "serve", i, "");
        time.Now += TimeSpan.FromSeconds(61);
        TestEvents.Numbered(logger, "serve", 4, "");
        var failures = diagnostics.Collector.GetSnapshot().Where(e => e.Id.Id == 2017).ToList();
        Assert.Equal(2, failures.Count);
        Assert.Equal(1, failures[0].Field<int>("Count"));
        Assert.Equal(3, failures[1].Field<int>("Count")); // events 2, 3 and 4
        Assert.Contains("events.jsonl", failures[0].Message);
    }
}
