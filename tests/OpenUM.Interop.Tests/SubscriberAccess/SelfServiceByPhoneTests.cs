using System.Text.Json;
using OpenUM.Calls;
using OpenUM.Directory;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.SubscriberAccess;

/// <summary>
/// Issue 16 must-show 3, one server run: after `openum mailbox reset-pin` baresip (RFC 4733 keys) must choose a new
/// PIN; one breaking the policy is refused by voice, a good one accepted; then it records its greeting by phone,
/// hears it back and accepts it. The next caller hears that greeting (what baresip said); with `mailbox set --away
/// true` the away greeting replaces it.
/// </summary>
public sealed class SelfServiceByPhoneTests(ITestOutputHelper output)
{
    private const string AccessNumber = "8000";
    private const string BadPin = "111111";   // one digit repeated: the default policy refuses common patterns
    private const string NewPin = "593028";
    // About 2.5 s each: the greeting said by phone, and the away greeting.
    private const string Said = "Seven large ships sailed north across the cold grey sea.";
    private const string AwaySaid = "My grandmother keeps three orange cats and an old piano.";
    private const double Gap = 0.6;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ForcedPinChangeThenAGreetingRecordedByPhoneIsHeardByTheNextCaller_AndTheAwayGreetingWhileSet()
    {
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        await um.CliOkAsync("dialplan", "set", "Test", "--access-telephone-numbers", AccessNumber);
        var reset = await um.CliOkAsync("mailbox", "reset-pin", "--dial-plan", "Test", "--extension", "1000", "--json");
        string resetPin = JsonDocument.Parse(reset.StdOut).RootElement.GetProperty("pin").GetString()!;
        await um.StartAsync();

        string work = System.IO.Directory.CreateTempSubdirectory("openum-selfservice-test-").FullName;
        try
        {
            // The microphone says the sentence again and again, so whatever the recording's start, it holds it whole.
            var said = await SpeechFixtures.GetClipAsync(Said);
            string mic = Path.Combine(work, "mic.wav");
            short[] period = [.. said.Samples, .. new short[(int)(Gap * RecordingCheck.Rate)]];
            PcmWav.WriteMono(mic, Enumerable.Repeat(period, 20).SelectMany(p => p).ToArray(), RecordingCheck.Rate);
            var window = TimeSpan.FromSeconds(period.Length / (double)RecordingCheck.Rate) + said.SpeechEnd + TimeSpan.FromSeconds(0.4);

            string greetings = Path.Combine(um.DataDir, GreetingStore.FolderName);
            bool Logged(int id) => um.ReadEvents().Any(e => e.Id == id);
            DateTime? recordingSeen = null, stoppedAt = null, heardAt = null;
            bool Recording()
            {
                if (recordingSeen is null && System.IO.Directory.Exists(greetings) && System.IO.Directory.GetFiles(greetings, ".recording-*").Length > 0)
                    recordingSeen = DateTime.UtcNow;
                return recordingSeen is { } at && DateTime.UtcNow - at > window && (stoppedAt = DateTime.UtcNow) is not null;
            }
            bool ReviewHeard() => stoppedAt is { } at && DateTime.UtcNow - at > TimeSpan.FromSeconds(1.5) && (heardAt = DateTime.UtcNow) is not null;
            // The take plays back for about the window; 2 once it has (a key would cut it short).
            bool TakeHeard() => heardAt is { } at && DateTime.UtcNow - at > window + TimeSpan.FromSeconds(1.5);

            // Call 1: logon with the reset PIN; the bad PIN (twice) once asked for a new one (2083); the good one (twice)
            // once the refusal was logged (2085), then 6 personal options, 2 record the greeting; # ends the recording;
            // 1 hears it, 2 accepts it. The phone hangs up once it was stored (2086).
            string heard1 = Path.Combine(work, "heard1.wav");
            var far = TimeSpan.FromSeconds(55);
            var call = await BaresipPhone.CallAsync($"sip:{AccessNumber}@127.0.0.1:{um.SipPort}", mic, TimeSpan.FromSeconds(60), heard1, output,
                dtmf: new BaresipDtmf("1000#" + resetPin + "#", TimeSpan.FromSeconds(1))
                {
                    Then = new BaresipDtmf(BadPin + "#" + BadPin + "#", far) { When = () => Logged(2083),
                    Then = new BaresipDtmf(NewPin + "#" + NewPin + "#62", far) { When = () => Logged(2085),
                    Then = new BaresipDtmf("#", far) { When = Recording,
                    Then = new BaresipDtmf("1", far) { When = ReviewHeard,
                    Then = new BaresipDtmf("2", far) { When = TakeHeard } } } } },
                }, hangUpWhen: () => Logged(2086));
            Assert.True(call.Established, "baresip call not established\n" + call.Describe() + "\n" + um.EventsText());

            var refused = await um.WaitForEventAsync(2085, null, HangGuard);
            Assert.Contains("common patterns", refused.Property("Reason"));
            Assert.Equal("True", (await um.WaitForEventAsync(2084, null, HangGuard)).Property("Forced"), ignoreCase: true);
            await um.WaitForEventAsync(1036, null, HangGuard);
            Assert.Equal("greeting", (await um.WaitForEventAsync(2086, null, HangGuard)).Property("Kind"));
            string events = um.EventsText();
            foreach (var pin in new[] { resetPin, BadPin, NewPin })
                SecretCheck.AssertAbsent(pin, events, "the events");
            // Heard: the refusal by voice, and the take played back on 1 (the speech, whole).
            Assert.True(call.ReceivedWav is not null, "baresip wrote no received audio\n" + call.Describe());
            ExpectedPrompts.AssertHeard(heard1, "pin-rejected", "pins-differ", output);
            AssertHeardSpeech(heard1, said.Samples, "the take played back on 1");
            string stored = Path.Combine(greetings, GreetingStore.FileNameFor("Test", "1000", GreetingKind.Personal));
            Assert.Equal(GreetingStore.FileMode, File.GetUnixFileMode(stored));
            Assert.Empty(System.IO.Directory.GetFiles(greetings, ".recording-*"));
            // The mailbox now names it: wait until the server has reloaded that change before the next call.
            await um.WaitForEventAsync(2011, null, HangGuard);

            // Call 2: a caller to 1000 hears the greeting recorded by phone (the server hangs up after its message).
            var greetingLength = PcmWav.Read(stored).Duration;
            var other = await SpeechFixtures.GetClipAsync(AwaySaid);
            short[] heard2 = await CallMailboxAsync(um, other.WavPath, greetingLength, Path.Combine(work, "heard2.wav"));
            AssertHeardSpeech(heard2, said.Samples, "the greeting recorded by phone", control: other.Samples);

            // The away greeting (here put in place as the phone does) replaces it while the mailbox is away.
            GreetingStore.StoreRecording(um.DataDir, new Mailbox { Extension = "1000", DialPlan = "Test", EmailAddress = OpenUmProcess.MailboxAddress },
                GreetingKind.Away, await File.ReadAllBytesAsync(other.WavPath));
            int reloads = um.ReadEvents().Count(e => e.Id == 2011);
            await um.CliOkAsync("mailbox", "set", "1000", "--away", "true");
            for (var deadline = DateTime.UtcNow + HangGuard; um.ReadEvents().Count(e => e.Id == 2011) <= reloads; await Task.Delay(200))
                Assert.True(DateTime.UtcNow < deadline, "the server did not reload the configuration\n" + um.EventsText());
            short[] heard3 = await CallMailboxAsync(um, said.WavPath, other.SpeechEnd, Path.Combine(work, "heard3.wav"));
            AssertHeardSpeech(heard3, other.Samples, "the away greeting", control: said.Samples);
            await um.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    // A voicemail call to 1000 that stays for the greeting and a little more; what baresip heard.
    private async Task<short[]> CallMailboxAsync(OpenUmProcess um, string mic, TimeSpan greeting, string heardPath)
    {
        var call = await BaresipPhone.CallAsync($"sip:1000@127.0.0.1:{um.SipPort}", mic, greeting + TimeSpan.FromSeconds(2), heardPath, output);
        Assert.True(call.Established && call.ReceivedWav is not null, "baresip call to 1000 failed\n" + call.Describe() + "\n" + um.EventsText());
        return PcmWav.Read(heardPath).Mono();
    }

    private void AssertHeardSpeech(string heardPath, short[] speech, string what) => AssertHeardSpeech(PcmWav.Read(heardPath).Mono(), speech, what);

    private void AssertHeardSpeech(short[] heard, short[] speech, string what, short[]? control = null)
    {
        var found = AudioCompare.Align(heard, speech, RecordingCheck.Rate, TimeSpan.Zero);
        output.WriteLine($"heard {heard.Length / 8000.0:0.00}s; {what}: {found}");
        Assert.True(found.Correlation >= AudioCompare.SameAudioThreshold, $"the caller did not hear {what}: {found}");
        if (control is null) return;
        var other = AudioCompare.Align(heard, control, RecordingCheck.Rate, TimeSpan.Zero);
        output.WriteLine($"negative control: {other}");
        Assert.True(other.Correlation < found.Correlation, $"negative control scored {other} vs {found}");
    }
}
