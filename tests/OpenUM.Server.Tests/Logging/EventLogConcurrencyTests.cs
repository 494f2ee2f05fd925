using System.Text;
using OpenUM.Server.Logging;

namespace OpenUM.Server.Tests.Logging;

/// <summary>
/// The server rotates events.jsonl while CLI commands append to it: no line may be lost, duplicated,
/// torn or interleaved, whatever the timing.
/// </summary>
public class EventLogConcurrencyTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ServerAndCommandsAppendingDuringRotationsLoseAndTearNothing()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        const int serverEvents = 3000, commandEvents = 1000, rawLines = 1000;
        // Small files so that rotations are frequent, and enough of them kept that nothing is deleted.
        using var server = new JsonLinesLoggerProvider(path, TimeProvider.System, new EventLogRotation(32 * 1024, 100));
        using var start = new Barrier(3);
        var serve = Task.Run(() =>
        {
            var logger = server.CreateLogger("OpenUM.Server");
            start.SignalAndWait();
            for (int i = 0; i < serverEvents; i++) TestEvents.Numbered(logger, "serve", i, "call");
        });
        var command = Task.Run(() =>
        {
            // As CLI commands write: a provider per command, one open-append-close per event.
            start.SignalAndWait();
            for (int i = 0; i < commandEvents; i++)
            {
                using var cli = new JsonLinesLoggerProvider(path, TimeProvider.System);
                TestEvents.Numbered(cli.CreateLogger("OpenUM.Cli"), "cli", i, "audit");
            }
        });
        var raw = Task.Run(() =>
        {
            // A bare appender (O_APPEND, one write per line) with lines long enough to be torn if writes interleaved.
            start.SignalAndWait();
            string filler = new('x', 3000);
            for (int i = 0; i < rawLines; i++)
            {
                using var file = AppendOnlyFile.Open(path);
                file.Append(Encoding.UTF8.GetBytes(
                    $"{{\"id\":9001,\"properties\":{{\"writer\":\"raw\",\"seq\":{i},\"filler\":\"{filler}\"}}}}\n"));
            }
        });
        var all = Task.WhenAll(serve, command, raw);
        Assert.True(await Task.WhenAny(all, Task.Delay(HangGuard)) == all, "the writers did not finish within the hang guard");
        await all;

        Assert.True(EventLogFiles.RotatedNumbers(path).Count >= 10, $"only {EventLogFiles.RotatedNumbers(path).Count} rotations: the test proves little");
        var lines = TestEvents.AllLines(path);
        var seen = new Dictionary<string, List<int>> { ["serve"] = [], ["cli"] = [], ["raw"] = [] };
        foreach (string line in lines)
        {
            // A writer that looks at the end while another's line is half-copied starts on a new line to be
            // safe: an empty line, which readers skip. What must never occur is a line that is not JSON.
            if (line.Length == 0) continue;
            (string Writer, int Seq)? e;
            try
            {
                e = TestEvents.Parse(line);
            }
            catch (System.Text.Json.JsonException)
            {
                Assert.Fail($"a torn or interleaved line: {line[..Math.Min(line.Length, 300)]}");
                return;
            }
            if (e is { } ev) seen[ev.Writer].Add(ev.Seq);
        }
        // Every event exactly once, and each writer's events in its own order when read oldest file first.
        Assert.Equal(Enumerable.Range(0, serverEvents), seen["serve"]);
        Assert.Equal(Enumerable.Range(0, commandEvents), seen["cli"]);
        Assert.Equal(Enumerable.Range(0, rawLines), seen["raw"]);
    }

    [Fact]
    public async Task ServerThreadsLoggingAtOnceEachGetWholeLinesInTheirOwnOrder()
    {
        // The server's threads format their lines at the same time (each in its own buffer) and queue only to append.
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        const int threads = 4, perThread = 1500;
        using var server = new JsonLinesLoggerProvider(path, TimeProvider.System, new EventLogRotation(64 * 1024, 200));
        var logger = server.CreateLogger("OpenUM.Server");
        using var start = new Barrier(threads);
        var writers = Enumerable.Range(0, threads).Select(t => Task.Run(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < perThread; i++) TestEvents.Numbered(logger, $"thread{t}", i, new string((char)('a' + t), 40 + i % 200));
        })).ToArray();
        var all = Task.WhenAll(writers);
        Assert.True(await Task.WhenAny(all, Task.Delay(HangGuard)) == all, "the writers did not finish within the hang guard");
        await all;

        var seen = Enumerable.Range(0, threads).ToDictionary(t => $"thread{t}", _ => new List<int>());
        foreach (string line in TestEvents.AllLines(path))
        {
            // Parse throws on a torn line; the rotation notes (2018) are other events.
            if (TestEvents.Parse(line) is { } e) seen[e.Writer].Add(e.Seq);
        }
        foreach (var (writer, seqs) in seen)
            Assert.True(Enumerable.Range(0, perThread).SequenceEqual(seqs), $"{writer}: {seqs.Count} events, not 0..{perThread - 1} in order");
    }

    [Fact]
    public async Task WithFewFilesKeptTheCountNeverExceedsNPlusOneAndNoLineIsTorn()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        const int kept = 2;
        using var server = new JsonLinesLoggerProvider(path, TimeProvider.System, new EventLogRotation(8 * 1024, kept));
        var serve = Task.Run(() =>
        {
            var logger = server.CreateLogger("OpenUM.Server");
            for (int i = 0; i < 2000; i++) TestEvents.Numbered(logger, "serve", i, "call");
        });
        var command = Task.Run(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                using var cli = new JsonLinesLoggerProvider(path, TimeProvider.System);
                TestEvents.Numbered(cli.CreateLogger("OpenUM.Cli"), "cli", i, "audit");
            }
        });
        var all = Task.WhenAll(serve, command);
        Assert.True(await Task.WhenAny(all, Task.Delay(HangGuard)) == all, "the writers did not finish within the hang guard");
        await all;

        Assert.Equal(["events.1.jsonl", "events.2.jsonl", "events.jsonl"], dir.Names());
        var serveSeqs = new List<int>();
        foreach (string line in TestEvents.AllLines(path))
            if (TestEvents.Parse(line) is { Writer: "serve" } e) serveSeqs.Add(e.Seq);
        // The newest events are all there, contiguous: only whole old files went.
        Assert.Equal(1999, serveSeqs[^1]);
        Assert.Equal(Enumerable.Range(serveSeqs[0], serveSeqs.Count), serveSeqs);
    }
}
