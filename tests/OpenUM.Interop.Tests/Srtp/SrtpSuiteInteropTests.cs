using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;
using OpenUM.Media;
using OpenUM.Media.Audio;
using OpenUM.Media.Sdp;
using OpenUM.Media.Session;
using OpenUM.Media.Srtp;
using OpenUM.Security;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Interop.Tests.Srtp;

/// <summary>
/// Every suite against a third-party SRTP stack. Debian's baresip 1.0.0 offers only AES_CM_128_HMAC_SHA1_80
/// when it calls, but answers AES_CM_128_HMAC_SHA1_80/_32 and AEAD_AES_128/256_GCM: so here our side offers one
/// suite (OpenUM's SIP stack and the server's media session, in process) and baresip answers. Speech goes both
/// ways; each side must hear the other's sentence, which a wrong key, IV, tag or ROC would turn into noise.
/// </summary>
public sealed class SrtpSuiteInteropTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(SrtpSuite.AesCm128HmacSha1_80)]
    [InlineData(SrtpSuite.AesCm128HmacSha1_32)]
    [InlineData(SrtpSuite.AeadAes128Gcm)]
    [InlineData(SrtpSuite.AeadAes256Gcm)]
    public async Task SpeechBothWaysWithBaresip(SrtpSuite suite)
    {
        string name = SrtpSuites.Name(suite);
        var pki = await TestPki.GetAsync();
        var ours = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA, 1);
        var theirs = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceC, 1);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-srtp-suite-").FullName;
        try
        {
            string heardByBaresip = Path.Combine(work, "baresip-heard.wav");
            string heardByUs = Path.Combine(work, "we-heard.wav");
            SrtpStatistics? stats = null;
            string? negotiated = null;
            var call = await BaresipPhone.AnswerAsync(theirs.WavPath, heardByBaresip, new BaresipTls(pki.Pem("um"), pki.CaCrt, "srtp-mand"),
                async port => (stats, negotiated) = await CallAsync(pki, port, suite, ours, heardByUs),
                TimeSpan.FromSeconds(90), output);
            Assert.True(negotiated == name, $"negotiated {negotiated}, expected {name}\n{call.Describe()}");
            Assert.True(call.Log.Contains($"SRTP is Enabled (cryptosuite={name})", StringComparison.Ordinal),
                $"baresip did not report SRTP with {name}\n{call.Describe()}");
            // Audio must pass untouched. baresip's SRTCP is counted but not asserted: libre 1.1 sends an RTCP packet
            // our side reads as malformed and protects some reports differently (see the issue notes); RTCP is not
            // interpreted yet, so it costs nothing but a counter.
            output.WriteLine($"{name}: {stats}");
            Assert.True(stats is { RtpAuthenticationFailures: 0, RtpReplays: 0, RtpOther: 0 }, $"SRTP packets from baresip were rejected: {stats}");

            short[] sentByBaresip = [.. theirs.Samples, .. new short[10 * RecordingCheck.Rate]];
            short[] weHeard = PcmWav.Read(heardByUs).Mono();
            var a = AudioCompare.Align(sentByBaresip, weHeard, RecordingCheck.Rate, TimeSpan.FromSeconds(0.5), theirs.SpeechStart, theirs.SpeechEnd);
            Assert.True(call.ReceivedWav is not null, "baresip wrote no received audio\n" + call.Describe());
            short[] sentByUs = [.. ours.Samples, .. new short[10 * RecordingCheck.Rate]];
            short[] baresipHeard = PcmWav.Read(heardByBaresip).Mono();
            var b = AudioCompare.Align(sentByUs, baresipHeard, RecordingCheck.Rate, TimeSpan.FromSeconds(0.5), ours.SpeechStart, ours.SpeechEnd);
            output.WriteLine($"{name}: we heard baresip {a}; baresip heard us {b}");
            Assert.True(a.Correlation > AudioCompare.SameAudioThreshold, $"{name}: what we decrypted is not baresip's speech: {a}");
            Assert.True(b.Correlation > AudioCompare.SameAudioThreshold, $"{name}: what baresip decrypted is not our speech: {b}");
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    // A Secured-style call from our side: mutual TLS, one offered suite, our speech out, baresip's recorded.
    private async Task<(SrtpStatistics Stats, string? Suite)> CallAsync(TestPki pki, int tlsPort, SrtpSuite suite, SpeechClip speech, string recordPath)
    {
        using var gw = X509Certificate2.CreateFromPemFile(pki.Crt("gw1"), pki.Key("gw1"));
        var tls = TlsContext.Create(gw, null, new TrustList([X509CertificateLoader.LoadCertificateFromFile(pki.CaCrt)], []),
            new PeerValidationOptions(), () => [TestPki.UmName], TimeProvider.System);
        await using var agent = new SipUserAgent(new SipUserAgentOptions
        {
            ListenAddress = IPAddress.Loopback, TcpPort = null,
            TlsClientOptions = (_, name) => tls.CreateClientOptions(name ?? TestPki.UmName),
        }, TimeProvider.System, NullLogger.Instance);
        await agent.StartAsync(CancellationToken.None);
        await using var clock = new MediaClock();
        var (first, last) = TestPorts.RtpRange(20);
        await using var media = MediaSession.Open(IPAddress.Loopback, new RtpPortRange(first, last), clock, new OutputLogger(output));
        var offer = OfferAnswer.CreateOffer(new MediaCapabilities([AudioCodec.Pcmu], true, SrtpMode.Required, [suite]),
            IPAddress.Loopback, media.LocalPort);
        var answer = await agent.InviteAsync(new OutgoingCallRequest(new IPEndPoint(IPAddress.Loopback, tlsPort),
            SipUri.Parse($"sip:interop@127.0.0.1:{tlsPort};transport=tls"),
            new SipNameAddress(SipUri.Parse("sip:openum@um.example.test")), new SipNameAddress(SipUri.Parse("sip:interop@127.0.0.1")),
            Encoding.UTF8.GetBytes(offer.Sdp.ToString()), SipTransportKind.Tls) { TlsTargetName = TestPki.UmName }, CancellationToken.None);
        Assert.True(answer.StatusCode == 200 && answer.Dialog is not null && answer.FinalResponse is not null,
            $"baresip answered {answer.StatusCode} {answer.ReasonPhrase}");
        Assert.True(SessionDescription.TryParse(Encoding.UTF8.GetString(answer.FinalResponse.Body.Span), out var sdp, out _) && sdp is not null);
        var negotiated = OfferAnswer.ReadAnswer(offer, sdp, out string? error);
        Assert.True(negotiated?.Srtp is not null, $"baresip's answer is not usable SRTP: {error}\n{sdp}");
        media.Start(negotiated);
        using var stop = new CancellationTokenSource();
        var recording = media.RecordAsync(recordPath, new RecordingLimits(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(2), null), stop.Token);
        await media.PlayAsync(new AudioClip(speech.Samples), CancellationToken.None);
        await media.PlayAsync(AudioClip.Silence(TimeSpan.FromSeconds(1)), CancellationToken.None);
        stop.Cancel();
        await recording;
        await answer.Dialog.ByeAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        return (media.SrtpStatistics, SrtpSuites.Name(negotiated.Srtp.Suite));
    }
}
