using OpenUM.Interop.Tests.Tls;
using OpenUM.LoadGen;

namespace OpenUM.Interop.Tests.LoadGen;

/// <summary>
/// bench/OpenUM.LoadGen end to end against the real server: a few Secured calls (mutual TLS, SDES-SRTP) set up,
/// stream the known signal and hang up, and the loss checker finds every frame sent in the delivered recordings.
/// Proves the generator and the checker, not the server's capacity: no timing is asserted.
/// </summary>
public sealed class SecuredLoadGenTests(ITestOutputHelper log)
{
    [Fact]
    public async Task FiveSecuredCallsAreSetUpAndTheCheckerFindsEveryFrameSent()
    {
        await using var server = await TlsUmServer.CreateAsync(log);
        await server.ConfigureSecuredAsync(voipSecurity: "Secured");
        await server.StartAsync("TLS");
        var pki = server.Pki;
        var options = LoadOptions.Parse([
            "--target", $"127.0.0.1:{server.TlsPort}", "--server-name", TestPki.UmName,
            "--cert", pki.Crt("gw1"), "--key", pki.Key("gw1"), "--ca", pki.CaCrt,
            "--calls", "5", "--duration", "3", "--rate", "10", "--extensions", "1000",
        ]);
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var report = await new LoadGenerator(options).RunAsync(hangGuard.Token);
        log.WriteLine(report.ToText());

        Assert.True(report.SetUp == 5 && report.Failed == 0 && report.EndedByServer == 0,
            $"{report.ToText()}\n{server.Diagnostics}");
        Assert.Equal(5 * 150, report.FramesSent);
        await server.WaitForDeliveriesAsync(5, TimeSpan.FromSeconds(60));
        string manifest = Path.Combine(server.Um.DataDir, "loadgen-manifest.csv");
        report.WriteManifest(manifest);
        var check = LossChecker.Check(Path.Combine(server.Um.DataDir, "maildir"), manifest, 0, null);
        string text = LossChecker.ToText(check, verbose: true);
        log.WriteLine(text);
        Assert.True(check.Calls == 5 && check.CallsWithRecording == 5, text);
        Assert.True(check.FramesSent == report.FramesSent && check.FramesPresent == check.FramesSent, text);
        Assert.True(check.Duplicates == 0 && check.Unexpected == 0, text);
    }
}
