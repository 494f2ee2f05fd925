using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Tls;

/// <summary>TOOL-1: <c>openum test-connectivity --secured true</c> against the local TLS server, <c>--secured false</c> against a TCP-only one.</summary>
public sealed class TlsConnectivityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SecuredTrueAgainstLocalTlsServer()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync();
        await server.StartAsync("TLS");
        var rtp = TlsPorts.Block(20);
        var result = await server.Um.CliAsync("test-connectivity", "--secured", "true", "--host", "127.0.0.1",
            "--port", server.TlsPort.ToString(), "--extension", "1000", "--rtp-ports", $"{rtp.First}-{rtp.Last}");
        Assert.True(result.ExitCode == 0 && !result.HungAndKilled,
            "test-connectivity --secured true failed against the local TLS server\n" + result.Describe() + "\n" + server.Diagnostics);
        Assert.DoesNotContain(server.Um.ReadEvents(), e => e.Id is 1426 or 1113);
        await server.AssertCleanStopAsync();
    }

    [Fact]
    public async Task SecuredFalseAgainstTcpOnlyServer()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        // Unsecured dial plan only → TCP mode, no certificate needed (RUN-3).
        await server.Um.ConfigureStandardAsync();
        await server.StartAsync("TCP");
        var rtp = TlsPorts.Block(20);
        var result = await server.Um.CliAsync("test-connectivity", "--secured", "false", "--host", "127.0.0.1",
            "--port", server.TcpPort.ToString(), "--extension", "1000", "--rtp-ports", $"{rtp.First}-{rtp.Last}");
        Assert.True(result.ExitCode == 0 && !result.HungAndKilled,
            "test-connectivity --secured false failed against the TCP-only server\n" + result.Describe() + "\n" + server.Diagnostics);
        await server.AssertCleanStopAsync();
    }
}
