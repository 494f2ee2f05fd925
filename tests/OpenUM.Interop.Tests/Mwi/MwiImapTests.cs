using System.Text;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Mwi;

/// <summary>
/// Message-waiting indication from the user's real mailbox (Dovecot over IMAP, watched with IDLE): a SIPp gateway takes
/// unsolicited NOTIFYs — the lamp goes on after a deposit (LMTP) and off when another client marks the message seen
/// (doveadm) — a SIPp subscriber gets the state, the change, a refresh and its end; with the gateway's option off
/// nothing is sent, and turning it on again tells the lamp the state it missed.
/// </summary>
public sealed class MwiImapTests(ITestOutputHelper output)
{
    private const string User = OpenUmProcess.MailboxAddress;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LampFollowsTheImapMailbox()
    {
        var pki = await TestPki.GetAsync();
        await using var dovecot = await DovecotImap.StartAsync(pki, output);
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        await um.CliOkAsync("cert", "trust", pki.CaCrt);
        await um.CliOkAsync("server", "set", "--imap-host", dovecot.Endpoint(), "--imap-tls", "StartTls", "--imap-user", DovecotImap.MasterUser,
            "--imap-password-file", dovecot.PasswordFile, "--imap-login", "MasterUserSeparator");
        // The gateway (SIPp) listens before the server starts: the lamp is told its state at the start.
        await using var gateway = await SippPeer.StartAsync("mwi-gateway.xml", 5060, "gw", 100, TimeSpan.FromSeconds(120));
        await um.CliOkAsync("gateway", "set", "sipp", "--port", gateway.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await um.StartAsync();
        string Diagnostics() => um.EventsText() + "\n" + um.ServerOutput + "\n" + dovecot.Diagnostics;

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
