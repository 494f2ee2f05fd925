using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Hostile;

/// <summary>
/// Admission before any TLS byte, with a real TLS client (stunnel presenting the gateway's valid certificate):
/// from the address gw1.example.test resolves to it is served; from any other address the same certificate never
/// reaches a handshake (1021 names the address, no 1426/1113), until the server allows TLS from any address.
/// </summary>
public sealed class TlsAdmissionByAddressTests(ITestOutputHelper output)
{
    private const string Stranger = "127.0.0.11";

    [Fact]
    public async Task Only_the_gateways_resolved_address_gets_a_handshake_unless_any_address_is_allowed()
    {
        await using var server = await HostileServer.StartAsync(output);

        var (fromGateway, gatewayLog) = await HostileServer.PingOverTlsAsync(server, HostileServer.GatewayAddress, output);
        Assert.True(fromGateway, "OPTIONS from gw1's own address was not answered 200\n" + gatewayLog + "\n" + server.Diagnostics);

        int before = server.Um.ReadEvents().Count;
        var (fromStranger, strangerLog) = await HostileServer.PingOverTlsAsync(server, Stranger, output);
        Assert.False(fromStranger, "the gateway's certificate from another address was served\n" + strangerLog);
        var refused = await server.WaitForEventSinceAsync(before, 1021, e => e.Property("remoteAddress") == Stranger,
            TimeSpan.FromSeconds(30), "1021 for the stranger's address");
        Assert.Contains("no TLS handshake", refused.Property("reason"));
        Assert.DoesNotContain(server.Um.ReadEvents().Skip(before), e => e.Id is 1426 or 1113);

        await server.Um.CliOkAsync("server", "set", "--allow-tls-from-any-address", "true");
        await server.WaitForEventSinceAsync(before, 2007, null, TimeSpan.FromSeconds(30), "2007 once TLS is allowed from any address");
        var (allowed, allowedLog) = await HostileServer.PingOverTlsAsync(server, Stranger, output);
        Assert.True(allowed, "with --allow-tls-from-any-address the certificate did not decide\n" + allowedLog + "\n" + server.Diagnostics);
    }
}
