using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.SubscriberAccess;

/// <summary>
/// Issue 5 check 4: baresip calls the dial plan's access number, logs on with RFC 4733 DTMF, and hears the
/// stored message; wrong PINs lock the mailbox after MaxLogonAttempts (1012).
/// </summary>
public sealed class SubscriberAccessTests(ITestOutputHelper output)
{
    private const string AccessNumber = "8000";

    // Made by the CLI once per run and copied into each test's data directory (ConfiguredDataTemplates).
    private static Task ConfigureAsync(OpenUmProcess um) => ConfiguredDataTemplates.ApplyAsync("subscriber-access", um, ConfigureByCliAsync, null);

    private static async Task ConfigureByCliAsync(OpenUmProcess um)
    {
        await um.ConfigureStandardByCliAsync();
        await um.CliOkAsync("dialplan", "set", "Test", "--access-telephone-numbers", AccessNumber, "--logon-failures-before-disconnect", "5");
        // Three wrong PINs in a row lock the mailbox; no automatic PIN reset meanwhile.
        await um.CliOkAsync("mailboxpolicy", "new", "--name", "Staff", "--dial-plan", "Test", "--max-logon-attempts", "3",
            "--logon-failures-before-pin-reset", "Unlimited");
        await um.CliOkAsync("mailbox", "set", "1000", "--dial-plan", "Test", "--mailbox-policy", "Staff");
        await SubscriberFixtures.SetPinAsync(um);
    }

    [Fact]
    public async Task SubscriberAccessLogsOnWithDtmfAndPlaysTheStoredMessage()
    {
        await using var um = new OpenUmProcess(output);
        await ConfigureAsync(um);
        var message = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA);
        string id = await SubscriberFixtures.PlantMessageAsync(um, message.WavPath);
        await um.StartAsync();

        string work = System.IO.Directory.CreateTempSubdirectory("openum-subscriber-test-").FullName;
        try
        {
            string heardPath = Path.Combine(work, "heard.wav");
            var silence = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceC); // baresip must send something; the server ignores it
            // Extension and PIN typed ahead one second into the call; the prompts, the header and the ~8 s message fit in 40 s.
            // The server marks the message heard (new/ to cur/) once it has played it all: the phone hangs up then.
            string folder = Path.Combine(um.DataDir, "maildir", OpenUmProcess.MailboxAddress);
            bool Heard() => System.IO.Directory.Exists(Path.Combine(folder, "cur"))
                && System.IO.Directory.GetFiles(Path.Combine(folder, "cur"), id + ":2,*").Length > 0;
            var call = await BaresipPhone.CallAsync($"sip:{AccessNumber}@127.0.0.1:{um.SipPort}", silence.WavPath, TimeSpan.FromSeconds(40),
                heardPath, output, dtmf: new BaresipDtmf("1000#" + SubscriberFixtures.Pin + "#1", TimeSpan.FromSeconds(1)), hangUpWhen: Heard); // 1: the messages
            Assert.True(call.Established, "baresip call not established\n" + call.Describe() + "\n" + um.EventsText());
            var logon = await um.WaitForEventAsync(1036, null, TimeSpan.FromSeconds(20));
            Assert.Equal("1000", logon.Property("Extension"));
            SecretCheck.AssertAbsent(SubscriberFixtures.Pin, um.EventsText(), "the events");

            Assert.True(call.ReceivedWav is not null, "baresip wrote no received audio\n" + call.Describe());
            short[] heard = PcmWav.Read(heardPath).Mono();
            var found = AudioCompare.Align(heard, message.Samples, RecordingCheck.Rate, TimeSpan.Zero);
            var control = AudioCompare.Align(heard, silence.Samples, RecordingCheck.Rate, TimeSpan.Zero);
            output.WriteLine($"heard {heard.Length / 8000.0:0.00}s; stored message {found}; a sentence never stored {control}");
            Assert.True(found.Correlation > AudioCompare.SameAudioThreshold, $"baresip did not hear the stored message: {found}");
            Assert.True(control.Correlation < found.Correlation, $"negative control scored {control} vs {found}");
            // The count before it, in the dial plan's language (en-US): "You have one new message."
            string[] oneNewMessage = ["you-have", "digit-1", "new-message"];
            ExpectedPrompts.AssertHeard(heardPath, ("en-US \"you have one new message\"", ExpectedPrompts.Sequence("en-US", oneNewMessage)),
                ("fr-FR « vous avez un nouveau message »", ExpectedPrompts.Sequence("fr-FR", oneNewMessage)), output);

            // Heard: the message moved from new/ to cur/.
            Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(folder, "new")));
            Assert.Single(System.IO.Directory.GetFiles(Path.Combine(folder, "cur"), id + ":2,*"));
            await um.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task SubscriberAccessWrongPinsLockTheMailboxAfterMaxLogonAttempts()
    {
        await using var um = new OpenUmProcess(output);
        await ConfigureAsync(um);
        await um.StartAsync();
        var mic = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceC);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-subscriber-test-").FullName;
        try
        {
            var call = await BaresipPhone.CallAsync($"sip:{AccessNumber}@127.0.0.1:{um.SipPort}", mic.WavPath, TimeSpan.FromSeconds(45),
                Path.Combine(work, "heard1.wav"), output, dtmf: new BaresipDtmf("1000#111990#222880#333770#", TimeSpan.FromSeconds(1)));
            Assert.True(call.Established, "baresip call not established\n" + call.Describe() + "\n" + um.EventsText());
            Assert.True(call.ClosedByPeer, "the server did not hang up after the lockout\n" + call.Describe() + "\n" + um.EventsText());
            var locked = await um.WaitForEventAsync(1012, null, TimeSpan.FromSeconds(20));
            Assert.Equal("3", locked.Property("Failures"));
            Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 1036);

            // Locked means locked: the right PIN is refused now too (1012 again, no 1036).
            var second = await BaresipPhone.CallAsync($"sip:{AccessNumber}@127.0.0.1:{um.SipPort}", mic.WavPath, TimeSpan.FromSeconds(30),
                Path.Combine(work, "heard2.wav"), output, dtmf: new BaresipDtmf("1000#" + SubscriberFixtures.Pin + "#", TimeSpan.FromSeconds(1)));
            Assert.True(second.ClosedByPeer, "the server did not hang up on the locked mailbox\n" + second.Describe());
            for (int i = 0; i < 100 && um.ReadEvents().Count(e => e.Id == 1012) < 2; i++) await Task.Delay(100);
            Assert.Equal(2, um.ReadEvents().Count(e => e.Id == 1012));
            Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 1036);
            SecretCheck.AssertAbsent(SubscriberFixtures.Pin, um.EventsText(), "the events");
            Assert.DoesNotContain("111990", um.EventsText());
            await um.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }
}
