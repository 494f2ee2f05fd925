using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Transport;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// The optional transports: UDP (retransmissions, rport) and TLS (peer certificate reaches admission).
public sealed class UdpAndTlsTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Udp_options_is_answered_to_the_source_port_with_rport_filled()
    {
        await using var agent = await StartAsync(_time, o => { o.TcpPort = null; o.UdpPort = 0; });
        using var peer = new UdpPeer();
        var call = new PeerCall(peer.LocalEndPoint, agent.LocalEndPoints[0]) { Transport = "UDP", RPort = true };

        await peer.SendAsync(call.InDialog("OPTIONS", call.RequestUri), agent.LocalEndPoints[0]);
        var ok = await peer.ReceiveAsync();

        Assert.Equal(200, ok.Status);
        Assert.Contains($"rport={peer.LocalEndPoint.Port}", ok.Header("Via"));
        Assert.Contains("received=127.0.0.1", ok.Header("Via"));
    }

    [Fact]
    public async Task Udp_rejection_is_retransmitted_by_timer_g_until_ack()
    {
        await using var agent = await StartAsync(_time, o => { o.TcpPort = null; o.UdpPort = 0; });
        agent.OnIncomingCall = c =>
        {
            c.Reject(486, "Busy Here");
            return ValueTask.CompletedTask;
        };
        using var peer = new UdpPeer();
        var target = agent.LocalEndPoints[0];
        var call = new PeerCall(peer.LocalEndPoint, target) { Transport = "UDP", RPort = true };

        await peer.SendAsync(call.Invite(), target);
        var busy = await peer.ReceiveAsync();
        Assert.Equal(486, busy.Status);

        _time.Advance(TimeSpan.FromMilliseconds(510)); // Timer G = T1
        var again = await peer.ReceiveAsync();
        Assert.Equal(486, again.Status);
        Assert.Equal(busy.Tag("To"), again.Tag("To"));

        // A retransmitted INVITE is answered from the transaction, not a second call.
        await peer.SendAsync(call.Invite(), target);
        Assert.Equal(486, (await peer.ReceiveAsync()).Status);
        call.ToTag = busy.Tag("To");
        await peer.SendAsync(call.AckForFailure(), target);
    }

    [Fact]
    public async Task Udp_address_admission_runs_first_and_only_admitted_datagrams_reach_admit()
    {
        await using var agent = await StartAsync(_time, o => { o.TcpPort = null; o.UdpPort = 0; });
        var addressChecks = 0;
        var infos = new List<SipConnectionInfo>();
        // The first datagram is refused by its address, the later ones pass.
        agent.AdmitAddress = (address, kind) =>
            Interlocked.Increment(ref addressChecks) > 1 && kind == SipTransportKind.Udp && address.Equals(IPAddress.Loopback)
                ? SipAddressAdmission.Trusted : SipAddressAdmission.Refused;
        agent.Admit = info =>
        {
            lock (infos) infos.Add(info);
            return true;
        };
        var refusedEvents = 0;
        agent.ConnectionRefused += _ => Interlocked.Increment(ref refusedEvents);
        using var peer = new UdpPeer();
        var target = agent.LocalEndPoints[0];
        var call = new PeerCall(peer.LocalEndPoint, target) { Transport = "UDP", RPort = true };

        await peer.SendAsync(call.InDialog("OPTIONS", call.RequestUri), target); // refused by address
        await peer.SendAsync(call.InDialog("OPTIONS", call.RequestUri), target);
        await peer.SendAsync(call.InDialog("OPTIONS", call.RequestUri), target);
        var first = await peer.ReceiveAsync();
        var second = await peer.ReceiveAsync();

        // One receive loop in order: both answers mean all three datagrams were handled.
        Assert.Equal($"{call.CSeq - 1} OPTIONS", first.CSeq);
        Assert.Equal($"{call.CSeq} OPTIONS", second.CSeq);
        Assert.Equal(3, Volatile.Read(ref addressChecks));
        Assert.Equal(0, Volatile.Read(ref refusedEvents));
        lock (infos)
        {
            Assert.Equal(2, infos.Count);
            Assert.Same(infos[0], infos[1]); // the admitted peer's info is built once and reused
        }
    }

    [Fact]
    public async Task Tcp_connection_refused_by_address_is_closed_before_admit_sees_it()
    {
        await using var agent = await StartAsync(_time);
        var admitted = 0;
        agent.AdmitAddress = (_, kind) => kind != SipTransportKind.Tcp ? SipAddressAdmission.Trusted : SipAddressAdmission.Refused;
        agent.Admit = _ =>
        {
            Interlocked.Increment(ref admitted);
            return true;
        };
        var reported = new TaskCompletionSource<(IPEndPoint Remote, SipTransportKind Kind)>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.AddressRefused += (remote, kind) => reported.TrySetResult((remote, kind));
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());

        Assert.True(await peer.ClosedWithoutDataAsync());
        Assert.Equal(0, Volatile.Read(ref admitted));
        var (remote, kind) = await reported.Task.Guard();
        Assert.Equal(peer.LocalEndPoint.Port, remote.Port);
        Assert.Equal(SipTransportKind.Tcp, kind);
    }

    [Fact]
    public async Task Udp_datagram_refused_by_admission_is_reported()
    {
        await using var agent = await StartAsync(_time, o => { o.TcpPort = null; o.UdpPort = 0; });
        agent.Admit = _ => false;
        var refused = new TaskCompletionSource<SipConnectionInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.ConnectionRefused += i => refused.TrySetResult(i);
        using var peer = new UdpPeer();
        var call = new PeerCall(peer.LocalEndPoint, agent.LocalEndPoints[0]) { Transport = "UDP" };

        await peer.SendAsync(call.InDialog("OPTIONS", call.RequestUri), agent.LocalEndPoints[0]);

        var info = await refused.Task.Guard();
        Assert.Equal(SipTransportKind.Udp, info.Transport);
        Assert.Equal(peer.LocalEndPoint.Port, info.Remote.Port);
    }

    [Fact]
    public async Task Tls_peer_certificate_reaches_admission_and_sip_flows()
    {
        using var serverCert = SelfSigned("CN=openum.test", serverAuth: true);
        using var clientCert = SelfSigned("CN=gateway.test", serverAuth: false);
        SipConnectionInfo? admitted = null;
        await using var agent = await StartAsync(_time, o =>
        {
            o.TcpPort = null;
            o.TlsPort = 0;
            o.TlsServerOptions = _ =>
            {
                SipTlsHandshake? handshake = null;
                // The certificate check (Security's, in the server) names the peer it accepted; the connection carries it.
                handshake = new SipTlsHandshake(new SslServerAuthenticationOptions
                {
                    ServerCertificate = serverCert,
                    ClientCertificateRequired = true,
                    RemoteCertificateValidationCallback = (_, c, _, _) =>
                    {
                        handshake!.PeerIdentity = c?.Subject == "CN=gateway.test" ? "gateway.test" : null;
                        return c is not null;
                    },
                });
                return handshake;
            };
        });
        agent.Admit = info =>
        {
            admitted = info;
            return true;
        };

        await using var peer = await RawSipClient.ConnectTlsAsync(agent.LocalEndPoints[0], clientCert);
        var call = new PeerCall(peer.LocalEndPoint, agent.LocalEndPoints[0]) { Transport = "TLS" };
        await peer.SendAsync(call.InDialog("OPTIONS", call.RequestUri));
        var ok = await peer.ReadAsync();

        Assert.Equal(200, ok.Status);
        Assert.NotNull(admitted);
        Assert.Equal(SipTransportKind.Tls, admitted!.Transport);
        Assert.Equal(clientCert.Thumbprint, admitted.PeerCertificate?.Thumbprint);
        Assert.Equal("gateway.test", admitted.PeerIdentity);
    }

    [Fact]
    public async Task Tls_handshake_failure_is_reported_and_closes_the_connection()
    {
        using var serverCert = SelfSigned("CN=openum.test", serverAuth: true);
        await using var agent = await StartAsync(_time, o =>
        {
            o.TcpPort = null;
            o.TlsPort = 0;
            o.TlsServerOptions = _ => new SipTlsHandshake(new SslServerAuthenticationOptions { ServerCertificate = serverCert });
        });
        var failed = new TaskCompletionSource<SipConnectionInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.TlsHandshakeFailed += (info, _, _) => failed.TrySetResult(info);
        var admitted = false;
        agent.Admit = _ => admitted = true;

        await using var peer = await RawSipClient.ConnectAsync(agent.LocalEndPoints[0]);
        await peer.SendAsync("OPTIONS sip:x SIP/2.0\r\n\r\n"); // plain SIP on the TLS port

        Assert.Equal(peer.LocalEndPoint.Port, (await failed.Task.Guard()).Remote.Port);
        Assert.True(await peer.ClosedWithoutDataAsync());
        Assert.False(admitted);
    }

    [Fact]
    public async Task Udp_call_on_a_wildcard_bind_announces_the_real_local_address()
    {
        await using var agent = await StartAsync(_time, o => { o.ListenAddress = IPAddress.Any; o.TcpPort = null; o.UdpPort = 0; });
        var incoming = CaptureCall(agent);
        using var peer = new UdpPeer();
        var target = new IPEndPoint(IPAddress.Loopback, agent.LocalEndPoints[0].Port);
        var call = new PeerCall(peer.LocalEndPoint, target) { Transport = "UDP", RPort = true };

        await peer.SendAsync(call.Invite(), target);
        var dialog = (await incoming.Task.Guard()).Accept(Bytes(Answer));
        var ok = await peer.ReceiveAsync();

        Assert.Equal(200, ok.Status);
        Assert.Equal($"sip:4000@127.0.0.1:{target.Port};transport=udp", ok.ContactUri());
        call.ToTag = ok.Tag("To");
        await peer.SendAsync(call.AckFor2xx(ok.ContactUri()!, call.CSeq), target);
        await dialog.Confirmed.Guard();
    }

    private static X509Certificate2 SelfSigned(string subject, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var usage = new OidCollection { new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2") };
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usage, false));
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    private sealed class UdpPeer : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly byte[] _buffer = new byte[65536];

        public UdpPeer() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

        public async Task SendAsync(string message, IPEndPoint target) =>
            await _socket.SendToAsync(Encoding.UTF8.GetBytes(message), SocketFlags.None, target);

        public async Task<RawSipMessage> ReceiveAsync()
        {
            using var cts = new CancellationTokenSource(HangGuard);
            var result = await _socket.ReceiveFromAsync(_buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            var text = Encoding.UTF8.GetString(_buffer, 0, result.ReceivedBytes);
            var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            return RawSipMessage.Parse(text[..split], text[(split + 4)..]);
        }

        public void Dispose() => _socket.Dispose();
    }
}
