using System.Globalization;
using System.Text.RegularExpressions;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.SubscriberAccess;

namespace OpenUM.Interop.Tests.CallAnswering;

/// <summary>
/// Issue 16 check 1: baresip, the phone behind gateway 127.0.0.1, calls mailbox 1000 and presses keys (RFC 4733)
/// during its greeting. '*' leads to the PIN prompt of that mailbox (never the extension prompt) and the PIN logs on;
/// 0 without an operator is answered "no operator is available" and the message is still taken; 0 with the dial
/// plan's operator set sends REFER to the dial string the outdialing engine made of it, at the gateway's address and
/// port, where a SIPp UAS stands for the gateway and receives baresip's INVITE to that dial string. One server.
/// </summary>
public sealed class GreetingKeysTests(ITestOutputHelper output)
{
    private const string Operator = "0140000000";  // a switchboard number: the rule Local makes it 90140000000
    private const string DialString = "90140000000";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private static async Task ConfigureAsync(OpenUmProcess um, int gatewayPort)
    {
        await um.CliOkAsync("dialplan", "new", "--name", "Test", "--number-of-digits-in-extension", "4",
            "--configured-in-country-or-region-groups", "Local,01xxxxxxxx,901xxxxxxxx", "--allowed-in-country-or-region-groups", "Local");
        // Calls come from 127.0.0.1 (baresip); a REFER names this gateway's address and port (the SIPp UAS, started for the last call).
        await um.CliOkAsync("gateway", "new", "--name", "phones", "--address", "127.0.0.1", "--port", gatewayPort.ToString(CultureInfo.InvariantCulture),
            "--dial-plan", "Test", "--outcalls-allowed", "true", "--message-waiting-indicator-allowed", "false");
        await um.CliOkAsync("mailbox", "new", "--extension", "1000", "--dial-plan", "Test", "--email", OpenUmProcess.MailboxAddress);
        await SubscriberFixtures.SetPinAsync(um);
    }

    [Fact]
    public async Task KeysDuringTheGreetingLogOnReachNoOperatorAndTransferToTheOperator()
    {
        int uasPort = GatewayUas.FreePort();
        await using var um = new OpenUmProcess(output);
        await ConfigureAsync(um, uasPort);
        await um.StartAsync();
        string mailbox = $"sip:1000@127.0.0.1:{um.SipPort}";
        var mic = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-greeting-keys-").FullName;
        try
        {
            // 1. '*' during the greeting, the PIN typed ahead (and 1 for the messages at the main menu): only the PIN is asked, the logon works, no message is left.
            string heard = Path.Combine(work, "logon.wav");
            var logon = await BaresipPhone.CallAsync(mailbox, mic.WavPath, TimeSpan.FromSeconds(25), heard, output,
                dtmf: new BaresipDtmf("*" + SubscriberFixtures.Pin + "#1", TimeSpan.FromSeconds(1.5)));   // 1: the messages (main menu)
            Assert.True(logon.Established, "baresip call not established\n" + logon.Describe() + "\n" + um.EventsText());
            Assert.Equal("1000", (await um.WaitForEventAsync(2073, null, HangGuard)).Property("Extension"));
            Assert.Equal("1000", (await um.WaitForEventAsync(1036, null, HangGuard)).Property("Extension"));
            Assert.True(logon.ClosedByPeer, "the server did not end the session (no messages, goodbye)\n" + logon.Describe());
            ExpectedPrompts.AssertHeard(heard, "enter-pin", "enter-extension", output);
            SecretCheck.AssertAbsent(SubscriberFixtures.Pin, um.EventsText(), "the events");

            // 2. 0 without an operator: said so, then the tone, and the message is recorded as usual.
            heard = Path.Combine(work, "no-operator.wav");
            var noOperator = await BaresipPhone.CallAsync(mailbox, mic.WavPath, TimeSpan.FromSeconds(14), heard, output,
                dtmf: new BaresipDtmf("0", TimeSpan.FromSeconds(1.5)));
            Assert.True(noOperator.Established, "baresip call not established\n" + noOperator.Describe());
            Assert.Equal("1000", (await um.WaitForEventAsync(2071, null, HangGuard)).Property("Extension"));
            ExpectedPrompts.AssertHeard(heard, "no-operator", "transferring-call", output);
            ExpectedPrompts.AssertHeard(heard, "leave-message", "enter-pin", output);
            Assert.Single(await um.WaitForDeliveriesAsync(OpenUmProcess.MailboxAddress, 1, HangGuard));
            Assert.DoesNotContain(um.ReadEvents(), e => e.Id is 2070 or 2072 or 1076);

            // 3. The operator set (live): 0 sends REFER to the engine's dial string, and the gateway's UAS gets the INVITE.
            int reloads = um.ReadEvents().Count(e => e.Id == 2011);
            await um.CliOkAsync("dialplan", "set", "Test", "--operator-extension", Operator);
            await um.WaitForEventAsync(2011, _ => um.ReadEvents().Count(e => e.Id == 2011) > reloads, HangGuard);
            using var sink = new RtpSink();
            string messages = Path.Combine(work, "messages.log");
            await using var uas = GatewayUas.Start(work, uasPort, sink.Port, messages);
            heard = Path.Combine(work, "operator.wav");
            var transferred = await BaresipPhone.CallAsync(mailbox, mic.WavPath, TimeSpan.FromSeconds(30), heard, output,
                dtmf: new BaresipDtmf("0", TimeSpan.FromSeconds(1.5)));
            Assert.True(transferred.Established, "baresip call not established\n" + transferred.Describe());
            var transfer = await um.WaitForEventAsync(2070, null, HangGuard);
            output.WriteLine("2070: " + transfer.Message);
            Assert.Equal(Operator, transfer.Property("OperatorExtension"));
            Assert.Equal(DialString, transfer.Property("DialedNumber"));
            string target = $"sip:{DialString}@127.0.0.1:{uasPort};transport=tcp";
            Assert.StartsWith("Transferred to " + target, transfer.Property("Outcome"), StringComparison.Ordinal);
            Assert.True(transferred.ClosedByPeer, "the server did not leave the call after the transfer\n" + transferred.Describe());
            Assert.Contains(transferred.Events, e => e.Contains("\"TRANSFER\"", StringComparison.Ordinal) && e.Contains(target, StringComparison.Ordinal));
            // (What baresip heard is not checked here: its recording then follows the new call, to the UAS, which sends no audio.)

            for (int i = 0; i < 100 && !(File.Exists(messages) && Regex.IsMatch(await GatewayUas.ReadLogAsync(messages), "INVITE sip:" + DialString + "@")); i++)
                await Task.Delay(100);
            string log = File.Exists(messages) ? await GatewayUas.ReadLogAsync(messages) : "";
            Assert.True(Regex.IsMatch(log, $@"INVITE sip:{DialString}@127\.0\.0\.1:{uasPort}"),
                "the SIPp UAS did not receive the operator's call\n" + log + "\n" + uas.StdOut + uas.StdErr + "\n" + transferred.Describe());
            // Transferred, not recorded: still the one message of the second call.
            Assert.Single(um.DeliveredFiles(OpenUmProcess.MailboxAddress));
            Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 1076);
            await um.AssertCleanStopAsync();
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
                System.IO.Directory.Delete(work, recursive: true);
        }
    }
}
