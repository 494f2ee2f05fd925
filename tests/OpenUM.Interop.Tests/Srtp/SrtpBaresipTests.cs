using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Srtp;

/// <summary>
/// SEC-3 end to end: baresip over mutual TLS with SRTP mandatory (SDES, RTP/SAVP) calls a Secured dial plan.
/// The voice message holds what baresip said, baresip hears the greeting, and on the wire the audio is not G.711.
/// Debian's baresip 1.0.0 offers only AES_CM_128_HMAC_SHA1_80 when it calls (the other suites, which it answers,
/// are covered by <see cref="SrtpSuiteInteropTests"/>); the test also proves the server's preference is honoured:
/// a server that accepts only another suite refuses that offer.
/// </summary>
public sealed class SrtpBaresipTests(ITestOutputHelper output)
{
    private const double LeadInSeconds = 10;

    [Fact]
    public async Task BaresipLeavesVoiceMailOverSrtp()
    {
        const string suite = "AES_CM_128_HMAC_SHA1_80";
        await using var server = await SecuredServerAsync(suite);
        var clip = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceB, LeadInSeconds);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-srtp-baresip-").FullName;
        try
        {
            string heardPath = Path.Combine(work, "heard.wav");
            var call = await CallAsync(server, clip, heardPath);
            Assert.True(call.Log.Contains($"SRTP is Enabled (cryptosuite={suite})", StringComparison.Ordinal),
                $"baresip did not report SRTP with {suite}\n{call.Describe()}");
            var answered = server.Um.ReadEvents().FirstOrDefault(e => e.Id == 2002);
            Assert.True(answered is not null && answered.Raw.Contains("SRTP " + suite, StringComparison.Ordinal),
                $"event 2002 does not name SRTP {suite}: {answered?.Raw}\n{server.Diagnostics}");

            // The voice message holds what baresip said (decrypted correctly, in order).
            string[] files = await server.WaitForDeliveriesAsync(1, TimeSpan.FromSeconds(60));
            Assert.Single(files);
            var mail = VoiceMailFile.Open(files[0], TlsUmServer.MailboxAddress, work);
            short[] sent = [.. clip.Samples, .. new short[10 * RecordingCheck.Rate]];
            short[] greeting = ExpectedPrompts.DefaultGreeting("1000");
            var greetingAndBeep = TimeSpan.FromSeconds(greeting.Length / (double)RecordingCheck.Rate + 0.5);
            var a = await RecordingCheck.AssertHoldsAsync(mail, sent, clip, greetingAndBeep, call.Describe());
            output.WriteLine($"{suite}: recording vs sent: {a}");

            // baresip decrypted our greeting: intelligible audio with the greeting's energy envelope, not noise.
            Assert.True(call.ReceivedWav is not null, "baresip wrote no received audio\n" + call.Describe());
            short[] heard = PcmWav.Read(heardPath).Mono();
            var g = AudioCompare.Align(heard, greeting, RecordingCheck.Rate, TimeSpan.Zero);
            output.WriteLine($"{suite}: baresip heard the greeting: {g}");
            Assert.True(g.Correlation > AudioCompare.SameAudioThreshold, $"baresip did not hear the greeting over SRTP: {g}\n{call.Describe()}");

            // No packet was refused, and the summary event says so.
            var summary = await server.WaitForEventSinceAsync(0, 2006, null, TimeSpan.FromSeconds(30), "SRTP call summary");
            Assert.True(summary.Property("rtpAuthenticationFailures") == "0" && summary.Property("rtpReplays") == "0",
                $"SRTP packets of a clean call were rejected: {summary.Raw}");
            await server.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// tshark proof: no plaintext SIP on the TLS port, SRTP-sized packets (160 + 10-byte tag), and what an
    /// eavesdropper decodes as PCMU is uncorrelated with what was said. The same check on a SipSecured call
    /// (plain RTP) must find the speech: the control shows the check can fail.
    /// </summary>
    [Fact]
    public async Task WireCarriesNoG711OnSecuredButDoesOnSipSecured()
    {
        var clip = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceB, LeadInSeconds);
        short[] sent = [.. clip.Samples, .. new short[10 * RecordingCheck.Rate]];

        var secured = await CaptureCallAsync("Secured", "srtp-mand", clip);
        var plain = await CaptureCallAsync("SipSecured", null, clip);
        var securedMatch = AudioCompare.Align(sent, secured.Wire, RecordingCheck.Rate, TimeSpan.FromSeconds(0.5), clip.SpeechStart, clip.SpeechEnd);
        var plainMatch = AudioCompare.Align(sent, plain.Wire, RecordingCheck.Rate, TimeSpan.FromSeconds(0.5), clip.SpeechStart, clip.SpeechEnd);
        string what = $"Secured: {secured.Verdict}; wire vs speech {securedMatch}\nSipSecured: {plain.Verdict}; wire vs speech {plainMatch}";
        output.WriteLine(what);

        Assert.True(secured.Verdict.ClientHellos >= 1 && secured.Verdict.FramesWithSipText == 0 && secured.Verdict.DecodedSip == 0,
            "plaintext SIP on the TLS port of the Secured call: " + what);
        Assert.True(secured.Verdict.RtpToServer >= 100 && secured.Verdict.RtpFromServer >= 100, "too little RTP on the Secured call: " + what);
        Assert.True(secured.Verdict.PlainG711Packets == 0, "160-byte PCMU payloads (no auth tag) on the Secured call: " + what);
        Assert.True(secured.Verdict.PayloadHistogram.Contains("170x", StringComparison.Ordinal), "no 170-byte payloads (160 + 80-bit tag): " + what);
        Assert.True(secured.Wire.Length >= 5 * RecordingCheck.Rate, "less than 5 s of audio captured on the Secured call: " + what);
        Assert.True(securedMatch.Correlation < 0.5, "the Secured call's payloads decode to the caller's speech: " + what);
        Assert.True(plainMatch.Correlation > AudioCompare.SameAudioThreshold, "control failed: plain RTP did not decode to the speech: " + what);
    }

    [Fact]
    public async Task OfferWithoutAnAcceptedSuiteGets488()
    {
        await using var server = await SecuredServerAsync("AEAD_AES_256_GCM");
        var clip = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceB, 0);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-srtp-suite-").FullName;
        try
        {
            var call = await BaresipPhone.CallAsync(Target(server), clip.WavPath, TimeSpan.FromSeconds(2),
                Path.Combine(work, "heard.wav"), output, new BaresipTls(server.Pki.Pem("gw1"), server.Pki.CaCrt, "srtp-mand"));
            Assert.False(call.Established, "an offer of a suite the server does not accept was answered\n" + call.Describe());
            await server.WaitForEventSinceAsync(0, 1021, e => e.Raw.Contains("No acceptable SRTP crypto suite", StringComparison.Ordinal),
                TimeSpan.FromSeconds(20), "event 1021 naming the suites");
            await server.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task PlainRtpOfferToSecuredGets488()
    {
        await using var server = await SecuredServerAsync(null);
        var clip = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceB, 0);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-srtp-plain-").FullName;
        try
        {
            var call = await BaresipPhone.CallAsync(Target(server), clip.WavPath, TimeSpan.FromSeconds(2),
                Path.Combine(work, "heard.wav"), output, new BaresipTls(server.Pki.Pem("gw1"), server.Pki.CaCrt));
            Assert.False(call.Established, "a plain RTP offer to a Secured dial plan was answered\n" + call.Describe() + "\n" + server.Diagnostics);
            Assert.True(call.CloseReason.Contains("488", StringComparison.Ordinal) || call.Log.Contains("488 Not Acceptable", StringComparison.Ordinal),
                $"expected 488, baresip closed with '{call.CloseReason}'\n{call.Describe()}\n{server.Diagnostics}");
            // The event log is written asynchronously: wait for the refusal rather than read it once.
            await server.WaitForEventSinceAsync(0, 1021, e => e.Raw.Contains("a=crypto", StringComparison.Ordinal),
                TimeSpan.FromSeconds(20), "event 1021 saying the offer had no a=crypto");
            Assert.Empty(server.Um.AllMaildirFiles());
            await server.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    private async Task<(CaptureVerdict Verdict, short[] Wire)> CaptureCallAsync(string voipSecurity, string? mediaEnc, SpeechClip clip)
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync(voipSecurity: voipSecurity);
        await PhoneHangsUpFirstAsync(server);
        if (voipSecurity == "Secured")
            await server.Um.CliOkAsync("server", "set", "--srtp-crypto-suites", "AES_CM_128_HMAC_SHA1_80");
        await server.StartAsync("TLS");
        string work = System.IO.Directory.CreateTempSubdirectory("openum-srtp-capture-").FullName;
        try
        {
            var (first, last) = server.RtpPorts;
            await using var capture = await LoopbackCapture.StartAsync(
                $"tcp port {server.TlsPort} or udp portrange {first}-{last}", TimeSpan.FromMinutes(5));
            await CallAsync(server, clip, Path.Combine(work, "heard.wav"), mediaEnc);
            await server.WaitForDeliveriesAsync(1, TimeSpan.FromSeconds(60));
            await capture.StopAsync();
            var verdict = await capture.AnalyzeAsync(server.TlsPort, server.RtpPorts);
            var wire = await capture.PcmuHeardOnTheWireAsync(server.RtpPorts);
            await server.AssertCleanStopAsync();
            return (verdict, wire);
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    private async Task<TlsUmServer> SecuredServerAsync(string? suite)
    {
        var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync(voipSecurity: "Secured");
        await PhoneHangsUpFirstAsync(server);
        if (suite is not null)
            await server.Um.CliOkAsync("server", "set", "--srtp-crypto-suites", suite);
        await server.StartAsync("TLS");
        return server;
    }

    // The phone hangs up about a second after the clip's speech; the dial plan's 5 s of silence that end a recording
    // left under 4 s for that, which a loaded machine has used up (the server then hangs up first, and CallAsync
    // says so). These tests are about the media, not the idle timeout: the longest allowed, 10 s, more than doubles the margin.
    private static Task PhoneHangsUpFirstAsync(TlsUmServer server) =>
        server.Um.CliOkAsync("dialplan", "set", TlsUmServer.DialPlan, "--recording-idle-timeout", "10");

    private static string Target(TlsUmServer server) => $"sip:1000@127.0.0.1:{server.TlsPort};transport=tls";

    private async Task<BaresipCallResult> CallAsync(TlsUmServer server, SpeechClip clip, string heardPath, string? mediaEnc = "srtp-mand")
    {
        var holdFor = TimeSpan.FromSeconds(clip.Samples.Length / (double)RecordingCheck.Rate + 1);
        var call = await BaresipPhone.CallAsync(Target(server), clip.WavPath, holdFor, heardPath, output,
            new BaresipTls(server.Pki.Pem("gw1"), server.Pki.CaCrt, mediaEnc));
        Assert.True(call.Established, "baresip call over TLS not established\n" + call.Describe() + "\n" + server.Diagnostics);
        Assert.False(call.ClosedByPeer, "the server hung up before baresip did\n" + call.Describe() + "\n" + server.Diagnostics);
        return call;
    }
}
