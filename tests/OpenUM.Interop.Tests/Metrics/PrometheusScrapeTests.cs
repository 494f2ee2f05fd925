using System.Net;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Metrics;

/// <summary>
/// A real Prometheus scrapes `openum serve --metrics-listen` while SIPp places 50 calls from the gateway and a few from
/// an address that is no gateway: what Prometheus stored equals what SIPp saw (calls answered, connections refused).
/// GET /health answers 200; a server started without --metrics-listen has no endpoint.
/// </summary>
public sealed class PrometheusScrapeTests(ITestOutputHelper output)
{
    private const int Calls = 50;
    private const int StrangerCalls = 5;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PrometheusCountsWhatSippSaw()
    {
        await using var um = new OpenUmProcess(output);
        await using var plain = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();   // the only gateway is 127.0.0.1
        int metricsPort = TestPorts.FreeListenerPort();
        // Both servers start at once: the second, without --metrics-listen, only shows the endpoint is off by default.
        await Task.WhenAll(
            um.StartAsync(extraArgs: ["--metrics-listen", $"127.0.0.1:{metricsPort}"]),
            plain.StartAsync());
        await using var prometheus = PrometheusServer.Start($"127.0.0.1:{metricsPort}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var listening = await um.WaitForEventAsync(2340, null, TimeSpan.FromSeconds(20));
        Assert.Contains($"127.0.0.1:{metricsPort}", listening.Message);
        using (var health = await http.GetAsync($"http://127.0.0.1:{metricsPort}/health"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("ok\n", await health.Content.ReadAsStringAsync());
        }
        // Off by default: the server started without --metrics-listen listens on its SIP port only.
        Assert.Equal([plain.SipPort], ListeningPorts.Of(plain.ServerPid).Order());
        Assert.Equal(new[] { um.SipPort, metricsPort }.Order(), ListeningPorts.Of(um.ServerPid).Order());
        Assert.DoesNotContain(plain.ReadEvents(), e => e.Id == 2340);

        string work = System.IO.Directory.CreateTempSubdirectory("openum-metrics-").FullName;
        try
        {
            string ulaw = Path.Combine(work, "caller.ulaw");
            await File.WriteAllBytesAsync(ulaw, StorageChecks.MuLawTone(1));
            // The gateway's calls hang up half a second after the answer. The stranger's connections are closed before
            // any SIP is read, which ends a SIPp run: one run per call, each one TCP connection (-t tn), one refusal.
            var answered = Sipp.RunAsync(new SippOptions("caller-records.xml", um.SipPort, "1000")
            {
                Calls = Calls, Limit = 25, Rate = 25, PauseMs = 500, Timeout = TimeSpan.FromSeconds(40),
                Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw },
            }, output);
            int strangerConnections = 0;
            var strangerLogs = new List<string>();
            for (int i = 0; i < StrangerCalls; i++)
            {
                var stranger = await Sipp.RunAsync(new SippOptions("caller-expects-rejection.xml", um.SipPort, "1000")
                {
                    LocalIp = "127.0.0.2", Transport = "tn", Timeout = TimeSpan.FromSeconds(10),
                }, output);
                strangerLogs.Add(stranger.Describe());
                Assert.True(stranger.ExitCode != 0 && stranger.Successful <= 0, "a call from 127.0.0.2 was not refused\n" + stranger.Describe());
                Assert.DoesNotContain(stranger.Received(), line => line.StartsWith("SIP/2.0", StringComparison.Ordinal));
                // SIPp saw the server close its one connection: as a reset ("remote peer probably closed the socket",
                // SIPp aborts) or as its call failed (the reset came before SIPp wrote its buffered INVITE).
                if (stranger.Failed == 1 || stranger.ErrorLog.Contains("remote peer probably closed the socket", StringComparison.Ordinal))
                    strangerConnections++;
            }
            var calls = await answered;
            string context = $"{calls.Describe()}\n{string.Join('\n', strangerLogs)}\n{um.EventsText()}\n{um.ServerOutput}";
            Assert.True(calls.ExitCode == 0 && calls.Successful == Calls, $"expected {Calls} successful SIPp calls\n" + context);
            Assert.Equal(StrangerCalls, strangerConnections);

            // What Prometheus has scraped, until it equals what SIPp saw (each scrape is a second apart).
            var expected = new Dictionary<string, double>
            {
                ["sum(openum_calls_total{outcome=\"answered\"})"] = calls.Successful,
                ["sum(openum_refusals_total{reason=\"unknown_address\",event_id=\"1021\"})"] = strangerConnections,
                ["sum(openum_calls_active)"] = 0,
            };
            var seen = new Dictionary<string, double?>();
            var deadline = DateTime.UtcNow + HangGuard;
            while (true)
            {
                foreach (string query in expected.Keys)
                    seen[query] = await prometheus.QueryAsync(query);
                if (expected.All(e => seen[e.Key] == e.Value)) break;
                Assert.True(DateTime.UtcNow < deadline, $"Prometheus did not reach SIPp's numbers within the {HangGuard.TotalSeconds:0} s hang guard: " +
                    string.Join(", ", expected.Select(e => $"{e.Key} = {seen[e.Key]?.ToString() ?? "(none)"}, expected {e.Value}")) +
                    $"\n{prometheus.Output}\n{context}");
                await Task.Delay(250);
            }
            output.WriteLine(string.Join("\n", seen.Select(s => $"{s.Key} = {s.Value}")));
            // No call from the gateway was refused, and none from the stranger got as far as an INVITE.
            Assert.Null(await prometheus.QueryAsync("sum(openum_calls_total{outcome=\"refused\"})"));
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
                System.IO.Directory.Delete(work, recursive: true);
        }

        await um.AssertCleanStopAsync();
        await plain.AssertCleanStopAsync();
    }
}
