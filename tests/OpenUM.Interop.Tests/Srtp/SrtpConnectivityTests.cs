using System.Text.Json;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Srtp;

/// <summary>TOOL-1 <c>--media-secured</c>: a Secured call (mutual TLS + SRTP) through the real server, and its refusals.</summary>
public sealed class SrtpConnectivityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task MediaSecuredCallSucceedsOnASecuredDialPlanAndFailsOnAPlainOne()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync(voipSecurity: "Secured");
        await server.StartAsync("TLS");
        var rtp = TlsPorts.Block(20);
        string[] call = ["test-connectivity", "--secured", "true", "--media-secured", "true", "--host", "127.0.0.1",
            "--port", server.TlsPort.ToString(), "--extension", "1000", "--rtp-ports", $"{rtp.First}-{rtp.Last}", "--json"];
        var result = await server.Um.CliAsync(call);
        Assert.True(result.ExitCode == 0 && !result.HungAndKilled, "test-connectivity --media-secured true failed\n" + result.Describe() + "\n" + server.Diagnostics);
        using (var json = JsonDocument.Parse(result.StdOut))
        {
            string media = json.RootElement.EnumerateObject()
                .FirstOrDefault(p => string.Equals(p.Name, "media", StringComparison.OrdinalIgnoreCase)).Value.ToString();
            Assert.True(media.Contains("SRTP AES_CM_128_HMAC_SHA1_80", StringComparison.Ordinal), $"the test call did not use the default (interoperable) suite: {result.StdOut}");
        }
        var summary = await server.WaitForEventSinceAsync(0, 2006, null, TimeSpan.FromSeconds(30), "SRTP summary of the test call");
        Assert.True(summary.Property("rtpAuthenticationFailures") == "0", summary.Raw);

        // SEC-4: SRTP keys never travel without TLS.
        var clear = await server.Um.CliAsync("test-connectivity", "--secured", "false", "--media-secured", "true", "--extension", "1000");
        Assert.True(clear.ExitCode == 2 && clear.StdErr.Contains("--media-secured", StringComparison.Ordinal), clear.Describe());

        // The same call to a SipSecured dial plan: plain RTP only, so the RTP/SAVP offer is refused and the test fails.
        await server.Um.CliOkAsync("dialplan", "set", TlsUmServer.DialPlan, "--voip-security", "SipSecured");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var last = await server.Um.CliAsync(call);
        while (!(last.ExitCode == 1 && last.StdOut.Contains("488", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500); // the server picks up configuration changes within a second or two
            last = await server.Um.CliAsync(call);
        }
        Assert.True(last.ExitCode == 1 && last.StdOut.Contains("488", StringComparison.Ordinal),
            "a media-secured test call to a SipSecured dial plan did not fail with 488\n" + last.Describe());
        await server.AssertCleanStopAsync();
    }
}
