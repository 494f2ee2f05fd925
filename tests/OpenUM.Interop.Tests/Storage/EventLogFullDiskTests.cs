using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Storage;

/// <summary>
/// Issue 12 check 2: events.jsonl on a filesystem that fills up. The events of that time (refused connections
/// from strangers, 1021, and a call answered and ended, 2002/2003) still reach the server's standard error, and
/// once space returns the first line written to events.jsonl is 2063 with the number of lines it lost.
/// events.jsonl is a symbolic link into a small tmpfs (the way an operator puts the log on a disk of its own), so
/// the data directory with the configuration and the spool stays writable and the call itself is unaffected.
/// Needs root (mount).
/// </summary>
public sealed class EventLogFullDiskTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(20);

    // Each stranger gets an address of its own: 1021 is rate-limited per remote address (one per 10 s).
    private int _nextStranger = 100;

    [Fact]
    public async Task EventsOfAFullLogDiskReachStandardErrorAndTheGapIsCountedWhenSpaceReturns()
    {
        await using var disk = await SmallFilesystem.CreateAsync(1024 * 1024);
        await using var um = new OpenUmProcess(output);
        File.CreateSymbolicLink(Path.Combine(um.DataDir, "events.jsonl"), Path.Combine(disk.Path, "events.jsonl"));
        await um.ConfigureStandardAsync();
        await um.StartAsync();

        // Written while there is space: in the file and on standard error (the file's line may follow the console's by
        // a moment, longer on a loaded machine: waited for).
        string before = await StrangerAsync(um);
        await WaitForAsync(() => InFile(um, before), $"the event of {before} in events.jsonl", um);

        await disk.FillAsync();
        output.WriteLine($"filled: {disk.FreeBytes} bytes free");
        // The last page of events.jsonl may still have room for a few lines: strangers until one is lost.
        var lost = new List<string>();
        string lastInFile = before;
        for (int i = 0; i < 40 && lost.Count == 0; i++)
        {
            string address = await StrangerAsync(um);
            // The console's queue may print a line a moment before the file provider (called after it) has written
            // it: look at the file again a little later before calling the line lost (2 s: the machine may be loaded,
            // e.g. by the test running beside this one; only the one lost line pays the wait in full).
            if (!InFile(um, address)) await Task.Delay(2000);
            if (InFile(um, address)) lastInFile = address; else lost.Add(address);
        }
        Assert.True(lost.Count == 1, "events.jsonl kept taking events on the full filesystem\n" + um.EventsText());

        // More events while full: two strangers and a call answered and ended.
        lost.Add(await StrangerAsync(um));
        lost.Add(await StrangerAsync(um));
        await CallAsync(um);
        await WaitForAsync(() => um.ServerOutput.Contains("[2003]", StringComparison.Ordinal), "the call's event 2003 on standard error", um);
        Assert.Contains("[2002]", um.ServerOutput, StringComparison.Ordinal);
        foreach (string address in lost)
            Assert.False(InFile(um, address), $"the event of {address} is in events.jsonl although the disk was full\n{um.EventsText()}");
        Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 2003);
        Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 2063);

        // Space returns: the next event is preceded by 2063 with the gap.
        disk.Unfill();
        string after = await StrangerAsync(um);
        await WaitForAsync(() => InFile(um, after), $"the event of {after} in events.jsonl once space returned", um);
        var events = um.ReadEvents();
        int gapAt = events.ToList().FindIndex(e => e.Id == 2063);
        int resumedAt = events.ToList().FindIndex(e => e.Id == 1021 && e.Property("remoteAddress") == after);
        Assert.True(gapAt >= 0 && gapAt < resumedAt, $"2063 is not the line before the first event written again\n{um.EventsText()}");
        var gap = events[gapAt];
        output.WriteLine("measured: " + gap.Raw);
        long count = long.Parse(gap.Property("Count"), CultureInfo.InvariantCulture);
        // The gap is exactly what standard error shows between the last event written and the first written again.
        int onStandardError = EventLinesBetween(um.ServerOutput, $"Call from {lastInFile}:", $"Call from {after}:");
        output.WriteLine($"measured: {count} lines lost from events.jsonl, {onStandardError} event lines on standard error meanwhile");
        Assert.True(count == onStandardError, $"2063 counts {count} lost lines; standard error shows {onStandardError}\n{gap.Raw}\n{um.ServerOutput}");
        Assert.True(count >= lost.Count + 2, $"2063 counts {count} lost lines; the strangers and the call's 2002/2003 alone are {lost.Count + 2}");
        Assert.Contains("No space left on device", gap.Property("Reason"), StringComparison.Ordinal);
        var first = DateTimeOffset.Parse(gap.Property("FirstLost"), CultureInfo.InvariantCulture);
        var last = DateTimeOffset.Parse(gap.Property("LastLost"), CultureInfo.InvariantCulture);
        Assert.True(first <= last, gap.Raw);
        // Each lost line was seen on standard error as it happened (StrangerAsync); the 2063 line goes there too.
        // (standard error is written from a queue of its own: it may come a moment after the file's line).
        await WaitForAsync(() => um.ServerOutput.Contains("[2063]", StringComparison.Ordinal), "event 2063 on standard error", um);
        await um.AssertCleanStopAsync();
    }

    // A TCP connection from an address that is no gateway: refused at once, event 1021. Returns the address once its
    // event reached standard error.
    private async Task<string> StrangerAsync(OpenUmProcess um)
    {
        string address = "127.0.0." + (_nextStranger++).ToString(CultureInfo.InvariantCulture);
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
            using var guard = new CancellationTokenSource(HangGuard);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, um.SipPort), guard.Token);
            // The server closes the connection of a stranger: wait for the end of the stream.
            var buffer = new byte[512];
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, guard.Token) > 0) { }
        }
        await WaitForAsync(() => um.ServerOutput.Contains($"Call from {address}:", StringComparison.Ordinal),
            $"event 1021 for {address} on standard error", um);
        return address;
    }

    // Event lines ("2026-12-06 05:56:37 warn: Category[1021] ...") strictly between the lines holding the two markers.
    private static int EventLinesBetween(string text, string from, string to)
    {
        var lines = text.Split('\n');
        int start = Array.FindIndex(lines, l => l.Contains(from, StringComparison.Ordinal));
        int end = Array.FindIndex(lines, l => l.Contains(to, StringComparison.Ordinal));
        Assert.True(start >= 0 && end > start, $"standard error lacks '{from}' before '{to}'\n{text}");
        return lines[(start + 1)..end].Count(l => EventLine.IsMatch(l));
    }

    private static readonly System.Text.RegularExpressions.Regex EventLine =
        new(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+: \S+\[\d+\] ", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static bool InFile(OpenUmProcess um, string address) =>
        um.ReadEvents().Any(e => e.Id == 1021 && e.Property("remoteAddress") == address);

    // One call to mailbox 1000 from the configured gateway: answered, one second of silence, BYE.
    private async Task CallAsync(OpenUmProcess um)
    {
        string work = System.IO.Directory.CreateTempSubdirectory("openum-fulllog-sipp-").FullName;
        try
        {
            string silence = Path.Combine(work, "caller.ulaw");
            File.WriteAllBytes(silence, Enumerable.Repeat((byte)0xFF, 8000).ToArray());
            var call = await Sipp.RunAsync(new SippOptions("caller-records.xml", um.SipPort, "1000")
            {
                PauseMs = 1000,
                Timeout = TimeSpan.FromSeconds(30),
                Files = new Dictionary<string, string> { ["caller.ulaw"] = silence },
            }, output);
            Assert.True(call.ExitCode == 0 && call.Successful == 1, "the call was not answered while the log disk was full\n" + call.Describe() + "\n" + um.ServerOutput);
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what, OpenUmProcess um)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"no {what} within the {HangGuard.TotalSeconds:0} s hang guard\n{um.EventsText()}\n{um.ServerOutput}");
            await Task.Delay(100);
        }
    }
}
