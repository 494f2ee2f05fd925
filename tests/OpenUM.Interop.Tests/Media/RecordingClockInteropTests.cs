using System.Diagnostics;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Media;

/// <summary>
/// A recording is never longer than the call: a gateway whose timestamps leap almost a second per packet (each
/// leap used to be filled with a second of silence), and one that sends 500 ms payloads between normal ones, each
/// leave a message no longer than the time the recording ran. Both calls run at once, one per mailbox.
/// </summary>
public sealed class RecordingClockInteropTests(ITestOutputHelper output)
{
    private const string SecondAddress = "user1001@example.test";

    [Fact]
    public async Task TimestampJumpsAndOversizedPayloadsCannotStretchAMessage()
    {
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        await um.CliOkAsync("mailbox", "new", "--extension", "1001", "--dial-plan", "Test", "--email", SecondAddress, "--display-name", "User 1001");
        await um.StartAsync();
        string work = System.IO.Directory.CreateTempSubdirectory("openum-floods-").FullName;
        try
        {
            // Four seconds of flood into each recording.
            var hold = MediaCalls.GreetingAndBeep + TimeSpan.FromSeconds(4);
            using var jumper = new RtpSender();
            using var stuffer = new RtpSender();
            var jumps = FloodAsync(um, work, jumper, "1000", hold, (k, port) =>
                jumper.Send(port, 0, k == 0, (uint)(k * 8000), MuLaw.Tone(300, k * 160L, 160)));
            var stuffing = FloodAsync(um, work, stuffer, "1001", hold, (k, port) =>
            {
                // Every other packet carries 1000 samples (a datagram the server still reads whole) and says so in
                // its timestamps: more than three times real time.
                int samples = k % 2 == 0 ? 160 : 1000;
                stuffer.Send(port, 0, k == 0, (uint)(k / 2 * 1160 + (k % 2) * 160), MuLaw.Tone(300, 0, samples));
            });
            var results = await Task.WhenAll(jumps, stuffing);

            foreach (var (address, call) in new[] { (OpenUmProcess.MailboxAddress, results[0]), (SecondAddress, results[1]) })
            {
                string[] files = await um.WaitForDeliveriesAsync(address, 1, TimeSpan.FromSeconds(60));
                var mail = VoiceMailFile.Open(Assert.Single(files), address, work);
                var length = PcmWav.Read(mail.WavPath).Duration;
                // The recording ran from the beep to the hang-up: at most the call minus the greeting.
                var bound = call - MediaCalls.GreetingAndBeep + TimeSpan.FromSeconds(1);
                output.WriteLine($"{address}: call {call.TotalSeconds:0.00}s, recording {length.TotalSeconds:0.00}s, bound {bound.TotalSeconds:0.00}s");
                Assert.True(length > TimeSpan.Zero, $"{address}: empty recording");
                Assert.True(length <= bound,
                    $"{address}: the recording lasts {length.TotalSeconds:0.00}s, the call {call.TotalSeconds:0.00}s of which {MediaCalls.GreetingAndBeep.TotalSeconds:0.00}s greeting\n{um.EventsText()}");
            }
            Assert.Contains(um.ReadEvents(), e => e.Id == 2318);
            Assert.Contains(um.ReadEvents(), e => e.Id == 2317 && e.Property("Length") == "1000");
            await um.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    // One SIPp call whose RTP the sender floods from the answer to the hang-up; returns how long the call lasted as
    // the test saw it (from the server's port appearing to SIPp's exit: longer than the server's view of the call).
    private async Task<TimeSpan> FloodAsync(OpenUmProcess um, string work, RtpSender sender, string extension, TimeSpan hold,
        Action<int, int> frame)
    {
        var (run, portFile) = MediaCalls.StartExternal(um, work, sender.Port, hold, output, extension);
        int port = await PortFile.WaitAsync(portFile, run, TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var flood = RtpSender.PaceAsync(k => frame(k, port), stop.Token);
        var sipp = await run;
        var elapsed = clock.Elapsed;
        stop.Cancel();
        await flood;
        MediaCalls.AssertCallSucceeded(sipp, um);
        return elapsed;
    }
}
