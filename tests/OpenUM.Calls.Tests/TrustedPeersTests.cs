using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Calls.Tests.Harness;
using OpenUM.Directory;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests;

public class TrustedPeersTests
{
    private static ConfigurationSnapshot Config(params IpGateway[] gateways) =>
        new(1, [], gateways, [], [], []);

    [Fact]
    public async Task LiteralAndResolvedAddressesAreTrustedOthersAreNot()
    {
        var peers = new TrustedPeers(NullLogger.Instance, (name, _) =>
            Task.FromResult(name == "pbx.example.test" ? new[] { IPAddress.Parse("192.0.2.20") } : throw new SocketException((int)SocketError.HostNotFound)));
        await peers.RebuildAsync(Config(
            new IpGateway { Name = "gw1", Address = "192.0.2.10" },
            new IpGateway { Name = "pbx", Address = "pbx.example.test" },
            new IpGateway { Name = "gone", Address = "gone.example.test" }), CancellationToken.None);

        Assert.Equal("gw1", peers.Find(IPAddress.Parse("192.0.2.10"))?.Name);
        Assert.Equal("pbx", peers.Find(IPAddress.Parse("192.0.2.20"))?.Name);
        Assert.Equal("gw1", peers.Find(IPAddress.Parse("192.0.2.10").MapToIPv6())?.Name); // dual-stack sockets
        Assert.Null(peers.Find(IPAddress.Parse("192.0.2.11")));
        Assert.Equal(2, peers.Count);
    }

    [Fact]
    public async Task RebuildReplacesTheWholeList()
    {
        var peers = new TrustedPeers(NullLogger.Instance);
        await peers.RebuildAsync(Config(new IpGateway { Name = "gw1", Address = "127.0.0.1" }), CancellationToken.None);
        Assert.NotNull(peers.Find(IPAddress.Loopback));
        await peers.RebuildAsync(Config(new IpGateway { Name = "gw2", Address = "127.0.0.2" }), CancellationToken.None);
        Assert.Null(peers.Find(IPAddress.Loopback));
        Assert.Equal("gw2", peers.Find(IPAddress.Parse("127.0.0.2"))?.Name);
    }

    [Fact]
    public async Task TheFirstOfTwoGatewaysWithOneAddressWins()
    {
        var peers = new TrustedPeers(NullLogger.Instance);
        await peers.RebuildAsync(Config(
            new IpGateway { Name = "first", Address = "192.0.2.1" },
            new IpGateway { Name = "second", Address = "192.0.2.1" }), CancellationToken.None);
        Assert.Equal("first", peers.Find(IPAddress.Parse("192.0.2.1"))?.Name);
    }
}

public class TrustedPeersOrderingTests
{
    [Fact]
    public async Task AnOlderSnapshotNeverReplacesANewerOne()
    {
        var peers = new TrustedPeers(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var newer = new ConfigurationSnapshot(2, [], [new IpGateway { Name = "gw2", Address = "127.0.0.2" }], [], [], []);
        var older = new ConfigurationSnapshot(1, [], [new IpGateway { Name = "gw1", Address = "127.0.0.1" }], [], [], []);
        await peers.RebuildAsync(newer, CancellationToken.None);
        await peers.RebuildAsync(older, CancellationToken.None); // a slow rebuild finishing late
        Assert.Null(peers.Find(System.Net.IPAddress.Loopback));
        Assert.NotNull(peers.Find(System.Net.IPAddress.Parse("127.0.0.2")));
    }
}

public class PeerWarningsTests
{
    [Fact]
    public void GatewaysInTwoModesAndModesNotListenedOnAreReported()
    {
        var config = new ConfigurationSnapshot(1,
            [new DialPlan { Name = "open", NumberOfDigitsInExtension = 4 }, new DialPlan { Name = "secure", NumberOfDigitsInExtension = 4, VoipSecurity = VoipSecurity.SipSecured }],
            [new IpGateway { Name = "pbx", Address = "pbx.example.test" }],
            [new HuntGroup { Name = "a", IpGateway = "pbx", DialPlan = "open", PilotIdentifier = "1" }, new HuntGroup { Name = "b", IpGateway = "pbx", DialPlan = "secure" }],
            [], []);
        var log = new FakeLogger();
        PeerWarnings.Check(config, tcp: true, tls: false, "TCP", log);
        Assert.Equal([1184, 1115], log.EventIds());
        log.Collector.Clear();
        PeerWarnings.Check(config, tcp: true, tls: true, "Dual", log);
        Assert.Equal([1184], log.EventIds());
    }
}

// Who may start a TLS handshake at all (before any TLS byte): gateways of secured dial plans and the server itself.
public class TlsAdmissionTests
{
    private static readonly IPAddress Secured = IPAddress.Parse("192.0.2.30");
    private static readonly IPAddress Plain = IPAddress.Parse("192.0.2.31");
    private static readonly IPAddress Own = IPAddress.Parse("192.0.2.40");
    private static readonly IPAddress Stranger = IPAddress.Parse("198.51.100.9");

    private static ConfigurationSnapshot Config(bool allowAny = false) => new(1,
        [new DialPlan { Name = "secure", NumberOfDigitsInExtension = 4, VoipSecurity = VoipSecurity.Secured },
         new DialPlan { Name = "open", NumberOfDigitsInExtension = 4 }],
        [new IpGateway { Name = "sbc", Address = "sbc.example.test" }, new IpGateway { Name = "pbx", Address = "192.0.2.31" }],
        [new HuntGroup { Name = "s", IpGateway = "sbc", DialPlan = "secure" }, new HuntGroup { Name = "p", IpGateway = "pbx", DialPlan = "open" }],
        [new UmServer { Name = "um1", AllowTlsFromAnyAddress = allowAny }], []);

    private static async Task<TrustedPeers> PeersAsync(ConfigurationSnapshot config)
    {
        var peers = new TrustedPeers(NullLogger.Instance, (name, _) => Task.FromResult(name switch
        {
            "sbc.example.test" => new[] { Secured },
            "um.example.test" => [Own],
            _ => throw new SocketException((int)SocketError.HostNotFound),
        }), serverFqdn: "um.example.test");
        await peers.RebuildAsync(config, CancellationToken.None);
        return peers;
    }

    [Fact]
    public async Task Only_gateways_of_secured_dial_plans_and_the_server_itself_may_start_tls()
    {
        var peers = await PeersAsync(Config());

        Assert.True(peers.MayStartTls(Secured));
        Assert.True(peers.MayStartTls(Secured.MapToIPv6()));
        Assert.True(peers.MayStartTls(Own));
        Assert.True(peers.MayStartTls(IPAddress.Loopback));
        Assert.True(peers.MayStartTls(IPAddress.IPv6Loopback));
        Assert.False(peers.MayStartTls(Plain));     // a gateway, but of an unsecured dial plan: TCP only
        Assert.False(peers.MayStartTls(Stranger));
        Assert.NotNull(peers.Find(Plain));
        Assert.NotNull(peers.Find(Secured));
    }

    [Theory]
    [InlineData(false, "Refused")]
    [InlineData(true, "Stranger")]
    public async Task An_unknown_address_on_tls_is_refused_unless_the_server_allows_any(bool allowAny, string expected)
    {
        var config = Config(allowAny);
        var peers = await PeersAsync(config);
        await using var harness = await CallControllerHarness.StartAsync(config, peers: peers);
        var controller = harness.Controller;

        Assert.Equal(expected, controller.AdmitAddress(Stranger, OpenUM.Sip.Transport.SipTransportKind.Tls).ToString());
        Assert.Equal(OpenUM.Sip.Transport.SipAddressAdmission.Trusted, controller.AdmitAddress(Secured, OpenUM.Sip.Transport.SipTransportKind.Tls));
        Assert.Equal(OpenUM.Sip.Transport.SipAddressAdmission.Refused, controller.AdmitAddress(Stranger, OpenUM.Sip.Transport.SipTransportKind.Tcp));
        Assert.Equal(OpenUM.Sip.Transport.SipAddressAdmission.Trusted, controller.AdmitAddress(Plain, OpenUM.Sip.Transport.SipTransportKind.Tcp));
    }
}
