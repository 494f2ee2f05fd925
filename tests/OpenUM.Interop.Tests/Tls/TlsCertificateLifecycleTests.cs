using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Tls;

/// <summary>
/// CERT-6 rotation during a call (SIPp through stunnel), and the CSR round trip: <c>cert new-request</c>,
/// signed by the test CA with openssl, imported, enabled, served on the TLS port.
/// </summary>
public sealed class TlsCertificateLifecycleTests(ITestOutputHelper output)
{
    private const double LeadInSeconds = 10;

    [Fact]
    public async Task RotationDuringCall()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync("um");
        await server.StartAsync("TLS");
        var pki = server.Pki;
        using var um = pki.Load("um");
        using var um2 = pki.Load("um2");

        var first = await OpenSslProbe.OptionsAsync(server.TlsPort, pki, pki.Crt("gw1"), pki.Key("gw1"), log: output);
        Assert.True(first.Got200 && first.ServerCertificate?.SerialNumber == um.SerialNumber,
            $"before the rotation the server must serve um.crt (serial {um.SerialNumber})\n{first.Describe()}\n{server.Diagnostics}");

        await using var stunnel = await StunnelClient.StartAsync(server.TlsPort, pki.Crt("gw1"), pki.Key("gw1"), pki.CaCrt);
        var clip = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA, LeadInSeconds);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-tls-rotation-").FullName;
        try
        {
            string ulaw = Path.Combine(work, "caller.ulaw");
            await AudioTools.ToMuLawRawAsync(clip.WavPath, ulaw);
            double clipMs = clip.Samples.Length * 1000.0 / RecordingCheck.Rate;
            int before = server.Um.ReadEvents().Count;
            var sippTask = Sipp.RunAsync(new SippOptions("caller-records.xml", stunnel.AcceptPort, "1000")
            {
                Transport = "t1",
                Calls = 1,
                PauseMs = (int)clipMs + 1000,
                Timeout = TimeSpan.FromSeconds(90),
                Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw },
            }, output);

            // The call is up (answered over TLS with um.crt): rotate to um2.crt.
            await server.WaitForEventSinceAsync(before, 2002, null, TimeSpan.FromSeconds(30), "call through stunnel answered");
            string newThumbprint = await server.ImportAndEnableAsync("um2");
            var e1116 = await server.WaitForEventSinceAsync(before, 1116, null, TimeSpan.FromSeconds(30), "rotation to um2");
            var e1117 = await server.WaitForEventSinceAsync(before, 1117, null, TimeSpan.FromSeconds(30), "rotation to um2");
            output.WriteLine(e1116.Raw + "\n" + e1117.Raw);
            Assert.True(e1117.Raw.Contains(um2.Thumbprint, StringComparison.OrdinalIgnoreCase) || e1117.Raw.Contains(newThumbprint, StringComparison.OrdinalIgnoreCase),
                $"1117 does not name um2's thumbprint {um2.Thumbprint}: {e1117.Raw}");

            var second = await OpenSslProbe.OptionsAsync(server.TlsPort, pki, pki.Crt("gw1"), pki.Key("gw1"), log: output);
            bool callStillUp = !sippTask.IsCompleted;
            Assert.True(second.Got200 && second.ServerCertificate?.SerialNumber == um2.SerialNumber,
                $"a new connection after the rotation must be served um2.crt (serial {um2.SerialNumber})\n{second.Describe()}\n{server.Diagnostics}");
            Assert.True(callStillUp, "the call had already ended when the rotation was checked: the test proved nothing (lengthen the call)");

            var sipp = await sippTask;
            Assert.True(sipp.ExitCode == 0 && sipp.Successful == 1,
                $"the call across the rotation did not complete normally\n{sipp.Describe()}\n{stunnel.Log}\n{server.Diagnostics}");
            string[] files = await server.WaitForDeliveriesAsync(1, TimeSpan.FromSeconds(60));
            var mail = VoiceMailFile.Open(files[0], TlsUmServer.MailboxAddress, work);
            var greetingAndBeep = TimeSpan.FromSeconds(ExpectedPrompts.DefaultGreeting("1000").Length / (double)RecordingCheck.Rate + 0.5);
            await RecordingCheck.AssertHoldsAsync(mail, clip.Samples, clip, greetingAndBeep, server.Um.EventsText());
            await server.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task CsrSignedByCaIsServed()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync(serverCertificate: null);
        var pki = server.Pki;
        string work = System.IO.Directory.CreateTempSubdirectory("openum-tls-csr-").FullName;
        try
        {
            string csr = Path.Combine(work, "um.csr");
            await server.Um.CliOkAsync("cert", "new-request", "--subject", TestPki.UmName, "--dns", TestPki.UmName, "--out", csr);
            Assert.True(File.Exists(csr), "cert new-request wrote no " + csr);
            string openssl = Peers.Require("openssl", "openssl");
            var verify = await ChildProcess.RunAsync(openssl, ["req", "-in", csr, "-noout", "-verify", "-subject"], TimeSpan.FromSeconds(30));
            Assert.True(verify.ExitCode == 0, "the CSR does not verify\n" + verify.Describe());

            string ext = Path.Combine(work, "ext.cnf");
            File.WriteAllText(ext, string.Join('\n',
                "[ leaf ]",
                "basicConstraints = critical, CA:FALSE",
                "keyUsage = critical, digitalSignature",
                "extendedKeyUsage = serverAuth, clientAuth",
                $"subjectAltName = DNS:{TestPki.UmName}",
                "subjectKeyIdentifier = hash",
                "authorityKeyIdentifier = keyid",
                ""));
            string signed = Path.Combine(work, "signed.crt");
            string serial = "0x" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
            var sign = await ChildProcess.RunAsync(openssl,
                ["x509", "-req", "-in", csr, "-CA", pki.CaCrt, "-CAkey", pki.CaKey, "-set_serial", serial, "-days", "90", "-sha256",
                 "-extfile", ext, "-extensions", "leaf", "-out", signed], TimeSpan.FromSeconds(30));
            Assert.True(sign.ExitCode == 0, "openssl could not sign the CSR\n" + sign.Describe());

            await server.Um.CliOkAsync("cert", "import", signed);
            string thumbprint = await server.ThumbprintInListAsync(signed);
            await server.Um.CliOkAsync("cert", "enable", thumbprint);
            using var expected = X509CertificateLoader.LoadCertificateFromFile(signed);

            await server.StartAsync("TLS");
            var e1112 = await server.WaitForEventSinceAsync(0, 1112, null, TimeSpan.FromSeconds(30), "certificate in use");
            Assert.True(e1112.Raw.Contains(expected.Thumbprint, StringComparison.OrdinalIgnoreCase),
                $"1112 names another certificate than the signed CSR ({expected.Thumbprint}): {e1112.Raw}");
            var probe = await OpenSslProbe.OptionsAsync(server.TlsPort, pki, pki.Crt("gw1"), pki.Key("gw1"), log: output);
            Assert.True(probe.ServerCertificate?.Thumbprint == expected.Thumbprint,
                $"the TLS port does not serve the certificate signed from the CSR (serial {expected.SerialNumber}, {expected.Thumbprint})\n{probe.Describe()}\n{server.Diagnostics}");
            Assert.True(probe.Got200, "gw1 got no 200 to OPTIONS\n" + probe.Describe());
            output.WriteLine($"served serial {probe.ServerCertificate.SerialNumber} (signed with {serial.ToString(CultureInfo.InvariantCulture)})");
            await server.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }
}
