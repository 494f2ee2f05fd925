using System.Globalization;
using System.Text.RegularExpressions;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Server.Storage;

namespace OpenUM.Interop.Tests.Storage;

/// <summary>
/// Back-pressure before loss (issue 12) against the real server and SIPp, as root: the server's spool, maildir and
/// outbox live on a small tmpfs the test fills, frees and remounts read-only. Below the threshold or read-only a new
/// INVITE gets 503 with Retry-After before anything is answered (or, with --storage-full-action Announce, the
/// apology and a BYE); a call in progress is not cut; space returned or a read-write remount brings calls back
/// without a restart. config.db and events.jsonl stay on the ordinary disk: the server holds events.jsonl open for
/// writing, and Linux refuses to remount a filesystem read-only while a file on it is open for writing (EBUSY),
/// which is also why the read-only switch happens during a greeting, before the call's recording is opened.
/// </summary>
public sealed class BackPressureTests(ITestOutputHelper output)
{
    private const long MB = 1024 * 1024;
    private const long FilesystemBytes = 16 * MB;
    private const int MinFreeSpaceMB = 4;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private static readonly string[] OnSmallDisk = ["spool", "maildir", "outbox"];

    [Fact]
    public async Task Full_then_read_only_storage_refuses_new_calls_with_503_keeps_the_call_in_progress_and_resumes_without_restart()
    {
        await using var fs = await SmallFilesystem.CreateAsync(FilesystemBytes);
        await using var mounts = new BindMounts();
        await using var um = new OpenUmProcess(output);
        await mounts.BindAsync(fs.Path, um.DataDir, OnSmallDisk);
        await um.ConfigureStandardAsync();
        await um.CliOkAsync("server", "set", "--min-free-space-mb", MinFreeSpaceMB.ToString(CultureInfo.InvariantCulture));
        await um.StartAsync();
        int pid = um.ServerPid;
        string ulaw = WriteToneFile(mounts.Scratch);
        Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 2060);

        // 1. Below the threshold: 503 + Retry-After before any answer, 2060 (Low) and 2062.
        await fs.FillAsync(leaveFree: 2 * MB);
        var low = await um.WaitForEventAsync(2060, e => e.Property("state") == "Low", HangGuard);
        Assert.Equal(MinFreeSpaceMB * MB, long.Parse(low.Property("thresholdBytes"), CultureInfo.InvariantCulture));
        Assert.True(long.Parse(low.Property("freeBytes"), CultureInfo.InvariantCulture) < MinFreeSpaceMB * MB, low.Raw);
        await AssertRefusedAsync(um);
        var refusal = await um.WaitForEventAsync(2062, null, HangGuard);
        Assert.Contains("503, Retry-After 60", refusal.Property("outcome"), StringComparison.Ordinal);
        Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 2002);

        // 2. Space returned: 2061, and the next call is answered and its message delivered.
        fs.Unfill();
        var back = await um.WaitForEventAsync(2061, null, HangGuard);
        Assert.Equal("Low", back.Property("previousState"));
        await LeaveMessageAsync(um, ulaw, expectedMessages: 1);

        // 3. Read-only during a call: the call goes on to its end (the server's BYE), new calls get 503.
        using var sink = new RtpSink();
        var holder = Sipp.RunAsync(new SippOptions("caller-awaits-bye.xml", um.SipPort, "1000")
        {
            Timeout = TimeSpan.FromSeconds(90),
            Keys = new Dictionary<string, string> { ["rtp_port"] = sink.Port.ToString(CultureInfo.InvariantCulture) },
        }, output);
        await WaitUntilAsync(() => um.ReadEvents().Count(e => e.Id == 2002) == 2, "the second call to be answered", um, holder);
        await SetReadOnlyAsync(fs, readOnly: true);
        // The write probe sees what the mount flag says (EROFS): checked here on a real read-only mount.
        Assert.True(new StatVfsProbe().RefusesWrites(Path.Combine(um.DataDir, "spool")), "no EROFS on the read-only spool");
        var readOnly = await um.WaitForEventAsync(2060, e => e.Property("state") == "ReadOnly", HangGuard);
        Assert.Equal("true", readOnly.Property("readOnly"));
        await AssertRefusedAsync(um);

        var first = await holder;
        Assert.True(first.ExitCode == 0 && first.Successful == 1,
            $"the call in progress did not end with the server's BYE\n{first.Describe()}\n{um.EventsText()}");
        var events = um.ReadEvents().ToList();
        int turned = events.FindIndex(e => e.Id == 2060 && e.Property("state") == "ReadOnly");
        int ended = events.FindLastIndex(e => e.Id == 2003);
        Assert.True(ended > turned, "the call in progress ended before the disk turned read-only: nothing was shown\n" + um.EventsText());
        Assert.Single(um.DeliveredFiles(OpenUmProcess.MailboxAddress));

        // 4. Read-write again: 2061 and calls are taken and recorded by the same process.
        await SetReadOnlyAsync(fs, readOnly: false);
        await um.WaitForEventAsync(2061, e => e.Property("previousState") == "ReadOnly", HangGuard);
        await LeaveMessageAsync(um, ulaw, expectedMessages: 2);
        Assert.Equal(pid, um.ServerPid);
        await um.AssertCleanStopAsync();
    }

    [Fact]
    public async Task Announce_answers_plays_the_apology_hangs_up_and_keeps_no_message()
    {
        await using var fs = await SmallFilesystem.CreateAsync(FilesystemBytes);
        await using var mounts = new BindMounts();
        await using var um = new OpenUmProcess(output);
        await mounts.BindAsync(fs.Path, um.DataDir, OnSmallDisk);
        await um.ConfigureStandardAsync();
        await um.CliOkAsync("server", "set", "--min-free-space-mb", MinFreeSpaceMB.ToString(CultureInfo.InvariantCulture));
        await um.CliOkAsync("dialplan", "set", "Test", "--storage-full-action", "Announce");
        await um.StartAsync();

        await fs.FillAsync(leaveFree: 2 * MB);
        await um.WaitForEventAsync(2060, e => e.Property("state") == "Low", HangGuard);

        using var sink = new RtpSink();
        var call = await Sipp.RunAsync(new SippOptions("caller-awaits-bye.xml", um.SipPort, "1000")
        {
            Timeout = TimeSpan.FromSeconds(60),
            Keys = new Dictionary<string, string> { ["rtp_port"] = sink.Port.ToString(CultureInfo.InvariantCulture) },
        }, output);
        string context = $"{call.Describe()}\n{um.EventsText()}\n{um.ServerOutput}";
        Assert.True(call.ExitCode == 0 && call.Successful == 1, "the call was not answered and then ended by the server's BYE\n" + context);
        Assert.Contains(call.Received(), l => l.StartsWith("SIP/2.0 200", StringComparison.Ordinal));
        Assert.Contains(call.Received(), l => l.StartsWith("BYE ", StringComparison.Ordinal));
        // The apology was sent: a few seconds of it (50 packets a second), not a beep.
        Assert.True(sink.PacketCount > 100, $"{sink.PacketCount} RTP packets heard\n{context}");

        var ended = await um.WaitForEventAsync(2003, null, HangGuard);
        Assert.Contains("announced and hung up", ended.Message, StringComparison.Ordinal);
        var refusal = await um.WaitForEventAsync(2062, null, HangGuard);
        Assert.Contains("announcement", refusal.Property("outcome"), StringComparison.Ordinal);
        Assert.Empty(um.SpoolFiles());
        Assert.Empty(um.AllMaildirFiles());

        fs.Unfill();
        await um.WaitForEventAsync(2061, null, HangGuard);
        await um.AssertCleanStopAsync();
    }

    private async Task AssertRefusedAsync(OpenUmProcess um)
    {
        var sipp = await Sipp.RunAsync(new SippOptions("caller-expects-rejection.xml", um.SipPort, "1000")
        {
            Timeout = TimeSpan.FromSeconds(20),
        }, output);
        string context = $"{sipp.Describe()}\n{um.EventsText()}\n{um.ServerOutput}";
        Assert.True(sipp.ExitCode == 0 && sipp.Successful == 1, "the call was not refused\n" + context);
        Assert.Contains(sipp.Received(), l => l.StartsWith("SIP/2.0 503", StringComparison.Ordinal));
        Assert.Contains("Retry-After: 60", sipp.MessageLog, StringComparison.Ordinal);
        Assert.DoesNotContain(sipp.Received(), l => l.StartsWith("SIP/2.0 200", StringComparison.Ordinal));
    }

    private async Task LeaveMessageAsync(OpenUmProcess um, string ulaw, int expectedMessages)
    {
        var sipp = await Sipp.RunAsync(new SippOptions("caller-records.xml", um.SipPort, "1000")
        {
            PauseMs = (int)(ToneSeconds * 1000) + 1000,
            Timeout = TimeSpan.FromSeconds(60),
            Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw },
        }, output);
        Assert.True(sipp.ExitCode == 0 && sipp.Successful == 1, $"the call was not taken\n{sipp.Describe()}\n{um.EventsText()}\n{um.ServerOutput}");
        // This call's own message, found by its Call-ID. The call cut short by the read-only disk also leaves one, marked
        // incomplete, which the spool retries once the disk is writable: when it lands is the spool's timing, so only the
        // complete messages are counted.
        string callId = Regex.Match(sipp.MessageLog, @"^Call-ID:\s*(\S+)", RegexOptions.Multiline | RegexOptions.IgnoreCase).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(callId), "no Call-ID in SIPp's message log\n" + sipp.Describe());
        var deadline = DateTime.UtcNow + HangGuard;
        string[] complete;
        while (true)
        {
            var texts = um.DeliveredFiles(OpenUmProcess.MailboxAddress).Select(File.ReadAllText).ToList();
            complete = [.. texts.Where(t => !t.Contains("X-OpenUM-Recording-Incomplete:", StringComparison.OrdinalIgnoreCase))];
            if (texts.Any(t => t.Contains("X-OpenUM-CallId: " + callId, StringComparison.Ordinal)))
                break;
            Assert.True(DateTime.UtcNow < deadline, $"no message for call {callId} after the {HangGuard.TotalSeconds:0} s hang guard\n{um.EventsText()}");
            await Task.Delay(250);
        }
        Assert.Equal(expectedMessages, complete.Length);
    }

    private static async Task SetReadOnlyAsync(SmallFilesystem fs, bool readOnly)
    {
        // A delivery finishing its file can hold a write for a moment (EBUSY): try again within the hang guard.
        var deadline = DateTime.UtcNow + HangGuard;
        while (true)
        {
            try { await fs.SetReadOnlyAsync(readOnly); return; }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline) { await Task.Delay(100); }
        }
    }

    // Fails at once, with what SIPp saw, if the caller's SIPp ends before the condition holds.
    private static async Task WaitUntilAsync(Func<bool> condition, string what, OpenUmProcess um, Task<SippResult> caller)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!condition())
        {
            if (caller.IsCompleted)
                Assert.Fail($"the caller's SIPp ended before {what}\n{(await caller).Describe()}\n{um.EventsText()}\n{um.ServerOutput}");
            if (DateTime.UtcNow > deadline) Assert.Fail($"waited in vain for {what}\n{um.EventsText()}\n{um.ServerOutput}");
            await Task.Delay(100);
        }
    }

    // Covers the greeting of 1000 (~7.4 s) and the beep, then a few seconds of recorded tone (not silence, which
    // the recording's idle timeout would end).
    private const int ToneSeconds = 12;

    private static string WriteToneFile(string directory)
    {
        byte[] ulaw = StorageChecks.MuLawTone(ToneSeconds, amplitude: 8000);
        string path = Path.Combine(directory, "caller.ulaw");
        File.WriteAllBytes(path, ulaw);
        return path;
    }

    /// <summary>Directories of the small filesystem bound over a data directory's subdirectories; unbound on dispose.</summary>
    private sealed class BindMounts : IAsyncDisposable
    {
        private readonly List<string> _targets = [];
        private string? _dataDir;

        /// <summary>A private directory for the test's own files (on the ordinary disk).</summary>
        public string Scratch { get; } = System.IO.Directory.CreateTempSubdirectory("openum-backpressure-").FullName;

        public async Task BindAsync(string filesystem, string dataDir, IEnumerable<string> names)
        {
            _dataDir = dataDir;
            foreach (string name in names)
            {
                string source = Path.Combine(filesystem, name), target = Path.Combine(dataDir, name);
                const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
                System.IO.Directory.CreateDirectory(source, OwnerOnly);
                System.IO.Directory.CreateDirectory(target, OwnerOnly);
                var result = await ChildProcess.RunAsync(Peers.Require("mount", "mount"), ["--bind", source, target], TimeSpan.FromSeconds(30));
                if (result.ExitCode != 0) throw new InvalidOperationException("mount --bind failed (the test needs root)\n" + result.Describe());
                _targets.Add(target);
            }
        }

        public async ValueTask DisposeAsync()
        {
            // After the server is gone (disposed first): unbind, then remove what the data directory's own cleanup
            // could not (it stops at a mount point).
            foreach (string target in _targets)
                await ChildProcess.RunAsync(Peers.Require("umount", "mount"), ["-l", target], TimeSpan.FromSeconds(30));
            if (_dataDir is not null && Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
                try { System.IO.Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
            System.IO.Directory.Delete(Scratch, recursive: true);
        }
    }
}
