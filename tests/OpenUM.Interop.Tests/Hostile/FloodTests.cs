using System.Globalization;
using System.Net;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Hostile;

/// <summary>
/// The server under a flood of strangers from 160 loopback addresses, at the machine's limit: silent TLS
/// connections, certificate-less handshakes and silent TCP connections, while gateways place real calls. Every
/// trusted call must succeed, memory and the event log must stay bounded, and with admission before the handshake
/// no stranger gets a single ServerHello. Under <c>ulimit -n 400</c>, with handshakes allowed from any address and
/// the descriptor limit cut below what the server holds mid-flood (accept fails with EMFILE), the server must live
/// on and take a call once descriptors are back, without a restart.
/// </summary>
// Runs alone (RunAloneCollection): the flood is meant to take the machine to its limit (160 strangers' TLS handshakes
// and silent connections for 30 s, plus 70 calls): on two cores it would starve another test's real-time audio, and
// its descriptor budget is what this test process has free, which a neighbour's sockets would shrink.
[Collection(RunAloneCollection.Name)]
public sealed class FloodTests(ITestOutputHelper output)
{
    private const long MaxRss = 256L * 1024 * 1024;
    private const long MaxEventLogGrowth = 1024 * 1024;
    private static readonly TimeSpan FloodLength = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Seventy_trusted_calls_succeed_while_160_strangers_flood_both_ports()
    {
        await using var server = await HostileServer.StartAsync(output);
        long logBefore = EventLogBytes(server);
        var sources = StrangerFlood.LoopbackSources(160);
        var tls = StrangerFlood.RunAsync(new StrangerFloodOptions
        {
            Target = new IPEndPoint(IPAddress.Loopback, server.TlsPort), Sources = sources,
            SilentPerSource = 64, HandshakeLoops = 32, Duration = FloodLength,
        });
        var tcp = StrangerFlood.RunAsync(new StrangerFloodOptions
        {
            Target = new IPEndPoint(IPAddress.Loopback, server.TcpPort), Sources = sources,
            SilentPerSource = 8, HandshakeLoops = 0, Duration = FloodLength,
        });
        await Task.Delay(TimeSpan.FromSeconds(3)); // the flood is at full strength before the first call

        var (tcpCalls, tlsCalls, work) = await PlaceTrustedCallsAsync(server, tcpCalls: 50, tlsCalls: 20);
        try
        {
            var tlsReport = await tls;
            var tcpReport = await tcp;
            output.WriteLine("TLS flood: " + tlsReport.ToJson());
            output.WriteLine("TCP flood: " + tcpReport.ToJson());

            Assert.True(tcpCalls.ExitCode == 0 && tcpCalls.Successful == 50, "50 SIPp calls over TCP during the flood\n" + tcpCalls.Describe() + server.Diagnostics);
            Assert.True(tlsCalls.ExitCode == 0 && tlsCalls.Successful == 20, "20 calls over mutual TLS during the flood\n" + tlsCalls.Describe() + server.Diagnostics);
            await server.Um.WaitForDeliveriesAsync(HostileServer.OpenMailbox, 50, TimeSpan.FromSeconds(120));
            await server.WaitForDeliveriesAsync(20, TimeSpan.FromSeconds(120));

            // The flood was real, and no stranger made the server compute a single handshake.
            Assert.True(tlsReport.ConnectsSucceeded > 5_000 && tcpReport.ConnectsSucceeded > 5_000,
                $"the flood connected only {tlsReport.ConnectsSucceeded} (TLS) / {tcpReport.ConnectsSucceeded} (TCP) times");
            Assert.True(tlsReport.SourcesUsed >= 150, $"only {tlsReport.SourcesUsed} source addresses were used");
            Assert.Equal(0, tlsReport.HandshakesServerHello);
            Assert.True(tlsReport.SilentClosedByServer > 0 && tlsReport.HandshakesRefusedBeforeServerHello > 0, tlsReport.ToJson());

            AssertBounded(server, logBefore);
            Assert.DoesNotContain(server.Um.ReadEvents(), e => e.Id is 2116 or 1426 or 1113);
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task Under_ulimit_400_with_tls_from_any_address_the_server_outlives_emfile_and_then_takes_a_call()
    {
        await using var server = await HostileServer.StartAsync(output, openFiles: 400, "--allow-tls-from-any-address", "true");
        var budget = server.Um.ReadEvents().First(e => e.Id == 2123);
        int trusted = int.Parse(budget.Property("trusted"), CultureInfo.InvariantCulture);
        int strangers = int.Parse(budget.Property("strangers"), CultureInfo.InvariantCulture);
        Assert.True(trusted + strangers < 400, "the connection budget exceeds the descriptor limit: " + budget.Raw);
        long logBefore = EventLogBytes(server);

        var sources = StrangerFlood.LoopbackSources(160);
        var flood = Task.WhenAll(
            StrangerFlood.RunAsync(new StrangerFloodOptions
            {
                Target = new IPEndPoint(IPAddress.Loopback, server.TlsPort), Sources = sources,
                SilentPerSource = 16, SilentSendsClientHello = true, HandshakeLoops = 32, Duration = TimeSpan.FromSeconds(20),
            }),
            // Silent connections from the gateway's own address: they fill its budget and evict each other.
            StrangerFlood.RunAsync(new StrangerFloodOptions
            {
                Target = new IPEndPoint(IPAddress.Loopback, server.TcpPort), Sources = [IPAddress.Loopback],
                SilentPerSource = 200, HandshakeLoops = 0, Duration = TimeSpan.FromSeconds(20),
            }));
        await Task.Delay(TimeSpan.FromSeconds(4));
        // Below what the server holds now: every accept(2) fails with EMFILE until the limit is back.
        await PrlimitAsync(server.ServerPid, "200:400");
        await server.WaitForEventSinceAsync(0, 2116, e => e.Property("error") == "TooManyOpenSockets", TimeSpan.FromSeconds(30),
            "2116: accept ran out of descriptors");
        await Task.Delay(TimeSpan.FromSeconds(6));
        await PrlimitAsync(server.ServerPid, "400:400");
        var reports = await flood;
        foreach (var r in reports) output.WriteLine(r.ToJson());
        // Strangers did get handshakes (the setting works), within their own pool.
        Assert.True(reports[0].HandshakesServerHello > 0, "no stranger got a handshake with --allow-tls-from-any-address\n" + reports[0].ToJson());

        Assert.True(server.Running, "openum serve died\n" + server.Diagnostics);
        var (tcpCalls, tlsCalls, work) = await PlaceTrustedCallsAsync(server, tcpCalls: 1, tlsCalls: 1);
        try
        {
            Assert.True(tcpCalls.ExitCode == 0 && tcpCalls.Successful == 1, "the TCP call after the flood\n" + tcpCalls.Describe() + server.Diagnostics);
            Assert.True(tlsCalls.ExitCode == 0 && tlsCalls.Successful == 1, "the TLS call after the flood\n" + tlsCalls.Describe() + server.Diagnostics);
            await server.Um.WaitForDeliveriesAsync(HostileServer.OpenMailbox, 1, TimeSpan.FromSeconds(60));
            await server.WaitForDeliveriesAsync(1, TimeSpan.FromSeconds(60));
            AssertBounded(server, logBefore);
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    // SIPp leaves voice messages: over TCP from the Open dial plan's gateway (127.0.0.1), and over mutual TLS through
    // stunnel bound to gw1's address (one TLS connection per call).
    private async Task<(SippResult Tcp, SippResult Tls, string Work)> PlaceTrustedCallsAsync(TlsUmServer server, int tcpCalls, int tlsCalls)
    {
        // Tone until the greeting and beep are over, then speech: a message with audio in it to deliver.
        var clip = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA, 10);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-flood-").FullName;
        string ulaw = Path.Combine(work, "caller.ulaw");
        await AudioTools.ToMuLawRawAsync(clip.WavPath, ulaw);
        int pause = (int)(clip.Samples.Length * 1000.0 / RecordingCheck.Rate) + 1000;
        var files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw };
        var pki = server.Pki;
        await using var stunnel = await StunnelClient.StartAsync(server.TlsPort, pki.Crt("gw1"), pki.Key("gw1"), pki.CaCrt, HostileServer.GatewayAddress);
        var overTcp = Sipp.RunAsync(new SippOptions("caller-records.xml", server.TcpPort, "2000")
        {
            Transport = "t1", Calls = tcpCalls, Limit = 25, Rate = 5, PauseMs = pause, Timeout = TimeSpan.FromSeconds(150), Files = files,
        }, output);
        var overTls = Sipp.RunAsync(new SippOptions("caller-records.xml", stunnel.AcceptPort, "1000")
        {
            Transport = "tn", Calls = tlsCalls, Limit = 10, Rate = 5, PauseMs = pause, Timeout = TimeSpan.FromSeconds(150), Files = files,
        }, output);
        return (await overTcp, await overTls, work);
    }

    private void AssertBounded(TlsUmServer server, long logBefore)
    {
        long peak = PeakRss(server.ServerPid);
        output.WriteLine($"peak RSS {peak / 1024 / 1024} MB");
        Assert.True(peak < MaxRss, $"peak RSS {peak / 1024 / 1024} MB");
        long growth = EventLogBytes(server) - logBefore;
        output.WriteLine($"event log grew by {growth} bytes");
        Assert.True(growth < MaxEventLogGrowth, $"events grew by {growth} bytes\n" + ProcessResult.Tail(server.Um.EventsText(), 6000));
    }

    // events.jsonl and its rotated files.
    private static long EventLogBytes(TlsUmServer server) =>
        new DirectoryInfo(server.Um.DataDir).EnumerateFiles("events*.jsonl").Sum(f => f.Length);

    // VmHWM: the highest resident set size the process ever had.
    private static long PeakRss(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException($"no VmHWM in /proc/{pid}/status");
    }

    private static async Task PrlimitAsync(int pid, string nofile)
    {
        var result = await ChildProcess.RunAsync(Peers.Require("prlimit", "util-linux"),
            ["--pid", pid.ToString(CultureInfo.InvariantCulture), $"--nofile={nofile}"], TimeSpan.FromSeconds(10));
        Assert.True(result.ExitCode == 0, "prlimit failed\n" + result.Describe());
    }
}
