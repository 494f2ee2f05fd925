using System.Globalization;
using System.Text.RegularExpressions;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.AutoAttendants;

/// <summary>
/// Auto attendants against real peers, one server run (issue 16, must-show 2): baresip calls the pilot number of an
/// attendant in business hours and hears its business-hours greeting, given as text and spoken by the CLI with the
/// en-US pack's voice, then the key menu spoken from the mappings' names ("For Sales, press 1. For London, press 2.");
/// it presses 2 (mapped abroad: refused by the attendant's own restrictions, 1076, no REFER) then 1 (mapped to
/// extension 1000: REFER, and the SIPp UAS standing for the gateway receives the INVITE). A second attendant's time zone is chosen at test time so that it is surely
/// after hours there: baresip hears the after-hours greeting, presses # and spells MARTIN, which finds Alice Martin's
/// mailbox, and the UAS receives a second INVITE for 1000.
/// </summary>
public sealed class AutoAttendantTests(ITestOutputHelper output)
{
    private const string OpenPilot = "5100";
    private const string ClosedPilot = "5200";
    private const string WelcomeText = "Welcome to the Contoso test line. Our people are ready to take your call.";
    private const string MenuText = "For Sales, press 1. For London, press 2."; // the en-US pack's @key-mapping sentence
    private const string ControlText = "Thank you for waiting. All of our agents are busy with other callers at the moment.";
    private const string PackVoice = "en-us"; // the en-US pack's @voice and @speed (src/OpenUM.Calls/Prompts/en-US/prompts.txt)
    private const int PackSpeed = 150;

    [Fact]
    public async Task GreetingsByTheAttendantsClockKeyTransferDialByNameAndRefusedAbroad()
    {
        int uasPort = GatewayUas.FreePort();
        var business = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA);
        var afterHours = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceB);
        // What the prompt engine should say, spoken here by espeak-ng with the pack's voice, independently of the CLI.
        var welcome = await SpeechFixtures.GetPackClipAsync(WelcomeText, PackVoice, PackSpeed);
        var menu = await SpeechFixtures.GetPackClipAsync(MenuText, PackVoice, PackSpeed);
        var control = await SpeechFixtures.GetPackClipAsync(ControlText, PackVoice, PackSpeed);
        await using var um = new OpenUmProcess(output);
        await um.CliOkAsync("dialplan", "new", "--name", "Test", "--number-of-digits-in-extension", "4",
            "--configured-international-groups", "UK,44*,90044*");
        await um.CliOkAsync("gateway", "new", "--name", "phones", "--address", "127.0.0.1", "--port", uasPort.ToString(CultureInfo.InvariantCulture),
            "--dial-plan", "Test", "--outcalls-allowed", "true", "--message-waiting-indicator-allowed", "false");
        await um.CliOkAsync("mailbox", "new", "--extension", "1000", "--dial-plan", "Test", "--email", OpenUmProcess.MailboxAddress,
            "--display-name", "Alice Martin");
        // Open all week in UTC: business hours whenever the test runs; its greeting is text.
        await um.CliOkAsync("autoattendant", "new", "--name", "Open", "--dial-plan", "Test", "--pilot-identifier-list", OpenPilot,
            "--business-hours-welcome-greeting-text", WelcomeText, "--after-hours-welcome-greeting", afterHours.WavPath,
            "--business-hours-key-mapping", "1,Sales,1000", "--business-hours-key-mapping", "2,London,+442079460000");
        // Open 09:00-17:00 on weekdays in a zone where it is now at least two hours outside that: after hours for the whole test.
        string zone = AfterHoursZone(DateTimeOffset.UtcNow);
        output.WriteLine("after-hours attendant's time zone: " + zone);
        await um.CliOkAsync("autoattendant", "new", "--name", "Closed", "--dial-plan", "Test", "--pilot-identifier-list", ClosedPilot,
            "--time-zone", zone, "--business-hours-schedule", "Mon-Fri 09:00-17:00",
            "--business-hours-welcome-greeting", business.WavPath, "--after-hours-welcome-greeting", afterHours.WavPath);
        await um.CliOkAsync("autoattendant", "enable", "Open");
        await um.CliOkAsync("autoattendant", "enable", "Closed");
        await um.StartAsync();

        using var sink = new RtpSink();
        string work = System.IO.Directory.CreateTempSubdirectory("openum-aa-").FullName;
        try
        {
            string messages = Path.Combine(work, "messages.log");
            await using var uas = GatewayUas.Start(work, uasPort, sink.Port, messages, calls: 2);
            var mic = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceC);
            TimeSpan AfterGreeting(SpeechClip clip) => TimeSpan.FromSeconds(clip.Samples.Length / 8000.0 + 1.5);

            // Business hours: the spoken greeting and key menu, then 2 (refused, "that number cannot be called"), then 1.
            string heardOpen = Path.Combine(work, "open.wav");
            var menuHeard = AfterGreeting(welcome) + TimeSpan.FromSeconds(menu.Samples.Length / 8000.0);
            var open = await BaresipPhone.CallAsync($"sip:{OpenPilot}@127.0.0.1:{um.SipPort}", mic.WavPath, TimeSpan.FromSeconds(40), heardOpen, output,
                dtmf: new BaresipDtmf("2", menuHeard) { Then = new BaresipDtmf("1", menuHeard + TimeSpan.FromSeconds(5)) });
            Assert.True(open.Established, "baresip call not established\n" + open.Describe() + "\n" + um.EventsText());
            var refusal = await um.WaitForEventAsync(1076, null, TimeSpan.FromSeconds(20));
            Assert.Equal("auto attendant 'Open'", refusal.Property("Context"));
            Assert.Contains("442079460000", refusal.Message, StringComparison.Ordinal);
            var toSales = await um.WaitForEventAsync(2094, e => e.Property("AutoAttendant") == "Open", TimeSpan.FromSeconds(30));
            Assert.Equal("1000", toSales.Property("Dialed"));
            Assert.StartsWith("Transferred", toSales.Property("Outcome"), StringComparison.Ordinal);
            Assert.Equal("BusinessHours", (await um.WaitForEventAsync(2093, e => e.Property("AutoAttendant") == "Open", TimeSpan.FromSeconds(5))).Property("Period"));
            var welcomeAt = AssertHeard(FirstCall(heardOpen), welcome, control);
            var menuAt = AssertHeard(FirstCall(heardOpen), menu, control);
            Assert.True(menuAt.Offset >= welcomeAt.Offset + welcomeAt.NeedleDuration - TimeSpan.FromSeconds(0.5), $"the key menu ({menuAt}) did not follow the greeting ({welcomeAt})");
            AssertHeard(FirstCall(heardOpen), welcome, afterHours);

            // After hours: the other greeting, then # and MARTIN (627846) then #.
            string heardClosed = Path.Combine(work, "closed.wav");
            var closed = await BaresipPhone.CallAsync($"sip:{ClosedPilot}@127.0.0.1:{um.SipPort}", mic.WavPath, TimeSpan.FromSeconds(40), heardClosed, output,
                dtmf: new BaresipDtmf("#", AfterGreeting(afterHours)) { Then = new BaresipDtmf("627846#", AfterGreeting(afterHours) + TimeSpan.FromSeconds(2)) });
            Assert.True(closed.Established, "baresip call not established\n" + closed.Describe() + "\n" + um.EventsText());
            Assert.Equal("AfterHours", (await um.WaitForEventAsync(2093, e => e.Property("AutoAttendant") == "Closed", TimeSpan.FromSeconds(5))).Property("Period"));
            var lookup = await um.WaitForEventAsync(2095, null, TimeSpan.FromSeconds(30));
            Assert.Equal("1", lookup.Property("Matches"));
            var byName = await um.WaitForEventAsync(2094, e => e.Property("AutoAttendant") == "Closed", TimeSpan.FromSeconds(30));
            Assert.Equal(("dial by name", "1000"), (byName.Property("Action"), byName.Property("Dialed")));
            AssertHeard(FirstCall(heardClosed), afterHours, business);

            // The gateway's stand-in got exactly the two transfers for 1000, never the number abroad.
            for (int i = 0; i < 100 && !(File.Exists(messages) && Regex.Matches(await GatewayUas.ReadLogAsync(messages), @"^INVITE sip:1000@", RegexOptions.Multiline).Count >= 2); i++)
                await Task.Delay(100);
            string log = File.Exists(messages) ? await GatewayUas.ReadLogAsync(messages) : "";
            Assert.True(Regex.Matches(log, @"^INVITE sip:1000@127\.0\.0\.1:" + uasPort, RegexOptions.Multiline).Count == 2,
                "the SIPp UAS did not receive both transfers\n" + log + "\n" + uas.StdOut + uas.StdErr);
            Assert.Equal(2, Regex.Matches(log, @"^INVITE ", RegexOptions.Multiline).Count);
            Assert.DoesNotContain("442079460000", log, StringComparison.Ordinal);
            await um.AssertCleanStopAsync();
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
                System.IO.Directory.Delete(work, recursive: true);
        }
    }

    // baresip followed the REFER: what it heard from the attendant is its first call's recording.
    private static string FirstCall(string heardPath)
    {
        string first = Path.ChangeExtension(heardPath, null) + "-call1.wav";
        return File.Exists(first) ? first : heardPath;
    }

    // The caller heard `expected` (a greeting, the key menu) somewhere in the call, and `other`, never played, scores lower.
    private Alignment AssertHeard(string heardPath, SpeechClip expected, SpeechClip other)
    {
        short[] heard = PcmWav.Read(heardPath).Mono();
        var found = AudioCompare.Align(heard, expected.Samples, RecordingCheck.Rate, TimeSpan.Zero);
        var control = AudioCompare.Align(heard, other.Samples, RecordingCheck.Rate, TimeSpan.Zero);
        output.WriteLine($"heard {heard.Length / 8000.0:0.00}s; expected {Path.GetFileName(expected.WavPath)} {found}; other {Path.GetFileName(other.WavPath)} {control}");
        Assert.True(found.Correlation >= AudioCompare.SameAudioThreshold, $"the caller did not hear {expected.WavPath}: {found}");
        Assert.True(control.Correlation < found.Correlation, $"{other.WavPath}, never played, scored {control} vs {found}");
        return found;
    }

    /// <summary>
    /// A fixed-offset zone (Etc/GMT±N) where, at <paramref name="now"/>, the local time is at least two hours away from
    /// Mon-Fri 09:00-17:00 (a weekend, or 19:00-07:00 on a weekday): the verdict cannot change while the test runs.
    /// </summary>
    internal static string AfterHoursZone(DateTimeOffset now)
    {
        for (int offset = -12; offset <= 14; offset++)
        {
            // POSIX-style names: Etc/GMT-3 is three hours ahead of UTC.
            string id = offset == 0 ? "Etc/UTC" : offset > 0 ? $"Etc/GMT-{offset}" : $"Etc/GMT+{-offset}";
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)) continue;
            var local = TimeZoneInfo.ConvertTime(now, zone);
            var soon = local.AddHours(2);
            bool weekend = (local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) && (soon.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
            bool night = local.Hour is >= 19 and < 22 || local.Hour < 5;
            if (weekend || night) return id;
        }
        throw new InvalidOperationException("no fixed-offset zone is after hours now");
    }
}
