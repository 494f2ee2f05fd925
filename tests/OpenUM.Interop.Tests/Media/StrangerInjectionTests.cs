using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Media;

/// <summary>
/// RTP injection: a stranger on the gateway's own host (127.0.0.1), on another port, that starts sending before the
/// real stream and keeps sending, with its own speech and RFC 4733 '#' presses. The message holds the real caller
/// only and runs until the caller hangs up.
/// </summary>
public sealed class StrangerInjectionTests(ITestOutputHelper output)
{
    private const double LeadInSeconds = 8;
    private const string Sentence = "Please call me back tomorrow morning at nine.";
    private const int TelephoneEvent = 101; // as offered by the scenario

    [Fact]
    public async Task AStrangerOnTheGatewaysHostIsNeitherRecordedNorObeyed()
    {
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        await um.StartAsync();
        var real = await SpeechFixtures.GetClipAsync(Sentence, LeadInSeconds);
        var intruding = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceC, LeadInSeconds);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-stranger-").FullName;
        try
        {
            string strangerUlaw = Path.Combine(work, "stranger.ulaw");
            await AudioTools.ToMuLawRawAsync(intruding.WavPath, strangerUlaw);
            byte[] strangerAudio = await File.ReadAllBytesAsync(strangerUlaw);

            // The SDP names 127.0.0.1 and SIPp's media port: the stranger has the right host, not the right port.
            var hold = MediaCalls.StreamDelay + TimeSpan.FromSeconds(real.Samples.Length / (double)RecordingCheck.Rate + 0.5);
            var (run, portFile) = await MediaCalls.StartElsewhereAsync(um, work, real.WavPath, "127.0.0.1", hold, output);
            int serverPort = await PortFile.WaitAsync(portFile, run, TimeSpan.FromSeconds(30));

            using var stranger = new RtpSender();
            using var stop = new CancellationTokenSource();
            // From the answer on, a second before the caller's own stream: 20 ms frames of its speech, and '#'
            // every 400 ms (the stop digit of the recording).
            var intrusion = RtpSender.PaceAsync(k =>
            {
                int offset = k * 160 % (strangerAudio.Length - 160);
                stranger.Send(serverPort, 0, k == 0, (uint)(k * 160), strangerAudio.AsSpan(offset, 160));
                if (k % 20 == 10)
                    stranger.SendKey(serverPort, TelephoneEvent, 11, (uint)(k * 160));
            }, stop.Token);
            var sipp = await run;
            stop.Cancel();
            await intrusion;
            MediaCalls.AssertCallSucceeded(sipp, um);
            output.WriteLine($"the stranger sent {stranger.Sent} packets from 127.0.0.1:{stranger.Port}");

            string[] files = await um.WaitForDeliveriesAsync(OpenUmProcess.MailboxAddress, 1, TimeSpan.FromSeconds(60));
            var mail = VoiceMailFile.Open(Assert.Single(files), OpenUmProcess.MailboxAddress, work);
            var a = await RecordingCheck.AssertHoldsAsync(mail, real.Samples, real, MediaCalls.GreetingAndBeep - MediaCalls.StreamDelay, um.EventsText());

            // Not the stranger's speech (negative control with what it sent, from its first frame).
            short[] recorded = PcmWav.Read(mail.WavPath).Mono();
            var control = AudioCompare.Align(intruding.Samples, recorded, RecordingCheck.Rate, TimeSpan.FromSeconds(0.5),
                intruding.SpeechStart, intruding.SpeechEnd);
            output.WriteLine($"recording vs the caller: {a}\nrecording vs the stranger: {control}");
            Assert.True(control.Correlation < AudioCompare.SameAudioThreshold, $"the recording matches the stranger's audio: {control}");

            // Its '#' did not end the recording: the caller's hang-up did, after all of the caller's speech.
            var stopped = Assert.Single(um.ReadEvents(), e => e.Id == 2305);
            Assert.Equal("Cancelled", stopped.Property("Reason"));
            double speechEnd = real.Samples.Length / (double)RecordingCheck.Rate;
            Assert.True(a.NeedleDuration.TotalSeconds >= speechEnd - a.Offset.TotalSeconds - 0.5,
                $"the recording ({a}) stops before the end of the caller's speech at {speechEnd:0.00}s");

            // The stranger sent first and was learned; the caller's stream from the SDP port took over and kept it.
            var switched = Assert.Single(um.ReadEvents(), e => e.Id == 2316);
            Assert.Equal($"127.0.0.1:{stranger.Port}", switched.Property("Previous"));
            Assert.Contains(um.ReadEvents(), e => e.Id == 2314 && e.Property("Source") == $"127.0.0.1:{stranger.Port}");
            await um.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }
}
