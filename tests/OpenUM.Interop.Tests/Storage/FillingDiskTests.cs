using System.Text.RegularExpressions;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Storage;

/// <summary>
/// An operator's bad day (issue 12): the whole data directory (store, events.jsonl, spool, maildir) on a small tmpfs
/// that sixteen concurrent callers fill while they speak. Every call either leaves a message, delivered once space
/// returns (marked incomplete when its recording hit the full disk), or is refused with 503 before anything is
/// answered; none is lost, no file of a finished call stays open, and the events the full disk kept out of
/// events.jsonl went to standard error and are counted in 2063 once it can be written again. Needs root.
/// </summary>
// Runs alone (RunAloneCollection): sixteen recording calls at once on a filling disk, enough CPU to delay a neighbour's
// real-time audio.
[Collection(RunAloneCollection.Name)]
public sealed partial class FillingDiskTests(ITestOutputHelper output)
{
    private const long MB = 1024 * 1024;
    private const int Calls = 16;
    private const int ToneSeconds = 15;

    [Fact]
    public async Task Sixteen_concurrent_messages_on_a_filling_disk_are_each_delivered_or_refused_with_503_and_none_is_lost()
    {
        await using var fs = await SmallFilesystem.CreateAsync(6 * MB);
        await using var um = new OpenUmProcess(output);
        um.PutDataDirectoryOn(fs.Path);
        await um.ConfigureStandardAsync();
        // A fixed threshold: the automatic one (room for a 20-minute recording per call) is more than this disk holds.
        await um.CliOkAsync("server", "set", "--min-free-space-mb", "1");
        await um.StartAsync();
        string spool = Path.Combine(fs.Path, "spool"), maildir = Path.Combine(fs.Path, "maildir");

        string work = System.IO.Directory.CreateTempSubdirectory("openum-filling-").FullName;
        try
        {
            string ulaw = Path.Combine(work, "caller.ulaw");
            await File.WriteAllBytesAsync(ulaw, StorageChecks.MuLawTone(ToneSeconds));
            // 1.05 MB left and a caller a second: the first calls are taken; a few seconds of their recordings (16 kB/s
            // each) take the disk below the 1 MB threshold, so later callers are refused, and the five or more calls
            // already taken need more than is left, so they run into the full disk.
            await fs.FillAsync(leaveFree: MB + MB / 20);
            var sipp = await Sipp.RunAsync(new SippOptions("caller-records-or-refused.xml", um.SipPort, "1000")
            {
                Calls = Calls, Limit = Calls, Rate = 1,
                Timeout = TimeSpan.FromSeconds(ToneSeconds + 90),
                Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw },
            }, output);
            string log = um.ServerStdErr;

            // Every call ended as the scenario allows: answered and hung up by the server, or 503 before any answer.
            Assert.True(sipp.ExitCode == 0 && sipp.Successful == Calls, $"not every call ended normally\n{sipp.Describe()}\n{um.ServerOutput}");
            // SIPp receives only the answers to its INVITEs: 200 (then the server's BYE) or 503.
            int answered = sipp.Received().Count(l => l.StartsWith("SIP/2.0 200", StringComparison.Ordinal));
            int refused = sipp.Received().Count(l => l.StartsWith("SIP/2.0 503", StringComparison.Ordinal));
            Assert.Equal(answered, Count(log, 2002));
            output.WriteLine($"{answered} calls answered, {refused} refused with 503; {Count(log, 2064)} recordings incomplete");
            Assert.Equal(Calls, answered + refused);
            Assert.True(refused > 0, "no call was refused: the disk never crossed the threshold\n" + um.ServerOutput);
            Assert.True(Count(log, 2064) > 0, "no recording ran into the full disk\n" + um.ServerOutput);
            Assert.Equal(0, Count(log, 2005)); // no call failed
            Assert.Equal(0, Count(log, 2066)); // nothing lost

            // The refusals and truncations reached standard error although events.jsonl could not take them.
            Assert.Contains("[2062]", log);
            Assert.Contains("[2064]", log);

            // Every call is over: none of its files is still open.
            var open = StorageChecks.OpenFilesUnder(um.ServerPid, spool, maildir);
            Assert.True(open.Count == 0, "the server holds files of finished calls open: " + string.Join(", ", open));

            // Space returns (the filler goes and the disk grows): every answered call's message is delivered.
            fs.Unfill();
            await fs.ResizeAsync(64 * MB);
            string[] delivered = await um.WaitForDeliveriesAsync(OpenUmProcess.MailboxAddress, answered, TimeSpan.FromSeconds(180));
            Assert.Equal(answered, delivered.Length);
            var callers = new HashSet<string>(StringComparer.Ordinal);
            int incomplete = 0;
            foreach (string file in delivered)
            {
                using var mail = await MimeKit.MimeMessage.LoadAsync(file);
                Assert.True(callers.Add(mail.Subject ?? ""), $"two messages for one call: {mail.Subject}");
                if (mail.Headers["X-OpenUM-Recording-Incomplete"] is not null) incomplete++;
            }
            output.WriteLine($"{delivered.Length} messages delivered, {incomplete} marked incomplete");
            Assert.True(incomplete > 0, "no delivered message says it is incomplete, although recordings hit the full disk");
            await WaitForAsync(() => um.SpoolFiles().Length == 0, "an empty spool after delivery", um);

            // events.jsonl is written again, and says how many lines it missed.
            var resumed = await um.WaitForEventAsync(2063, null, TimeSpan.FromSeconds(60));
            output.WriteLine("2063: " + resumed.Message);
            Assert.True(int.Parse(resumed.Property("count"), System.Globalization.CultureInfo.InvariantCulture) > 0, resumed.Raw);
            Assert.Empty(StorageChecks.OpenFilesUnder(um.ServerPid, spool, maildir));
            await um.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    private static int Count(string serverOutput, int eventId) =>
        Regex.Matches(serverOutput, @"\[" + eventId + @"\]").Count;

    private static async Task WaitForAsync(Func<bool> probe, string what, OpenUmProcess um)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!probe())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"no {what} within the 60 s hang guard\n{um.ServerOutput}");
            await Task.Delay(100);
        }
    }
}
