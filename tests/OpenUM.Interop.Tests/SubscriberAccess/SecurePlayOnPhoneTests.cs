using System.Globalization;
using System.Text.Json;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.SubscriberAccess;

/// <summary>
/// Issue 15 check 5: Play on Phone on a Secured dial plan is as secure as a call the gateway sends. `openum mailbox
/// play-on-phone` calls through Kamailio (mutual TLS, a client certificate required) to a baresip with SRTP mandatory:
/// the phone hears the message, and on the wire there is no plain SIP and no plain RTP. A gateway presenting a
/// certificate that does not name its FQDN is refused before any SIP is sent (exit 1, the reason names the mismatch,
/// event 1400); the next call that connects reports the recovery (1401).
/// </summary>
public sealed class SecurePlayOnPhoneTests(ITestOutputHelper output)
{
    private const string Plan = "Secure";

    // Not the built-in first choice, so the offer is seen to follow the server's configured preference.
    private const string Suite = "AES_CM_128_HMAC_SHA1_32";

    [Fact]
    public async Task PlayOnPhoneOverMutualTlsAndSrtpRefusesAGatewayWithTheWrongName()
    {
        var pki = await TestPki.GetAsync();
        await using var um = new OpenUmProcess(output);
        var message = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA);
        var phoneSays = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceC);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-secure-pop-").FullName;
        try
        {
            await ConfigureAsync(um, pki);
            string id = await SubscriberFixtures.PlantMessageAsync(um, message.WavPath);
            var rtp = TestPorts.RtpRange(20);
            string heardPath = Path.Combine(work, "heard.wav");
            ProcessResult? refused = null, played = null;
            string afterRefusal = "", proxyLog = "";
            CaptureVerdict? verdict = null;
            short[] wire = [];

            var call = await BaresipPhone.AnswerAsync(phoneSays.WavPath, heardPath, new BaresipTls(pki.Pem("gw1"), pki.CaCrt, "srtp-mand"),
                async phoneTlsPort =>
                {
                    await using var proxy = await KamailioProxy.StartAsync(pki, phoneTlsPort, output);
                    await um.CliOkAsync("gateway", "set", "gw1", "--port", proxy.Port.ToString(CultureInfo.InvariantCulture));

                    // gw1.example.test resolves to the listener that presents other.example.test.
                    refused = await PlayOnPhoneAsync(um, work, KamailioProxy.WrongNameAddress, id, rtp);
                    afterRefusal = proxy.Log;

                    await using var capture = await LoopbackCapture.StartAsync(
                        $"tcp port {proxy.Port} or udp portrange {rtp.First}-{rtp.Last}", TimeSpan.FromMinutes(3));
                    played = await PlayOnPhoneAsync(um, work, KamailioProxy.Address, id, rtp);
                    await capture.StopAsync();
                    proxyLog = proxy.Log;
                    verdict = await capture.AnalyzeAsync(proxy.Port, rtp);
                    wire = await capture.PcmuHeardOnTheWireAsync(rtp, fromServer: true);
                }, TimeSpan.FromSeconds(120), output);

            // The wrong name: refused at the handshake, nothing sent, the reason says which name did not match.
            Assert.NotNull(refused);
            Assert.True(refused.ExitCode == 1, "play-on-phone to a gateway with the wrong certificate did not fail\n" + refused.Describe());
            string reason = Json(refused).GetProperty("reason").GetString() ?? "";
            Assert.True(reason.Contains("NameNotAGateway", StringComparison.Ordinal) && reason.Contains("other.example.test", StringComparison.Ordinal)
                && reason.Contains(TestPki.GatewayName, StringComparison.Ordinal), "the reason does not name the mismatch: " + reason);
            Assert.DoesNotContain("openum-proxy: INVITE", afterRefusal);
            var unhealthy = um.ReadEvents().Where(e => e.Id == 1400).ToList();
            Assert.True(unhealthy.Count == 1 && unhealthy[0].Message.Contains("NameNotAGateway", StringComparison.Ordinal),
                "expected one event 1400 naming the refusal\n" + um.EventsText());

            // The right name: played over TLS and SRTP, and the phone heard the message.
            Assert.NotNull(played);
            Assert.True(played.ExitCode == 0, "secure play-on-phone failed\n" + played.Describe() + "\n" + call.Describe() + "\n" + proxyLog);
            Assert.True(Json(played).GetProperty("played").GetBoolean(), played.StdOut);
            Assert.Contains("openum-proxy: INVITE", proxyLog);
            Assert.True(call.Log.Contains($"SRTP is Enabled (cryptosuite={Suite})", StringComparison.Ordinal),
                $"baresip did not report SRTP with the server's suite {Suite}\n" + call.Describe());
            Assert.True(call.ReceivedWav is not null, "baresip wrote no received audio\n" + call.Describe());
            var heard = AudioCompare.Align(PcmWav.Read(heardPath).Mono(), message.Samples, RecordingCheck.Rate, TimeSpan.FromSeconds(0.5));
            output.WriteLine($"baresip heard vs the message: {heard}");
            Assert.True(heard.Correlation >= AudioCompare.SameAudioThreshold, $"the phone did not hear the message: {heard}\n{call.Describe()}");
            Assert.Contains(um.ReadEvents(), e => e.Id == 1401 && e.Message.Contains("gw1", StringComparison.Ordinal));

            // The wire: TLS only on the proxy's port, SRTP-sized packets, and OpenUM's packets do not decode to the message.
            Assert.NotNull(verdict);
            var eavesdropped = AudioCompare.Align(wire, message.Samples, RecordingCheck.Rate, TimeSpan.FromSeconds(0.5));
            string what = $"{verdict}; OpenUM's RTP decoded as PCMU vs the message: {eavesdropped}";
            output.WriteLine(what);
            Assert.True(verdict.ClientHellos >= 1 && verdict.FramesWithSipText == 0 && verdict.DecodedSip == 0, "plain SIP on the gateway leg: " + what);
            // tshark's RTP heuristic may miss the first packets of a stream: 90 % of the message's 20 ms packets.
            Assert.True(verdict.RtpFromServer >= message.Samples.Length / 160 * 9 / 10, "too little media from OpenUM: " + what);
            Assert.True(verdict.PlainG711Packets == 0, "160-byte PCMU payloads (no authentication tag): " + what);
            // Every packet is 160 bytes of G.711 plus the 4-byte tag of the server's suite, both ways.
            Assert.True(verdict.PayloadHistogram.Split(' ').All(e => e.StartsWith("164x", StringComparison.Ordinal)), "payloads without the suite's tag: " + what);
            Assert.True(wire.Length >= 5 * RecordingCheck.Rate, "less than 5 s of OpenUM's audio captured: " + what);
            Assert.True(eavesdropped.Correlation < 0.5, "OpenUM's packets decode to the message: " + what);
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
                System.IO.Directory.Delete(work, recursive: true);
        }
    }

    // The server's certificate (um.example.test), the test CA and an SRTP suite preference; a Secured dial plan whose gateway gw1.example.test
    // may be called out through (Mobile numbers), and mailbox 1000 whose policy allows them.
    private static async Task ConfigureAsync(OpenUmProcess um, TestPki pki)
    {
        await um.CliOkAsync("cert", "trust", pki.CaCrt);
        await um.CliOkAsync("cert", "import", pki.Crt("um"), "--key", pki.Key("um"));
        await um.CliOkAsync("server", "set", "--srtp-crypto-suites", Suite);
        await um.CliOkAsync("dialplan", "new", "--name", Plan, "--number-of-digits-in-extension", "4", "--voip-security", "Secured",
            "--configured-in-country-or-region-groups", "Mobile,06xxxxxxxx,906xxxxxxxx");
        await um.CliOkAsync("gateway", "new", "--name", "gw1", "--address", TestPki.GatewayName, "--dial-plan", Plan, "--outcalls-allowed", "true");
        await um.CliOkAsync("mailboxpolicy", "new", "--name", "Staff", "--dial-plan", Plan, "--allowed-in-country-or-region-groups", "Mobile");
        await um.CliOkAsync("mailbox", "new", "--extension", "1000", "--dial-plan", Plan, "--email", OpenUmProcess.MailboxAddress,
            "--mailbox-policy", "Staff");
    }

    // The CLI in a mount namespace of its own whose /etc/hosts resolves the gateway's FQDN to gatewayAddress.
    private async Task<ProcessResult> PlayOnPhoneAsync(OpenUmProcess um, string work, string gatewayAddress, string id, (int First, int Last) rtp)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        string[] command =
        [
            dotnet, Path.Combine(AppContext.BaseDirectory, "openum.dll"), "mailbox", "play-on-phone", "--dial-plan", Plan, "--extension", "1000",
            "--message", id, "--phone", "0612345678", "--rtp-ports", $"{rtp.First}-{rtp.Last}", "--json", "--data-dir", um.DataDir,
        ];
        var (file, args) = new ServeEnvironment(new Dictionary<string, string> { [TestPki.GatewayName] = gatewayAddress }).Wrap(command, work);
        var result = await ChildProcess.RunAsync(file, args, TimeSpan.FromSeconds(120));
        output.WriteLine(result.Describe());
        return result;
    }

    private static JsonElement Json(ProcessResult result)
    {
        using var doc = JsonDocument.Parse(result.StdOut);
        return doc.RootElement.Clone();
    }
}
