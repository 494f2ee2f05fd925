using System.Globalization;
using System.Text.Json;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.SubscriberAccess;

/// <summary>
/// Issue 5 check 5: `openum mailbox play-on-phone` to a SIPp UAS behind a test gateway (OutcallsAllowed):
/// an allowed number gets the INVITE and the message's audio; a number outside the rules gets no INVITE (1076).
/// </summary>
public sealed class PlayOnPhoneTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PlayOnPhoneCallsAllowedNumbersOnlyAndSendsTheMessage()
    {
        await using var um = new OpenUmProcess(output);
        int uasPort = GatewayUas.FreePort();
        await um.CliOkAsync("dialplan", "new", "--name", "Test", "--number-of-digits-in-extension", "4",
            "--configured-in-country-or-region-groups", "Mobile,06xxxxxxxx,906xxxxxxxx");
        await um.CliOkAsync("gateway", "new", "--name", "phones", "--address", "127.0.0.1", "--port", uasPort.ToString(CultureInfo.InvariantCulture),
            "--dial-plan", "Test", "--outcalls-allowed", "true");
        await um.CliOkAsync("mailboxpolicy", "new", "--name", "Staff", "--dial-plan", "Test", "--allowed-in-country-or-region-groups", "Mobile");
        await um.CliOkAsync("mailbox", "new", "--extension", "1000", "--dial-plan", "Test", "--email", OpenUmProcess.MailboxAddress,
            "--mailbox-policy", "Staff");
        var message = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA);
        string id = await SubscriberFixtures.PlantMessageAsync(um, message.WavPath);

        var listed = await um.CliOkAsync("mailbox", "messages", "--dial-plan", "Test", "--extension", "1000", "--json");
        using (var doc = JsonDocument.Parse(listed.StdOut))
            Assert.Equal(id, Assert.Single(doc.RootElement.EnumerateArray()).GetProperty("id").GetString());

        using var sink = new RtpSink();
        string work = System.IO.Directory.CreateTempSubdirectory("openum-uas-").FullName;
        try
        {
            string scenario = Resources.WriteTo("Scenarios/uas-answers.xml", work);
            await using var uas = ChildProcess.Start(Peers.Sipp,
            [
                "-sf", scenario, "-t", "t1", "-i", "127.0.0.1", "-p", uasPort.ToString(CultureInfo.InvariantCulture),
                "-mp", (uasPort + 2).ToString(CultureInfo.InvariantCulture), "-m", "1", "-key", "rtp_port", sink.Port.ToString(CultureInfo.InvariantCulture),
                "-timeout", "90", "-timeout_error", "-nostdin", "-trace_msg", "-message_file", Path.Combine(work, "messages.log"),
            ], work);
            for (int i = 0; i < 100 && TestPorts.ListenerFree(uasPort); i++) await Task.Delay(100);
            Assert.False(TestPorts.ListenerFree(uasPort), "SIPp UAS is not listening\n" + uas.StdOut + uas.StdErr);
            var rtp = TestPorts.RtpRange(20);
            string rtpPorts = $"{rtp.First}-{rtp.Last}";

            // Outside the rules: refused before anything is sent.
            var denied = await um.CliAsync("mailbox", "play-on-phone", "--dial-plan", "Test", "--extension", "1000", "--message", id,
                "--phone", "0812345678", "--rtp-ports", rtpPorts, "--json");
            Assert.Equal(1, denied.ExitCode);
            var refusal = Assert.Single(um.ReadEvents(), e => e.Id == 1076);
            Assert.Contains("0812345678", refusal.Message);
            string log = File.Exists(Path.Combine(work, "messages.log")) ? await File.ReadAllTextAsync(Path.Combine(work, "messages.log")) : "";
            Assert.DoesNotContain("INVITE", log);
            Assert.Equal(0, sink.PacketCount);

            // Allowed: the call goes through the gateway with the rule's dial string, and the message is played.
            var played = await um.CliAsync("mailbox", "play-on-phone", "--dial-plan", "Test", "--extension", "1000", "--message", id,
                "--phone", "0612345678", "--rtp-ports", rtpPorts, "--json");
            Assert.True(played.ExitCode == 0, "play-on-phone failed\n" + played.Describe() + "\n" + uas.StdOut);
            Assert.True(await uas.WaitForExitAsync(TimeSpan.FromSeconds(30)), "SIPp UAS did not finish its call\n" + uas.StdOut);
            Assert.True(uas.ExitCode == 0, $"SIPp UAS exit {uas.ExitCode}\n{uas.StdOut}{uas.StdErr}");
            log = await File.ReadAllTextAsync(Path.Combine(work, "messages.log"));
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(log, @"INVITE sip:90612345678@"));

            using (var doc = JsonDocument.Parse(played.StdOut))
                Assert.True(doc.RootElement.GetProperty("played").GetBoolean(), played.StdOut);
            int expectedPackets = message.Samples.Length / 160;
            output.WriteLine($"RTP packets at the UAS: {sink.PacketCount} (message {message.Samples.Length / 8000.0:0.00} s = {expectedPackets} packets of 20 ms)");
            Assert.True(sink.PacketCount >= expectedPackets - 5, $"only {sink.PacketCount} RTP packets for {expectedPackets} expected");
            var heard = AudioCompare.Align(sink.Audio(), message.Samples, RecordingCheck.Rate, TimeSpan.FromSeconds(0.5));
            output.WriteLine($"audio at the UAS vs the message: {heard}");
            Assert.True(heard.Correlation > AudioCompare.SameAudioThreshold, $"the UAS did not receive the message: {heard}");
            Assert.Contains(um.ReadEvents(), e => e.Id == 2032 && e.Message.Contains("Played", StringComparison.Ordinal));
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
                System.IO.Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task PlayOnPhoneWithoutOutboundGatewayLogs1310()
    {
        await using var um = new OpenUmProcess(output);
        await um.CliOkAsync("dialplan", "new", "--name", "Test", "--number-of-digits-in-extension", "4",
            "--configured-in-country-or-region-groups", "Mobile,06xxxxxxxx,906xxxxxxxx");
        await um.CliOkAsync("gateway", "new", "--name", "inbound", "--address", "127.0.0.1", "--dial-plan", "Test", "--outcalls-allowed", "false");
        await um.CliOkAsync("mailboxpolicy", "new", "--name", "Staff", "--dial-plan", "Test", "--allowed-in-country-or-region-groups", "Mobile");
        await um.CliOkAsync("mailbox", "new", "--extension", "1000", "--dial-plan", "Test", "--email", OpenUmProcess.MailboxAddress,
            "--mailbox-policy", "Staff");
        var message = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA);
        string id = await SubscriberFixtures.PlantMessageAsync(um, message.WavPath);
        var result = await um.CliAsync("mailbox", "play-on-phone", "--dial-plan", "Test", "--extension", "1000", "--message", id,
            "--phone", "0612345678", "--json");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("NoOutboundGateway", result.StdOut);
        Assert.Contains(um.ReadEvents(), e => e.Id == 1310);
    }
}
