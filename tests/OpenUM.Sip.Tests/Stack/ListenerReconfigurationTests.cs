using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Transport;
using OpenUM.TestSupport.Pki;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// SetListenersAsync: the TCP/TLS listeners follow the configuration without a restart; connections and dialogs
// on a listener that stops stay up; a failed bind changes nothing.
public sealed class ListenerReconfigurationTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly TestCa _pki = new();
    private readonly X509Certificate2 _serverCert;
    private readonly X509Certificate2 _clientCert;

    public ListenerReconfigurationTests()
    {
        _serverCert = _pki.Issue("um.openum.test");
        _clientCert = _pki.Issue("gw1.openum.test");
    }

    public void Dispose() => _pki.Dispose();

    private Task<SipUserAgent> StartTcpOnlyAsync() => StartAsync(_time, o =>
        o.TlsServerOptions = _ => new SipTlsHandshake(new SslServerAuthenticationOptions
        {
            ServerCertificate = _serverCert,
            ClientCertificateRequired = true,
            RemoteCertificateValidationCallback = (_, c, _, _) => _pki.Chains(c),
        }));

    private static async Task<int> OptionsStatusAsync(RawSipClient client, IPEndPoint target)
    {
        var call = new PeerCall(client.LocalEndPoint, target);
        await client.SendAsync(call.InDialog("OPTIONS", call.RequestUri));
        return (await client.ReadAsync()).Status;
    }

    [Fact]
    public async Task Tls_is_added_to_a_tcp_only_agent_and_tcp_is_left_alone()
    {
        await using var agent = await StartTcpOnlyAsync();
        var tcp = agent.Tcp();
        Assert.Equal(tcp.Port, agent.TcpPort);
        Assert.Null(agent.TlsPort);
        await using var before = await RawSipClient.ConnectAsync(tcp);

        await agent.SetListenersAsync(tcp.Port, 0, CancellationToken.None);

        Assert.Equal(tcp.Port, agent.TcpPort);
        Assert.NotNull(agent.TlsPort);
        Assert.NotEqual(0, agent.TlsPort);
        Assert.Equal([tcp, new IPEndPoint(IPAddress.Loopback, agent.TlsPort!.Value)], agent.LocalEndPoints);
        await using var tls = await RawSipClient.ConnectTlsAsync(agent.LocalEndPoints[1], _clientCert);
        Assert.Equal(200, await OptionsStatusAsync(tls, agent.LocalEndPoints[1]));
        Assert.Equal(200, await OptionsStatusAsync(before, tcp)); // the connection made before the change

        // 0 while listening = keep the listener (and its port).
        var tlsPort = agent.TlsPort;
        await agent.SetListenersAsync(0, 0, CancellationToken.None);
        Assert.Equal(tcp.Port, agent.TcpPort);
        Assert.Equal(tlsPort, agent.TlsPort);
        await using var after = await RawSipClient.ConnectAsync(tcp);
        Assert.Equal(200, await OptionsStatusAsync(after, tcp));
    }

    [Fact]
    public async Task Removing_tcp_stops_accepting_but_its_dialogs_still_end_by_bye_both_ways()
    {
        await using var agent = await StartTcpOnlyAsync();
        var tcp = agent.Tcp();
        await using var first = await EstablishAsync(agent);
        await using var second = await EstablishAsync(agent);

        await agent.SetListenersAsync(null, 0, CancellationToken.None);

        Assert.Null(agent.TcpPort);
        Assert.Single(agent.LocalEndPoints);
        Assert.Equal(agent.TlsPort, agent.LocalEndPoints[0].Port);
        await Assert.ThrowsAnyAsync<SocketException>(() => RawSipClient.ConnectAsync(tcp));
        Assert.Equal(2, agent.ActiveDialogs);
        Assert.Equal(2, agent.ActiveConnections);

        // Our BYE goes out on the kept connection.
        var bye = first.Dialog.ByeAsync();
        var request = await first.Peer.ReadAsync();
        Assert.Equal("BYE", request.Method);
        await first.Peer.SendAsync(ResponseTo(request, 200, "OK"));
        await bye.Guard();
        Assert.Equal(SipDialogEndReason.LocalBye, (await first.Dialog.Terminated.Guard()).Reason);

        // The gateway's BYE arrives on it and is answered.
        await second.Peer.SendAsync(second.Call.InDialog("BYE", second.Ok.ContactUri()!));
        Assert.Equal(200, (await second.Peer.ReadAsync()).Status);
        Assert.Equal(SipDialogEndReason.RemoteBye, (await second.Dialog.Terminated.Guard()).Reason);
        await Until(() => agent.ActiveDialogs == 0);

        // And TCP comes back on request.
        await agent.SetListenersAsync(0, agent.TlsPort, CancellationToken.None);
        Assert.NotNull(agent.TcpPort);
        await using var again = await RawSipClient.ConnectAsync(agent.LocalEndPoints[0]);
        Assert.Equal(200, await OptionsStatusAsync(again, agent.LocalEndPoints[0]));
    }

    [Fact]
    public async Task A_failed_bind_throws_naming_the_port_and_leaves_the_listeners_as_they_were()
    {
        await using var agent = await StartTcpOnlyAsync();
        var tcp = agent.Tcp();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen();
        var taken = ((IPEndPoint)squatter.LocalEndPoint!).Port;

        var addTls = await Assert.ThrowsAsync<SocketException>(
            () => agent.SetListenersAsync(tcp.Port, taken, CancellationToken.None));
        Assert.Contains(taken.ToString(System.Globalization.CultureInfo.InvariantCulture), addTls.Message);
        Assert.Equal(tcp.Port, agent.TcpPort);
        Assert.Null(agent.TlsPort);
        Assert.Equal([tcp], agent.LocalEndPoints);

        // Moving TCP onto the taken port while adding TLS: neither happens, the old TCP listener keeps accepting.
        var moveTcp = await Assert.ThrowsAsync<SocketException>(
            () => agent.SetListenersAsync(taken, 0, CancellationToken.None));
        Assert.Contains(taken.ToString(System.Globalization.CultureInfo.InvariantCulture), moveTcp.Message);
        Assert.Equal(tcp.Port, agent.TcpPort);
        Assert.Null(agent.TlsPort);
        Assert.Equal([tcp], agent.LocalEndPoints);
        await using var client = await RawSipClient.ConnectAsync(tcp);
        Assert.Equal(200, await OptionsStatusAsync(client, tcp));
    }

    [Fact]
    public async Task Tls_listener_needs_server_options_and_the_agent_started()
    {
        await using var plain = await StartAsync(_time);
        await Assert.ThrowsAsync<InvalidOperationException>(() => plain.SetListenersAsync(0, 0, CancellationToken.None));
        Assert.Null(plain.TlsPort);
        Assert.Single(plain.LocalEndPoints);

        await using var notStarted = new SipUserAgent(new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = 0 },
            _time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await Assert.ThrowsAsync<InvalidOperationException>(() => notStarted.SetListenersAsync(0, null, CancellationToken.None));
    }
}
