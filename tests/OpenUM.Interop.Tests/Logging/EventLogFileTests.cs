using System.Text;
using System.Text.Json;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Logging;

/// <summary>`openum serve` rotating events.jsonl, `openum events` reading across the files, and the options' checks.</summary>
public sealed class EventLogFileTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ServeRotatesAFullLogAndEventsReadsAcrossTheFiles()
    {
        await using var um = new OpenUmProcess(output);
        string events = Path.Combine(um.DataDir, "events.jsonl");
        // Just over 1 MB of earlier events, so the server's first event does not fit any more.
        const int earlier = 4000;
        var text = new StringBuilder();
        for (int i = 0; i < earlier; i++)
            text.Append($"{{\"time\":\"2026-01-01T00:00:00+00:00\",\"id\":9001,\"level\":\"Information\",\"name\":\"Earlier\",\"message\":\"earlier {i}\",\"properties\":{{\"seq\":{i},\"padding\":\"{new string('p', 200)}\"}}}}\n");
        await File.WriteAllTextAsync(events, text.ToString());
        Assert.True(new FileInfo(events).Length > 1024 * 1024);

        int sipPort = TestPorts.FreeListenerPort();
        var rtp = TestPorts.RtpRange(50);
        await using var serve = ChildProcess.Start(JournaldInteropTests.DotNet, [JournaldInteropTests.OpenUmDll, "serve",
            "--event-log-max-size", "1", "--event-log-files", "2", "--sip-tcp-port", sipPort.ToString(),
            "--rtp-ports", $"{rtp.First}-{rtp.Last}", "--listen-address", "127.0.0.1", "--data-dir", um.DataDir]);
        await um.WaitForEventAsync(1114, null, HangGuard);

        string rotated = Path.Combine(um.DataDir, "events.1.jsonl");
        Assert.True(File.Exists(rotated), "no events.1.jsonl after the server wrote into a full events.jsonl");
        Assert.StartsWith("{\"time\":\"2026-01-01T00:00:00+00:00\",\"id\":9001", File.ReadLines(rotated).First());
        var note = Assert.Single(um.ReadEvents(), e => e.Id == 2018);
        Assert.Equal("events.1.jsonl", note.Property("rotatedTo"));
        Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 9001);
        // The console (standard error) hears of it too, from a queue of its own: a moment after the file, longer on a
        // loaded machine (seen empty at this point with a test running beside this one).
        var heard = DateTime.UtcNow + HangGuard;
        while (!serve.StdErr.Contains("[2018]", StringComparison.Ordinal) && DateTime.UtcNow < heard) await Task.Delay(100);
        Assert.Contains("[2018]", serve.StdErr);

        // --last spans the rotation: the newest earlier events, then the server's.
        var last = await um.CliOkAsync("events", "--json", "--last", "0");
        var all = JsonDocument.Parse(last.StdOut).RootElement.EnumerateArray().ToList();
        var seqs = all.Where(e => e.GetProperty("id").GetInt32() == 9001).Select(e => e.GetProperty("properties").GetProperty("seq").GetInt32());
        Assert.Equal(Enumerable.Range(0, earlier), seqs);
        int firstServer = all.FindIndex(e => e.GetProperty("id").GetInt32() != 9001);
        Assert.Equal(earlier, firstServer); // oldest file first
        var tail = await um.CliOkAsync("events", "--json", "--last", "5");
        var five = JsonDocument.Parse(tail.StdOut).RootElement.EnumerateArray().ToList();
        Assert.Equal(5, five.Count);
        Assert.Equal(all[^5..].Select(e => e.GetRawText()), five.Select(e => e.GetRawText()));

        serve.Terminate();
        Assert.True(await serve.WaitForExitAsync(TimeSpan.FromSeconds(30)), "serve did not stop on SIGTERM");
        Assert.Equal(0, serve.ExitCode);
    }

    [Theory]
    [InlineData("--event-log-max-size", "0", "outside 1-1024")]
    [InlineData("--event-log-max-size", "2048", "outside 1-1024")]
    [InlineData("--event-log-max-size", "ten", "not a whole number")]
    [InlineData("--event-log-files", "0", "outside 1-100")]
    [InlineData("--event-log-files", "101", "outside 1-100")]
    [InlineData("--log-target", "syslog", "use file")]
    public async Task BadOptionsAreRefusedNamingTheOption(string option, string value, string expected)
    {
        await using var um = new OpenUmProcess(output);
        var result = await um.CliAsync("serve", option, value, "--sip-tcp-port", "0");
        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Contains($"error: {option}: ", result.StdErr);
        Assert.Contains(expected, result.StdErr);
        Assert.False(File.Exists(Path.Combine(um.DataDir, "events.jsonl")), "a refused start must not write events");
    }
}
