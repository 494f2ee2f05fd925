using System.Net;
using System.Net.Sockets;
using System.Text;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Hostile;

/// <summary>One Dual-mode server for the slow-peer checks: a 5 s message deadline, silent handshakes held up to 60 s.</summary>
public sealed class SlowPeerFixture : IAsyncLifetime
{
    /// <summary>The server.</summary>
    public TlsUmServer Server { get; private set; } = null!;

    /// <summary>Configures and starts it.</summary>
    public async Task InitializeAsync() => Server = await HostileServer.StartAsync(null, null, "--sip-message-timeout", "5", "--tls-handshake-timeout", "60");

    /// <summary>Stops it.</summary>
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Slowloris and idle connections from a gateway's own address: a request trickled one byte a second is closed
/// at the message deadline (each byte used to reset the idle timer); 64 idle connections from the gateway's
/// address do not keep its next call out, on TCP nor on TLS (the least recently used idle one makes room).
/// </summary>
public sealed class SlowPeerTests(SlowPeerFixture fixture, ITestOutputHelper output) : IClassFixture<SlowPeerFixture>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
    private TlsUmServer Server => fixture.Server;

    [Fact]
    public async Task A_request_trickled_one_byte_a_second_is_closed_at_the_message_deadline()
    {
        int before = Server.Um.ReadEvents().Count;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Server.TcpPort));
        int local = ((IPEndPoint)socket.LocalEndPoint!).Port;
        byte[] invite = Encoding.ASCII.GetBytes(
            $"INVITE sip:2000@127.0.0.1:{Server.TcpPort};transport=tcp SIP/2.0\r\n" +
            $"Via: SIP/2.0/TCP 127.0.0.1:{local};branch=z9hG4bKslow{local}\r\nMax-Forwards: 70\r\n" +
            $"From: <sip:5550@127.0.0.1>;tag=slow\r\nTo: <sip:2000@127.0.0.1>\r\nCall-ID: slow-{local}@127.0.0.1\r\n" +
            "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        var deadline = DateTime.UtcNow + HangGuard;
        int sent = 0;
        bool closed = false;
        while (!closed && sent < invite.Length && DateTime.UtcNow < deadline)
        {
            try
            {
                await socket.SendAsync(invite.AsMemory(sent, 1));
                sent++;
            }
            catch (SocketException)
            {
                closed = true;
                break;
            }
            // The server's close shows as a readable socket with nothing to read (or a reset).
            closed = await ClosedWithinAsync(socket, TimeSpan.FromSeconds(1));
        }

        Assert.True(closed, $"the server kept the connection for {sent} bytes trickled over {sent} s\n{Server.Diagnostics}");
        Assert.True(sent < invite.Length, $"the whole request ({invite.Length} bytes) went through before the close");
        var ev = await Server.WaitForEventSinceAsync(before, 2121, e => e.Property("remote").EndsWith($":{local}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "2121 for the trickling connection");
        output.WriteLine($"closed after {sent} bytes: {ev.Raw}");
    }

    [Fact]
    public async Task Sixty_four_idle_tcp_connections_from_the_gateway_address_do_not_keep_its_call_out()
    {
        int before = Server.Um.ReadEvents().Count;
        var idle = await OpenIdleAsync(IPAddress.Loopback, Server.TcpPort, 64);
        try
        {
            var sipp = await Sipp.RunAsync(new SippOptions("options-ping.xml", Server.TcpPort, "2000") { Timeout = TimeSpan.FromSeconds(20) }, output);
            Assert.True(sipp.ExitCode == 0 && sipp.Successful == 1, "the gateway's OPTIONS failed behind 64 idle connections\n" + sipp.Describe() + Server.Diagnostics);
            await Server.WaitForEventSinceAsync(before, 2122, null, TimeSpan.FromSeconds(30), "2122: an idle connection made room");
            Assert.True(await AnyClosedAsync(idle), "no idle connection was closed to make room");
        }
        finally
        {
            foreach (var s in idle) s.Dispose();
        }
    }

    [Fact]
    public async Task Sixty_four_silent_tls_connections_from_the_gateway_address_do_not_keep_its_call_out()
    {
        int before = Server.Um.ReadEvents().Count;
        var idle = await OpenIdleAsync(IPAddress.Parse(HostileServer.GatewayAddress), Server.TlsPort, 64);
        try
        {
            var (ok, log) = await HostileServer.PingOverTlsAsync(Server, HostileServer.GatewayAddress, output);
            Assert.True(ok, "the gateway's OPTIONS over TLS failed behind 64 silent connections\n" + log + Server.Diagnostics);
            await Server.WaitForEventSinceAsync(before, 2122, null, TimeSpan.FromSeconds(30), "2122: a silent handshake made room");
        }
        finally
        {
            foreach (var s in idle) s.Dispose();
        }
    }

    private static async Task<List<Socket>> OpenIdleAsync(IPAddress source, int port, int count)
    {
        var sockets = new List<Socket>();
        for (int i = 0; i < count; i++)
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(source, 0));
            await s.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            sockets.Add(s);
        }
        return sockets;
    }

    private static async Task<bool> AnyClosedAsync(List<Socket> sockets)
    {
        foreach (var s in sockets)
            if (await ClosedWithinAsync(s, TimeSpan.FromMilliseconds(10))) return true;
        return false;
    }

    // True when the peer closed (EOF or reset) within the wait; false when the socket is still silent and open.
    private static async Task<bool> ClosedWithinAsync(Socket socket, TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        var buffer = new byte[64];
        try
        {
            return await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
