using System.Text;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.SubscriberAccess;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Mwi;

/// <summary>
/// Message-waiting indication from the user's real mailbox (Dovecot over IMAP, watched with IDLE): a SIPp gateway takes
/// unsolicited NOTIFYs — the lamp goes on after a deposit (LMTP) and off when another client marks the message seen
/// (doveadm) — a SIPp subscriber gets the state, the change, a refresh and its end; with the gateway's option off
/// nothing is sent, and turning it on again tells the lamp the state it missed. While Dovecot is down no NOTIFY goes out
/// and a subscriber calling voice access hears that the messages are not available; once it is back the lamp is right.
/// </summary>
public sealed class MwiImapTests(ITestOutputHelper output)
{
    private const string User = OpenUmProcess.MailboxAddress;
    private const string AccessNumber = "8000";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LampFollowsTheImapMailbox()
    {
        await using var rig = await MwiRig.StartAsync(output);
        var (dovecot, um, gateway) = (rig.Dovecot, rig.Um, rig.Gateway);
        string Diagnostics() => rig.Diagnostics;

        // Must-show 2: off at the start (empty INBOX), on after a deposit, off when another client reads it.
        Assert.Equal(["no 0/0"], await gateway.WaitForSummariesAsync(1, HangGuard, Diagnostics));
        await dovecot.DeliverAsync(User, VoiceMessage(1));
        Assert.Equal("yes 1/0", (await gateway.WaitForSummariesAsync(2, HangGuard, Diagnostics))[1]);
        await dovecot.FlagsAsync(User, "add", "\\Seen", "mailbox", "INBOX", "ALL");
        Assert.Equal("no 0/1", (await gateway.WaitForSummariesAsync(3, HangGuard, Diagnostics))[2]);
        Assert.Contains("NOTIFY sip:1000@127.0.0.1:" + gateway.Port + ";transport=tcp SIP/2.0", gateway.Log, StringComparison.Ordinal);

        // Must-show 3: a subscriber gets the state, then the change (and the gateway's lamp too), a refresh, its end.
        await using (var subscriber = await SippPeer.StartAsync("mwi-subscriber.xml", um.SipPort, "1000", 1, TimeSpan.FromSeconds(60)))
        {
            Assert.Equal(["no 0/1"], await subscriber.WaitForSummariesAsync(1, HangGuard, Diagnostics));
            await dovecot.DeliverAsync(User, VoiceMessage(2));
            Assert.Equal("yes 1/1", (await subscriber.WaitForSummariesAsync(2, HangGuard, Diagnostics))[1]);
            Assert.True(await subscriber.Process.WaitForExitAsync(HangGuard), "the subscriber did not finish\n" + subscriber.Process.StdOut + subscriber.Log);
            Assert.True(subscriber.Process.ExitCode == 0, $"SIPp subscriber exit {subscriber.Process.ExitCode}\n{subscriber.Process.StdOut}{subscriber.Process.StdErr}\n{subscriber.Log}");
            Assert.Matches(@"Subscription-State: terminated", subscriber.Log);
        }
        Assert.Equal("yes 1/1", (await gateway.WaitForSummariesAsync(4, HangGuard, Diagnostics))[3]);

        // The option off: nothing is sent while another client reads the message; on again, the lamp hears what it missed.
        int reloads = um.ReadEvents().Count(e => e.Id == 2011);
        await um.CliOkAsync("gateway", "set", "sipp", "--message-waiting-indicator-allowed", "false");
        await WaitUntilAsync(() => um.ReadEvents().Count(e => e.Id == 2011) > reloads, "the configuration change in force", Diagnostics);
        await dovecot.FlagsAsync(User, "add", "\\Seen", "mailbox", "INBOX", "ALL");
        reloads = um.ReadEvents().Count(e => e.Id == 2011);
        await um.CliOkAsync("gateway", "set", "sipp", "--message-waiting-indicator-allowed", "true");
        var summaries = await gateway.WaitForSummariesAsync(5, HangGuard, Diagnostics);
        Assert.Equal(["no 0/0", "yes 1/0", "no 0/1", "yes 1/1", "no 0/2"], summaries);
        Assert.DoesNotContain(um.ReadEvents(), e => e.Id is 1344 or 2039);
    }

    [Fact]
    public async Task LampIsHeldWhileTheStoreIsDownAndRightAgainAfter()
    {
        await using var rig = await MwiRig.StartAsync(output);
        var (dovecot, um, gateway) = (rig.Dovecot, rig.Um, rig.Gateway);
        string Diagnostics() => rig.Diagnostics;
        Assert.Equal(["no 0/0"], await gateway.WaitForSummariesAsync(1, HangGuard, Diagnostics));
        // A subscriber that never refreshes: its 20 s are too brief (423, Min-Expires 60), it is granted 60 s, and the
        // server ends the subscription itself when they are over — after the rest of this test, which it also watches.
        await using var subscriber = await SippPeer.StartAsync("mwi-expiry.xml", um.SipPort, "1000", 1, TimeSpan.FromSeconds(150));
        Assert.Equal(["no 0/0"], await subscriber.WaitForSummariesAsync(1, HangGuard, Diagnostics));
        await dovecot.DeliverAsync(User, VoiceMessage(1));
        Assert.Equal("yes 1/0", (await gateway.WaitForSummariesAsync(2, HangGuard, Diagnostics))[1]);
        Assert.Equal("yes 1/0", (await subscriber.WaitForSummariesAsync(2, HangGuard, Diagnostics))[1]);

        // Must-show 4: Dovecot stops; the store says so (2036) and the lamps are held (2039), never told "no messages".
        await dovecot.StopAsync();
        await um.WaitForEventAsync(2036, null, HangGuard);
        await um.WaitForEventAsync(2039, null, HangGuard);
        // Meanwhile another client reads the message: on disk, as Dovecot keeps it (cur/NAME:2,S).
        string inbox = Path.Combine(dovecot.Work, "mail", User.ToLowerInvariant());
        string file = Assert.Single(new[] { "new", "cur" }.Select(d => Path.Combine(inbox, d)).Where(System.IO.Directory.Exists).SelectMany(System.IO.Directory.GetFiles));
        string name = Path.GetFileName(file);
        int colon = name.IndexOf(":2,", StringComparison.Ordinal);
        File.Move(file, Path.Combine(inbox, "cur", (colon < 0 ? name + ":2," : name) + "S"));

        // And the subscriber calls voice access: logged on, told the messages are not available right now (2035) and
        // the call ended by the server — never a false "you have no new messages".
        var mic = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceC);   // baresip must send something
        string heardPath = Path.Combine(um.DataDir, "heard-outage.wav");
        var call = await BaresipPhone.CallAsync($"sip:{AccessNumber}@127.0.0.1:{um.SipPort}", mic.WavPath, TimeSpan.FromSeconds(40),
            heardPath, output, dtmf: new BaresipDtmf("1000#" + SubscriberFixtures.Pin + "#1", TimeSpan.FromSeconds(1)));   // 1: the messages
        Assert.True(call.Established, "baresip call not established\n" + call.Describe() + "\n" + Diagnostics());
        Assert.True(call.ClosedByPeer, "the server did not end the call\n" + call.Describe() + "\n" + Diagnostics());
        var unavailable = await um.WaitForEventAsync(2035, null, HangGuard);
        Assert.Equal("1000", unavailable.Property("Extension"));
        ExpectedPrompts.AssertHeard(heardPath, "messages-unavailable", "no-messages", output);
        Assert.Equal(2, gateway.Summaries().Count);
        Assert.Equal(2, subscriber.Summaries().Count);

        // Dovecot is back: 2037, and the lamp goes off without a restart of OpenUM.
        int pid = um.ServerPid;
        await dovecot.StartAsync();
        await um.WaitForEventAsync(2037, null, TimeSpan.FromSeconds(90));
        var summaries = await gateway.WaitForSummariesAsync(3, TimeSpan.FromSeconds(90), Diagnostics);
        Assert.Equal("no 0/1", summaries[2]);
        Assert.Equal(pid, um.ServerPid);
        Assert.Single(um.ReadEvents(), e => e.Id == 2039);

        // Must-show 3, the notifier's side: the subscription was never refreshed, so the server ends it at its expiry
        // with "terminated;reason=timeout" (RFC 6665 §4.2.2) and holds no subscription any more.
        Assert.True(await subscriber.Process.WaitForExitAsync(TimeSpan.FromSeconds(120)), "no final NOTIFY\n" + subscriber.Log + Diagnostics());
        Assert.True(subscriber.Process.ExitCode == 0, $"SIPp subscriber exit {subscriber.Process.ExitCode}\n{subscriber.Process.StdOut}{subscriber.Process.StdErr}\n{subscriber.Log}");
        Assert.Contains("Subscription-State: active;expires=60", subscriber.Log, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(subscriber.Log, "Subscription-State: terminated;reason=timeout"));
        var mwi = System.Text.Json.JsonDocument.Parse((await um.CliOkAsync("status", "--json")).StdOut).RootElement.GetProperty("mwi");
        Assert.Equal(0, mwi.GetProperty("subscriptions").GetInt32());
    }

    /// <summary>Dovecot with mailbox 1000's INBOX, a SIPp gateway listening, and OpenUM reading that INBOX over IMAP.</summary>
    private sealed class MwiRig : IAsyncDisposable
    {
        public required DovecotImap Dovecot { get; init; }
        public required OpenUmProcess Um { get; init; }
        public required SippPeer Gateway { get; init; }

        public string Diagnostics => Um.EventsText() + "\n" + Um.ServerOutput + "\n" + Dovecot.Diagnostics;

        public static async Task<MwiRig> StartAsync(ITestOutputHelper output)
        {
            var pki = await TestPki.GetAsync();
            var dovecot = await DovecotImap.StartAsync(pki, output);
            var um = new OpenUmProcess(output);
            SippPeer? gateway = null;
            try
            {
                await um.ConfigureStandardAsync();
                await um.CliOkAsync("dialplan", "set", "Test", "--access-telephone-numbers", AccessNumber);
                await SubscriberFixtures.SetPinAsync(um);
                await um.CliOkAsync("cert", "trust", pki.CaCrt);
                await um.CliOkAsync("server", "set", "--imap-host", dovecot.Endpoint(), "--imap-tls", "StartTls", "--imap-user", DovecotImap.MasterUser,
                    "--imap-password-file", dovecot.PasswordFile, "--imap-login", "MasterUserSeparator");
                // The gateway (SIPp) listens before the server starts: the lamp is told its state at the start.
                gateway = await SippPeer.StartAsync("mwi-gateway.xml", 5060, "gw", 100, TimeSpan.FromSeconds(180));
                await um.CliOkAsync("gateway", "set", "sipp", "--port", gateway.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await um.StartAsync();
                return new MwiRig { Dovecot = dovecot, Um = um, Gateway = gateway };
            }
            catch
            {
                await um.DisposeAsync();
                if (gateway is not null) await gateway.DisposeAsync();
                await dovecot.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Um.DisposeAsync();
            await Gateway.DisposeAsync();
            await Dovecot.DisposeAsync();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}\n{diagnostics()}");
            await Task.Delay(100);
        }
    }

    // A voice message as OpenUM composes it, as far as the store looks (the header every voice message has).
    private static byte[] VoiceMessage(int n) => Encoding.ASCII.GetBytes(
        "From: \"OpenUM\" <voicemail@um.example.test>\r\n" +
        $"To: <{User}>\r\n" +
        $"Subject: Voice message {n} from 0612345678\r\n" +
        $"Date: {DateTimeOffset.UtcNow:r}\r\n" +
        $"Message-ID: <mwi-{n}-{Guid.NewGuid():N}@um.example.test>\r\n" +
        "X-VoiceMessageDuration: 3\r\n" +
        "X-OpenUM-Duration: 3\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain\r\n\r\n" +
        "A voice message.\r\n");
}
