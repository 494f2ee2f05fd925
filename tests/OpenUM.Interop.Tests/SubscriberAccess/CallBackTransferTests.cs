using System.Globalization;
using System.Text.RegularExpressions;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.SubscriberAccess;

/// <summary>
/// Calling the sender back (CALL-2, key 5) is a blind transfer (RFC 3515), as Exchange UM did it: baresip, the
/// phone behind gateway 127.0.0.1, logs on, hears the message and presses 5; the server checks the caller ID with
/// the outdialing engine and sends REFER to sip:&lt;dial string&gt;@&lt;gateway address&gt;:&lt;gateway port&gt;.
/// baresip follows it (its call_transfer handling) and calls that URI: here the gateway's port is a SIPp UAS,
/// which must receive the INVITE for the dial string. A caller ID outside the rules gets no REFER (1076).
/// </summary>
public sealed class CallBackTransferTests(ITestOutputHelper output)
{
    private const string AccessNumber = "8000";

    private static async Task ConfigureAsync(OpenUmProcess um, int gatewayPort)
    {
        await um.CliOkAsync("dialplan", "new", "--name", "Test", "--number-of-digits-in-extension", "4",
            "--access-telephone-numbers", AccessNumber, "--configured-in-country-or-region-groups", "Mobile,06xxxxxxxx,906xxxxxxxx");
        // Calls come in from 127.0.0.1 (baresip); a REFER names this gateway's address and port (the SIPp UAS). That UAS
        // answers one INVITE and nothing else: the lamp's NOTIFY after the message is heard would be unexpected there.
        await um.CliOkAsync("gateway", "new", "--name", "phones", "--address", "127.0.0.1", "--port", gatewayPort.ToString(CultureInfo.InvariantCulture),
            "--dial-plan", "Test", "--outcalls-allowed", "true", "--message-waiting-indicator-allowed", "false");
        await um.CliOkAsync("mailboxpolicy", "new", "--name", "Staff", "--dial-plan", "Test", "--allowed-in-country-or-region-groups", "Mobile");
        await um.CliOkAsync("mailbox", "new", "--extension", "1000", "--dial-plan", "Test", "--email", OpenUmProcess.MailboxAddress,
            "--mailbox-policy", "Staff");
        await SubscriberFixtures.SetPinAsync(um);
    }

    [Fact]
    public async Task CallBackTransfersTheCallerWithReferAndTheGatewayCallsTheDialString()
    {
        int uasPort = GatewayUas.FreePort();
        await using var um = new OpenUmProcess(output);
        await ConfigureAsync(um, uasPort);
        var message = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA);
        string id = await SubscriberFixtures.PlantMessageAsync(um, message.WavPath, callerId: "0612345678");
        await um.StartAsync();

        using var sink = new RtpSink();
        string work = System.IO.Directory.CreateTempSubdirectory("openum-callback-").FullName;
        try
        {
            string messages = Path.Combine(work, "messages.log");
            await using var uas = GatewayUas.Start(work, uasPort, sink.Port, messages);
            var mic = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceC);
            // Extension and PIN typed ahead; 5 once the ~8 s message and its caller ID digits have been played
            // (during the menu prompt, which the key interrupts): when the server has marked it heard, 32 s at the latest.
            string cur = Path.Combine(um.DataDir, "maildir", OpenUmProcess.MailboxAddress, "cur");
            bool Heard() => System.IO.Directory.Exists(cur) && System.IO.Directory.GetFiles(cur, id + ":2,*").Length > 0;
            var call = await BaresipPhone.CallAsync($"sip:{AccessNumber}@127.0.0.1:{um.SipPort}", mic.WavPath, TimeSpan.FromSeconds(60),
                Path.Combine(work, "heard.wav"), output,
                dtmf: new BaresipDtmf("1000#" + SubscriberFixtures.Pin + "#1", TimeSpan.FromSeconds(1)) // 1: the messages
                {
                    Then = new BaresipDtmf("5", TimeSpan.FromSeconds(32)) { When = Heard },
                });
            Assert.True(call.Established, "baresip call not established\n" + call.Describe() + "\n" + um.EventsText());
            await um.WaitForEventAsync(1036, null, TimeSpan.FromSeconds(20));

            var transfer = await um.WaitForEventAsync(2033, null, TimeSpan.FromSeconds(30));
            output.WriteLine("2033: " + transfer.Message);
            Assert.Equal("90612345678", transfer.Property("DialedNumber"));
            Assert.StartsWith("Transferred", transfer.Property("Outcome"), StringComparison.Ordinal);
            Assert.Contains($"sip:90612345678@127.0.0.1:{uasPort};transport=tcp", transfer.Property("Outcome"), StringComparison.Ordinal);
            // The server left the call (its BYE, not baresip's hang-up) and the message had been heard first.
            Assert.True(call.ClosedByPeer, "the server did not hang up after the transfer\n" + call.Describe() + "\n" + um.EventsText());
            // baresip's own report of the REFER it received (ctrl_tcp event TRANSFER with the Refer-To value).
            Assert.Contains(call.Events, e => e.Contains("\"TRANSFER\"", StringComparison.Ordinal)
                && e.Contains($"sip:90612345678@127.0.0.1:{uasPort};transport=tcp", StringComparison.Ordinal));
            string folder = Path.Combine(um.DataDir, "maildir", OpenUmProcess.MailboxAddress);
            Assert.Single(System.IO.Directory.GetFiles(Path.Combine(folder, "cur"), id + ":2,*"));
            Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 1076);

            // baresip called the Refer-To target itself: the UAS behind the gateway got the dial string.
            for (int i = 0; i < 100 && !(File.Exists(messages) && Regex.IsMatch(await GatewayUas.ReadLogAsync(messages), @"INVITE sip:90612345678@")); i++)
                await Task.Delay(100);
            string log = File.Exists(messages) ? await GatewayUas.ReadLogAsync(messages) : "";
            Assert.True(Regex.IsMatch(log, @"INVITE sip:90612345678@127\.0\.0\.1:" + uasPort),
                "the SIPp UAS did not receive the transferred call\n" + log + "\n" + uas.StdOut + uas.StdErr + "\n" + call.Describe());
            Assert.Single(Regex.Matches(log, @"^INVITE ", RegexOptions.Multiline));
            await um.AssertCleanStopAsync();
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
                System.IO.Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task CallBackToACallerIdOutsideTheRulesSendsNoRefer()
    {
        int uasPort = GatewayUas.FreePort();
        await using var um = new OpenUmProcess(output);
        await ConfigureAsync(um, uasPort);
        var message = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA);
        await SubscriberFixtures.PlantMessageAsync(um, message.WavPath, callerId: "0812345678");
        await um.StartAsync();

        string work = System.IO.Directory.CreateTempSubdirectory("openum-callback-").FullName;
        try
        {
            var mic = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceC);
            // All keys typed ahead: 5 (refused: "that number cannot be called"), then 6 (no more messages, goodbye).
            var call = await BaresipPhone.CallAsync($"sip:{AccessNumber}@127.0.0.1:{um.SipPort}", mic.WavPath, TimeSpan.FromSeconds(40),
                Path.Combine(work, "heard.wav"), output, dtmf: new BaresipDtmf("1000#" + SubscriberFixtures.Pin + "#156", TimeSpan.FromSeconds(1)));
            Assert.True(call.Established, "baresip call not established\n" + call.Describe() + "\n" + um.EventsText());
            Assert.True(call.ClosedByPeer, "the server did not end the call after the menu\n" + call.Describe() + "\n" + um.EventsText());
            var refusal = await um.WaitForEventAsync(1076, null, TimeSpan.FromSeconds(10));
            Assert.Contains("0812345678", refusal.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 2033);
            Assert.DoesNotContain("REFER", call.Log, StringComparison.Ordinal);
            Assert.DoesNotContain(call.Events, e => e.Contains("TRANSFER", StringComparison.Ordinal));
            await um.AssertCleanStopAsync();
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
                System.IO.Directory.Delete(work, recursive: true);
        }
    }
}
