using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Tls;

/// <summary>
/// Debian's SIPp speaks TCP only: stunnel (client mode, gateway certificate, server certificate checked
/// against the CA and um.example.test) turns each of its connections into a new mutual-TLS connection.
/// 50 callers, 25 at a time (as in the TCP test, <see cref="SippVoiceMailTests"/>), each leave a message on the
/// SipSecured dial plan.
/// </summary>
// Runs alone (RunAloneCollection): 50 mutual-TLS calls, 25 at a time, through stunnel, and 50 recordings compared
// afterwards: the heaviest audio load of the suite, enough CPU on two cores to delay a neighbour's RTP.
[Collection(RunAloneCollection.Name)]
public sealed class TlsSippStunnelTests(ITestOutputHelper output)
{
    private const double LeadInSeconds = 10;
    private const int Calls = 50;

    [Fact]
    public async Task Sipp50CallsThroughStunnel()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync();
        await server.StartAsync("TLS");
        var pki = server.Pki;
        await using var stunnel = await StunnelClient.StartAsync(server.TlsPort, pki.Crt("gw1"), pki.Key("gw1"), pki.CaCrt);

        var clip = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA, LeadInSeconds);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-tls-sipp-").FullName;
        try
        {
            string ulaw = Path.Combine(work, "caller.ulaw");
            await AudioTools.ToMuLawRawAsync(clip.WavPath, ulaw);
            double clipMs = clip.Samples.Length * 1000.0 / RecordingCheck.Rate;
            var sipp = await Sipp.RunAsync(new SippOptions("caller-records.xml", stunnel.AcceptPort, "1000")
            {
                Transport = "tn",               // one TCP connection per call = one mutual-TLS connection per call
                Calls = Calls,
                Limit = 25,
                Rate = 5,
                PauseMs = (int)clipMs + 1000,
                Timeout = TimeSpan.FromSeconds(240),
                Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw },
            }, output);
            Assert.True(sipp.ExitCode == 0 && sipp.Successful == Calls,
                $"expected {Calls} successful SIPp calls through stunnel\n{sipp.Describe()}\n{stunnel.Log}\n{server.Diagnostics}");

            string[] files = await server.WaitForDeliveriesAsync(Calls, TimeSpan.FromSeconds(120));
            Assert.Equal(Calls, files.Length);
            Assert.Equal(Calls, server.Um.ReadEvents().Count(e => e.Id == 2001));
            Assert.DoesNotContain(server.Um.ReadEvents(), e => e.Id is 1426 or 1021);

            var greetingAndBeep = TimeSpan.FromSeconds(ExpectedPrompts.DefaultGreeting("1000").Length / (double)RecordingCheck.Rate + 0.5);
            var callers = new HashSet<string>();
            foreach (string file in files)
            {
                var mail = VoiceMailFile.Open(file, TlsUmServer.MailboxAddress, work);
                string caller = mail.Message.Headers["X-CallingTelephoneNumber"] ?? "";
                Assert.True(callers.Add(caller), $"two messages from caller '{caller}'");
                var a = await RecordingCheck.AssertHoldsAsync(mail, clip.Samples, clip, greetingAndBeep, server.Um.EventsText());
                output.WriteLine($"{Path.GetFileName(file)} from {caller}: {a}");
            }
            await server.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }
}
