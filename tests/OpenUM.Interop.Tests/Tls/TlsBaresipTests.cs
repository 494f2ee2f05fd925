using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Tls;

/// <summary>
/// baresip presenting the gateway certificate over mutual TLS calls the SipSecured dial plan (plain RTP)
/// and leaves a voice message; a capture of the same kind of call shows no plaintext SIP on the TLS port
/// and plain G.711 RTP. SipSecured answers an SRTP offer with plain RTP and refuses an RTP/SAVP-only offer (488).
/// </summary>
public sealed class TlsBaresipTests(ITestOutputHelper output)
{
    private const double LeadInSeconds = 10;

    [Fact]
    public async Task BaresipLeavesVoiceMailOverMutualTls()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync();
        await server.StartAsync("TLS");

        var clip = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceB, LeadInSeconds);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-tls-baresip-").FullName;
        try
        {
            var call = await CallAsync(server, clip, work);
            string[] files = await server.WaitForDeliveriesAsync(1, TimeSpan.FromSeconds(60));
            Assert.Single(files);
            var mail = VoiceMailFile.Open(files[0], TlsUmServer.MailboxAddress, work);
            short[] sent = [.. clip.Samples, .. new short[10 * RecordingCheck.Rate]];
            var greetingAndBeep = TimeSpan.FromSeconds(ExpectedPrompts.DefaultGreeting("1000").Length / (double)RecordingCheck.Rate + 0.5);
            var a = await RecordingCheck.AssertHoldsAsync(mail, sent, clip, greetingAndBeep, call.Describe());
            output.WriteLine($"recording vs sent: {a}");

            // The call came in over TLS from the gateway named in the certificate.
            Assert.True(server.Um.ReadEvents().Any(e => e.Id == 2002), "no event 2002 (call answered)\n" + server.Diagnostics);
            Assert.DoesNotContain(server.Um.ReadEvents(), e => e.Id is 1426 or 1113 or 1021);
            await server.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task CaptureShowsNoPlaintextSipAndPlainRtp()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync();
        await server.StartAsync("TLS");

        var clip = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceB, LeadInSeconds);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-tls-capture-").FullName;
        try
        {
            var (first, last) = server.RtpPorts;
            await using var capture = await LoopbackCapture.StartAsync(
                $"tcp port {server.TlsPort} or udp portrange {first}-{last}", TimeSpan.FromMinutes(5));
            await CallAsync(server, clip, work);
            await server.WaitForDeliveriesAsync(1, TimeSpan.FromSeconds(60));
            await capture.StopAsync();

            var v = await capture.AnalyzeAsync(server.TlsPort, server.RtpPorts);
            output.WriteLine($"capture on lo: {v}");
            string what = $"capture on lo, TLS port {server.TlsPort}, server RTP {first}-{last}: {v}";
            Assert.True(v.ClientHellos >= 1 && v.TlsRecords >= 10, "no TLS seen on the TLS port: " + what);
            Assert.True(v.FramesWithSipText == 0 && v.DecodedSip == 0, "plaintext SIP on the TLS port: " + what);
            // SipSecured: RTP in clear, PCMU @20 ms = 160-byte payloads, both directions.
            Assert.True(v.RtpToServer >= 100 && v.RtpFromServer >= 100, "too little RTP seen in either direction: " + what);
            Assert.True(v.PlainG711Packets >= 0.95 * (v.PlainG711Packets + v.OtherPayloadPackets),
                "PCMU packets without 160-byte payloads (SRTP adds a 4/10-byte tag): " + what);
            Assert.True(v.PlainG711Packets >= 200, "fewer than 200 plain PCMU packets: " + what);
            await server.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task SrtpOfferToSipSecuredAnsweredWithPlainRtp()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync();
        await server.StartAsync("TLS");

        var clip = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceB, LeadInSeconds);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-tls-srtp-offer-").FullName;
        try
        {
            var (first, last) = server.RtpPorts;
            await using var capture = await LoopbackCapture.StartAsync($"udp portrange {first}-{last}", TimeSpan.FromMinutes(5));
            // mediaenc=srtp: SDES a=crypto offered on RTP/AVP; SipSecured answers without crypto, plain RTP.
            var call = await CallAsync(server, clip, work, "srtp");
            Assert.True(call.Log.Contains("Using media encryption 'srtp'", StringComparison.Ordinal),
                "baresip did not run with mediaenc=srtp (SDES offer)\n" + call.Describe());
            await server.WaitForDeliveriesAsync(1, TimeSpan.FromSeconds(60));
            await capture.StopAsync();
            var v = await capture.AnalyzeAsync(server.TlsPort, server.RtpPorts);
            string what = $"SRTP offered to a SipSecured dial plan; capture: {v}\n{call.Describe()}";
            output.WriteLine(what);
            Assert.True(v.RtpToServer >= 100 && v.RtpFromServer >= 100, "too little RTP seen in either direction: " + what);
            Assert.True(v.OtherPayloadPackets == 0 && v.PlainG711Packets >= 200, "the media is not plain PCMU both ways: " + what);
            await server.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task SavpOnlyOfferToSipSecuredGets488()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync();
        await server.StartAsync("TLS");

        var clip = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceB, 0);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-tls-savp-").FullName;
        try
        {
            // mediaenc=srtp-mand: RTP/SAVP only, which SipSecured (plain RTP) cannot accept.
            var call = await BaresipPhone.CallAsync($"sip:1000@127.0.0.1:{server.TlsPort};transport=tls", clip.WavPath, TimeSpan.FromSeconds(2),
                Path.Combine(work, "heard.wav"), output, new BaresipTls(server.Pki.Pem("gw1"), server.Pki.CaCrt, "srtp-mand"));
            Assert.False(call.Established, "an RTP/SAVP-only offer to a SipSecured dial plan was answered\n" + call.Describe() + "\n" + server.Diagnostics);
            Assert.True(call.CloseReason.Contains("488", StringComparison.Ordinal) || call.Log.Contains("488 Not Acceptable", StringComparison.Ordinal),
                $"expected 488 for an RTP/SAVP-only offer, baresip closed with '{call.CloseReason}'\n{call.Describe()}\n{server.Diagnostics}");
            Assert.Empty(server.Um.AllMaildirFiles());
            await server.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    private async Task<BaresipCallResult> CallAsync(TlsUmServer server, SpeechClip clip, string work, string? mediaEnc = null)
    {
        var holdFor = TimeSpan.FromSeconds(clip.Samples.Length / (double)RecordingCheck.Rate + 1);
        var call = await BaresipPhone.CallAsync($"sip:1000@127.0.0.1:{server.TlsPort};transport=tls", clip.WavPath, holdFor,
            Path.Combine(work, "heard.wav"), output, new BaresipTls(server.Pki.Pem("gw1"), server.Pki.CaCrt, mediaEnc));
        Assert.True(call.Established, "baresip call over TLS not established\n" + call.Describe() + "\n" + server.Diagnostics);
        Assert.False(call.ClosedByPeer, "the server hung up before baresip did\n" + call.Describe() + "\n" + server.Diagnostics);
        return call;
    }
}
