using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests;

/// <summary>A real softphone (baresip) over TCP leaves a message and hears the greeting and the beep.</summary>
public sealed class BaresipVoiceMailTests(ITestOutputHelper output)
{
    private const double LeadInSeconds = 10;

    [Fact]
    public async Task BaresipTcp()
    {
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        await um.StartAsync();

        var micClip = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceB, LeadInSeconds);
        var wrongClip = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceC, LeadInSeconds);
        string mic = micClip.WavPath;
        short[] micSamples = micClip.Samples;
        string work = System.IO.Directory.CreateTempSubdirectory("openum-baresip-test-").FullName;
        try
        {
            string heardPath = Path.Combine(work, "heard.wav");
            var holdFor = TimeSpan.FromSeconds(micSamples.Length / (double)RecordingCheck.Rate + 1);
            var call = await BaresipPhone.CallAsync($"sip:1000@127.0.0.1:{um.SipPort}", mic, holdFor, heardPath, output);
            Assert.True(call.Established, "baresip call not established\n" + call.Describe() + "\n" + um.EventsText());
            Assert.False(call.ClosedByPeer, "the server hung up before baresip did\n" + call.Describe() + "\n" + um.EventsText());

            string[] files = await um.WaitForDeliveriesAsync(OpenUmProcess.MailboxAddress, 1, TimeSpan.FromSeconds(60));
            Assert.Single(files);
            var mail = VoiceMailFile.Open(files[0], OpenUmProcess.MailboxAddress, work);

            // baresip sent the clip and then silence (padding) until it hung up.
            short[] sent = [.. micSamples, .. new short[10 * RecordingCheck.Rate]];
            short[] greeting = ExpectedPrompts.DefaultGreeting("1000");
            var greetingAndBeep = TimeSpan.FromSeconds(greeting.Length / (double)RecordingCheck.Rate + 0.5);
            var a = await RecordingCheck.AssertHoldsAsync(mail, sent, micClip, greetingAndBeep, call.Describe());
            double speechEnd = micSamples.Length / (double)RecordingCheck.Rate;
            Assert.True(a.NeedleDuration.TotalSeconds >= speechEnd - a.Offset.TotalSeconds - 0.5,
                $"recording ({a}) stops before the end of the speech at {speechEnd:0.00}s");

            // Negative control: the same recording against a different sentence must fail the check.
            short[] wrongSent = [.. wrongClip.Samples, .. new short[10 * RecordingCheck.Rate]];
            short[] recorded = PcmWav.Read(mail.WavPath).Mono();
            var control = AudioCompare.Align(wrongSent, recorded, RecordingCheck.Rate, TimeSpan.FromSeconds(0.5),
                wrongClip.SpeechStart, wrongClip.SpeechEnd);
            output.WriteLine($"recording vs sent: {a}\nrecording vs a different sentence: {control}");
            Assert.True(control.Correlation < AudioCompare.SameAudioThreshold, $"negative control scored {control}");

            // What baresip heard: the default greeting, then the 1 kHz beep right after it.
            Assert.True(call.ReceivedWav is not null, "baresip wrote no received audio\n" + call.Describe());
            var heardInfo = await AudioTools.InfoAsync(heardPath);
            Assert.True(heardInfo.SampleRate == 8000 && heardInfo.Channels == 1, $"baresip dump: {heardInfo}");
            short[] heard = PcmWav.Read(heardPath).Mono();
            var g = AudioCompare.Align(heard, greeting, RecordingCheck.Rate, TimeSpan.Zero);
            var (beepStart, beepLength) = AudioCompare.FindTone(heard, RecordingCheck.Rate, 1000);
            var speechBeforeBeep = AudioCompare.ActiveTime(heard.AsSpan(0, Math.Min(heard.Length, (int)(beepStart.TotalSeconds * RecordingCheck.Rate))), RecordingCheck.Rate);
            string heardWhat = $"heard {heard.Length / 8000.0:0.00}s; greeting {g}; beep at {beepStart.TotalSeconds:0.00}s for {beepLength.TotalSeconds:0.00}s; " +
                $"active audio before the beep {speechBeforeBeep.TotalSeconds:0.00}s";
            output.WriteLine(heardWhat);
            Assert.True(g.Correlation > AudioCompare.SameAudioThreshold, "baresip did not hear the default greeting: " + heardWhat);
            Assert.True(beepLength.TotalSeconds >= 0.4, "baresip heard no 1 kHz beep of ~0.5 s: " + heardWhat);
            double greetingEnd = (g.Offset + g.NeedleDuration).TotalSeconds;
            Assert.True(Math.Abs(beepStart.TotalSeconds - greetingEnd) <= 0.3, "the beep does not follow the greeting: " + heardWhat);
            Assert.True(speechBeforeBeep.TotalSeconds >= 2, "less than 2 s of audio before the beep: " + heardWhat);
            await um.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }
}
