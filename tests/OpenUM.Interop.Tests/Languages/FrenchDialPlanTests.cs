using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.SubscriberAccess;

namespace OpenUM.Interop.Tests.Languages;

/// <summary>
/// Issue 16 check 4: a dial plan with --default-language fr-FR. baresip hears subscriber access in French before
/// logon and the French message count after it (the mailbox has no language of its own), then the French default
/// greeting of the mailbox; each recording is compared with the shipped fr-FR prompt files, and with the same
/// sentence from the en-US files as the negative control; a prompt replaced in &lt;data-dir&gt;/prompts/fr-FR is the one
/// heard. (en-US: BaresipVoiceMailTests and SubscriberAccessTests.)
/// </summary>
public sealed class FrenchDialPlanTests(ITestOutputHelper output)
{
    private const string AccessNumber = "8000";

    private static async Task ConfigureByCliAsync(OpenUmProcess um)
    {
        await um.ConfigureStandardByCliAsync();
        await um.CliOkAsync("dialplan", "set", "Test", "--access-telephone-numbers", AccessNumber, "--default-language", "fr-FR");
        await SubscriberFixtures.SetPinAsync(um);
    }

    [Fact]
    public async Task AFrenchDialPlanGreetsAndCountsMessagesInFrench()
    {
        await using var um = new OpenUmProcess(output);
        await ConfiguredDataTemplates.ApplyAsync("french", um, ConfigureByCliAsync, output);
        var message = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA);
        // A two-digit caller: « Message de quatre deux » keeps the call short before the message is marked heard.
        string id = await SubscriberFixtures.PlantMessageAsync(um, message.WavPath, callerId: "42");
        // An administrator's pack in the data directory: its one prompt (a 700 Hz tone for "enter your PIN") replaces the
        // shipped one; a folder spelled unlike any pack is reported (2079), not used.
        string prompts = Path.Combine(um.DataDir, "prompts");
        System.IO.Directory.CreateDirectory(Path.Combine(prompts, "fr-FR"));
        System.IO.Directory.CreateDirectory(Path.Combine(prompts, "fr-fr"));
        PcmWav.WriteMono(Path.Combine(prompts, "fr-FR", "enter-pin.wav"),
            [.. Enumerable.Range(0, 12000).Select(i => (short)(8000 * Math.Sin(2 * Math.PI * 700 * i / RecordingCheck.Rate)))], RecordingCheck.Rate);
        await um.StartAsync();
        var mic = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceC);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-language-test-").FullName;
        try
        {
            // Subscriber access, keys typed ahead; the phone hangs up once the server has played the message (new/ to cur/).
            string folder = Path.Combine(um.DataDir, "maildir", OpenUmProcess.MailboxAddress);
            bool Heard() => System.IO.Directory.Exists(Path.Combine(folder, "cur"))
                && System.IO.Directory.GetFiles(Path.Combine(folder, "cur"), id + ":2,*").Length > 0;
            string access = Path.Combine(work, "access.wav");
            var call = await BaresipPhone.CallAsync($"sip:{AccessNumber}@127.0.0.1:{um.SipPort}", mic.WavPath, TimeSpan.FromSeconds(40),
                access, output, dtmf: new BaresipDtmf("1000#" + SubscriberFixtures.Pin + "#1", TimeSpan.FromSeconds(1)), hangUpWhen: Heard);   // 1: the messages
            Assert.True(call.Established, "baresip call not established\n" + call.Describe() + "\n" + um.EventsText());
            await um.WaitForEventAsync(1036, null, TimeSpan.FromSeconds(20));
            Assert.True(call.ReceivedWav is not null, "baresip wrote no received audio\n" + call.Describe());
            // Before logon, the dial plan's language ...
            ExpectedPrompts.AssertHeard(access, ("fr-FR enter-extension", ExpectedPrompts.Load("enter-extension", "fr-FR")),
                ("en-US enter-extension", ExpectedPrompts.Load("enter-extension")), output);
            var (_, tone) = AudioCompare.FindTone(PcmWav.Read(access).Mono(), RecordingCheck.Rate, 700);
            Assert.True(tone.TotalSeconds >= 1.2, $"the replacement enter-pin prompt (1.5 s of 700 Hz) was not heard: {tone.TotalSeconds:0.00} s");
            // ... after it, the mailbox's (its dial plan's): « Vous avez un nouveau message. »
            string[] oneNewMessage = ["you-have", "digit-1", "new-message"];
            ExpectedPrompts.AssertHeard(access, ("fr-FR « vous avez un nouveau message »", ExpectedPrompts.Sequence("fr-FR", oneNewMessage)),
                ("en-US \"you have one new message\"", ExpectedPrompts.Sequence("en-US", oneNewMessage)), output);

            // The mailbox's default greeting, in its dial plan's language; the phone hangs up after it and the beep.
            short[] greeting = ExpectedPrompts.DefaultGreeting("1000", "fr-FR");
            string heard = Path.Combine(work, "greeting.wav");
            var greetingCall = await BaresipPhone.CallAsync($"sip:1000@127.0.0.1:{um.SipPort}", mic.WavPath,
                TimeSpan.FromSeconds(greeting.Length / (double)RecordingCheck.Rate + 2), heard, output);
            Assert.True(greetingCall.Established, "baresip call not established\n" + greetingCall.Describe() + "\n" + um.EventsText());
            Assert.True(greetingCall.ReceivedWav is not null, "baresip wrote no received audio\n" + greetingCall.Describe());
            ExpectedPrompts.AssertHeard(heard, ("fr-FR default greeting", greeting), ("en-US default greeting", ExpectedPrompts.DefaultGreeting("1000")), output);

            Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 2078); // both packs complete, the replacement playable
            var ignored = Assert.Single(um.ReadEvents(), e => e.Id == 2079);
            Assert.Equal("fr-fr", ignored.Property("language"));
            await um.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }
}
