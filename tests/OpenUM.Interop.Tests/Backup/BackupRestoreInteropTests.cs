using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;
using OpenUM.Media.Audio;

namespace OpenUM.Interop.Tests.Backup;

/// <summary>
/// Issue 14, check 5: a secured server is backed up while it runs, its data directory is wiped, and the backup is
/// restored into a new, empty one; the server started there serves the same certificate (same thumbprint, read with
/// openssl s_client), takes the same call (SIPp through stunnel with the gateway's certificate, the mailbox's own
/// greeting) and still holds the message left before the backup.
/// </summary>
public sealed class BackupRestoreInteropTests(ITestOutputHelper output)
{
    private const int Rate = 8000;

    [Fact]
    public async Task RestoredServerServesTheSameCertificateCallAndMessages()
    {
        string work = System.IO.Directory.CreateTempSubdirectory("openum-backup-interop-").FullName;
        try
        {
            // A short greeting of its own keeps the calls short and must come back with the backup.
            string greeting = Path.Combine(work, "greeting.wav");
            PcmWav.WriteMono(greeting, Tone(0.4, 0), Rate);
            string ulaw = Path.Combine(work, "caller.ulaw");
            File.WriteAllBytes(ulaw, Tone(2, 6000).Select(G711.LinearToMuLaw).ToArray());
            string archive = Path.Combine(work, "openum-backup.tar");

            string thumbprint;
            string firstMessage;
            var before = await TlsUmServer.CreateAsync(output);
            string wiped = before.Um.DataDir;
            await using (before)
            {
                await before.ConfigureSecuredAsync("um");
                await before.Um.CliOkAsync("mailbox", "set", "1000", "--dial-plan", TlsUmServer.DialPlan, "--greeting", greeting);
                await before.StartAsync("TLS");
                thumbprint = await ServedThumbprintAsync(before);
                using (var um = before.Pki.Load("um"))
                    Assert.Equal(um.Thumbprint, thumbprint);
                await CallAsync(before, ulaw);
                firstMessage = Path.GetFileName(Assert.Single(await before.WaitForDeliveriesAsync(1, TimeSpan.FromSeconds(60))));

                // Online: the server keeps running while the backup is taken.
                await before.Um.CliOkAsync("backup", "--out", archive);
                Assert.True(before.Running, "the server stopped during the backup\n" + before.Diagnostics);
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(archive));
                await before.AssertCleanStopAsync();
            }

            // Disposing the first server removed its data directory: nothing of it is left to be read by accident.
            Assert.False(System.IO.Directory.Exists(wiped), $"{wiped} should have been wiped");

            await using var after = await TlsUmServer.CreateAsync(output);
            Assert.Empty(System.IO.Directory.GetFileSystemEntries(after.Um.DataDir));
            await after.Um.CliOkAsync("restore", archive);
            Assert.Contains(after.Um.ReadEvents(), e => e.Id == 2141);
            string key = Assert.Single(System.IO.Directory.GetFiles(Path.Combine(after.Um.DataDir, "certificates", "personal"), "*.key.pem"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));

            await after.StartAsync("TLS");
            Assert.Equal(thumbprint, await ServedThumbprintAsync(after));
            Assert.Contains(firstMessage, after.Um.DeliveredFiles(TlsUmServer.MailboxAddress).Select(Path.GetFileName));

            int skip = after.Um.ReadEvents().Count;
            await CallAsync(after, ulaw);
            string[] files = await after.WaitForDeliveriesAsync(2, TimeSpan.FromSeconds(60));
            Assert.Equal(2, files.Length);
            // The restored greeting was played: a missing one would be reported (2005) and replaced by the default.
            Assert.DoesNotContain(after.Um.ReadEvents().Skip(skip), e => e.Id == 2005);
            await after.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    private async Task<string> ServedThumbprintAsync(TlsUmServer server)
    {
        var probe = await OpenSslProbe.OptionsAsync(server.TlsPort, server.Pki, server.Pki.Crt("gw1"), server.Pki.Key("gw1"), log: output);
        Assert.True(probe.Got200 && probe.ServerCertificate is not null,
            $"gw1's OPTIONS over TLS got no 200 or no certificate\n{probe.Describe()}\n{server.Diagnostics}");
        return probe.ServerCertificate.Thumbprint;
    }

    // The gateway's call over mutual TLS: INVITE to 1000, 2 s of tone after the greeting, BYE.
    private async Task CallAsync(TlsUmServer server, string ulaw)
    {
        await using var stunnel = await StunnelClient.StartAsync(server.TlsPort, server.Pki.Crt("gw1"), server.Pki.Key("gw1"), server.Pki.CaCrt);
        var sipp = await Sipp.RunAsync(new SippOptions("caller-records.xml", stunnel.AcceptPort, "1000")
        {
            Transport = "t1",
            Calls = 1,
            PauseMs = 3000,
            Timeout = TimeSpan.FromSeconds(40),
            Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw },
        }, output);
        Assert.True(sipp.ExitCode == 0 && sipp.Successful == 1,
            $"the call through stunnel did not complete\n{sipp.Describe()}\n{stunnel.Log}\n{server.Diagnostics}");
    }

    private static short[] Tone(double seconds, int amplitude) =>
        Enumerable.Range(0, (int)(Rate * seconds)).Select(i => (short)(amplitude * Math.Sin(2 * Math.PI * 440 * i / Rate))).ToArray();
}
