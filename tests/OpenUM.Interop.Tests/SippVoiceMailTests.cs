using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests;

/// <summary>Many SIPp callers over one TCP connection leave spoken messages; every one is delivered intact.</summary>
// Runs alone (RunAloneCollection): 50 recording calls at once load the CPU enough to delay a neighbour's real-time audio.
[Collection(RunAloneCollection.Name)]
public sealed class SippVoiceMailTests(ITestOutputHelper output)
{
    // Covers greeting for 1000 (~7.4 s) plus beep and leaves ~2 s of tone in the recording; a tone, not
    // silence, so the recording's idle timeout cannot end it before the speech.
    private const double LeadInSeconds = 10;
    private const int Calls = 50;

    [Fact]
    public async Task Sipp50Calls()
    {
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        await um.StartAsync();

        var clip = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA, LeadInSeconds);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-sipp50-").FullName;
        try
        {
            string ulaw = Path.Combine(work, "caller.ulaw");
            await AudioTools.ToMuLawRawAsync(clip.WavPath, ulaw);
            short[] sent = clip.Samples;
            double clipMs = sent.Length * 1000.0 / RecordingCheck.Rate;

            var sipp = await Sipp.RunAsync(new SippOptions("caller-records.xml", um.SipPort, "1000")
            {
                Transport = "t1",
                Calls = Calls,
                Limit = 25,
                Rate = 5,
                PauseMs = (int)clipMs + 1000,   // BYE one second after the whole clip was streamed
                Timeout = TimeSpan.FromSeconds(150),
                Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw },
            }, output);
            Assert.True(sipp.ExitCode == 0 && sipp.Successful == Calls,
                $"expected {Calls} successful SIPp calls\n{sipp.Describe()}\n{um.EventsText()}\n{um.ServerOutput}");

            // Delivery happens after each call has ended.
            string[] files = await um.WaitForDeliveriesAsync(OpenUmProcess.MailboxAddress, Calls, TimeSpan.FromSeconds(120));
            Assert.Equal(Calls, files.Length);
            Assert.Equal(Calls, um.ReadEvents().Count(e => e.Id == 2001));

            var greetingAndBeep = TimeSpan.FromSeconds(ExpectedPrompts.DefaultGreeting("1000").Length / (double)RecordingCheck.Rate + 0.5);
            double sentSeconds = clipMs / 1000;
            var callers = new HashSet<string>();
            var messageIds = new HashSet<string>();
            foreach (string file in files)
            {
                var mail = VoiceMailFile.Open(file, OpenUmProcess.MailboxAddress, work);
                // Each caller N is "Interop Caller N" <sip:5550N@...> (see caller-records.xml); the
                // [MS-OXCMAIL] voice-mail headers carry the number and the duration in seconds.
                string callerNumber = mail.Message.Headers["X-CallingTelephoneNumber"] ?? "";
                Assert.Matches("^5550[0-9]+$", callerNumber);
                Assert.Equal("Interop Caller " + callerNumber[4..], mail.Message.From.Mailboxes.Single().Name);
                Assert.Contains(callerNumber, mail.Message.Subject, StringComparison.Ordinal);
                Assert.True(callers.Add(callerNumber), $"two messages from caller {callerNumber}");
                Assert.True(messageIds.Add(mail.Message.MessageId ?? ""), $"duplicate Message-Id {mail.Message.MessageId}");
                var a = await RecordingCheck.AssertHoldsAsync(mail, sent, clip, greetingAndBeep, um.EventsText());
                // The caller stopped sending at the end of the clip: the recording ends there too.
                double expected = sentSeconds - a.Offset.TotalSeconds;
                Assert.True(Math.Abs(a.NeedleDuration.TotalSeconds - expected) <= 0.5,
                    $"{file}: recording lasts {a.NeedleDuration.TotalSeconds:0.00}s, the caller sent {expected:0.00}s after the recording started ({a})");
                Assert.True(int.TryParse(mail.Message.Headers["X-VoiceMessageDuration"], out int seconds)
                    && Math.Abs(seconds - a.NeedleDuration.TotalSeconds) <= 1,
                    $"X-VoiceMessageDuration '{mail.Message.Headers["X-VoiceMessageDuration"]}' vs recording {a.NeedleDuration.TotalSeconds:0.00}s");
                output.WriteLine($"{Path.GetFileName(file)} from {callerNumber}: {a}");
            }
            await um.AssertCleanStopAsync();
            Assert.True(um.SpoolFiles().Length == 0, "recordings left in the spool after delivery: " + string.Join(", ", um.SpoolFiles()));
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }
}
