using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using OpenUM.TestSupport.Logging;
using OpenUM.TestSupport.Pki;

namespace OpenUM.Security.Tests;

// Real loopback handshakes: SslStream server with CreateServerOptions, SslStream client as the gateway.
public sealed class TlsHandshakeTests : IDisposable
{
    private static readonly string[] Gateways = ["gw1.example.test"];
    private readonly FakeTimeProvider _time = new(TestPki.Now);
    private readonly TempStore _temp;
    private readonly X509Certificate2 _ca = TestPki.CreateCa("Test Root");
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromSeconds(60)); // a hang guard, not an assertion

    public TlsHandshakeTests()
    {
        _temp = new TempStore(_time);
        _temp.Store.Trust(_ca.RawData);
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Stop();
        _cts.Dispose();
        _ca.Dispose();
        _temp.Dispose();
    }

    private TlsContext BuildContext(string? bound = null) => TlsContext.FromStore(_temp.Store, bound, "um1.example.test",
        new PeerValidationOptions(), () => Gateways, _time);

    [Fact]
    public async Task GatewayWithATrustedCertificateIsAccepted()
    {
        var context = BuildContext();
        Assert.Equal(SelectionReason.Generated, context.Selection!.Reason);
        using var gateway = TestPki.Issue(_ca, "gw1.example.test", ["gw1.example.test"]);

        var (server, client, verdict) = await Handshake(context.CreateServerOptions, gateway);
        await using (server)
        await using (client)
        {
            Assert.True(verdict?.Accepted, verdict?.Detail);
            Assert.Equal("gw1.example.test", verdict!.Gateway);
            Assert.Equal(gateway.Thumbprint, server.RemoteCertificate!.GetCertHashString());
            Assert.Equal(context.ServerCertificate.Thumbprint, client.RemoteCertificate!.GetCertHashString());
            Assert.True(server.SslProtocol is SslProtocols.Tls12 or SslProtocols.Tls13);
            await AssertEcho(client, server);
        }
    }

    [Fact]
    public async Task GatewayWithoutACertificateIsRejected()
    {
        var context = BuildContext();
        var results = new List<PeerValidationResult>();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => Handshake(o => context.CreateServerOptions(r => { o?.Invoke(r); results.Add(r); }), null));
        Assert.True(ex is AuthenticationException or IOException, ex.ToString());
        Assert.Equal(PeerRejectReason.NoCertificate, Assert.Single(results).Reason);
    }

    [Fact]
    public async Task GatewayWhoseNameIsNotAGatewayIsRejectedWithTheReason()
    {
        var context = BuildContext();
        using var stranger = TestPki.Issue(_ca, "stranger.example.test", ["stranger.example.test"]);
        PeerValidationResult? seen = null;
        await Assert.ThrowsAnyAsync<Exception>(() => Handshake(o => context.CreateServerOptions(r => { seen = r; o?.Invoke(r); }), stranger));
        Assert.Equal(PeerRejectReason.NameNotAGateway, seen?.Reason);
        Assert.Equal(stranger.Thumbprint, seen!.Thumbprint);
        var log = new FakeLogger();
        SecurityEvents.LogIfRejected(log, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 40000), seen);
        Assert.Equal([1426], log.EventIds());
        Assert.Contains("NameNotAGateway", log.Messages()[0]);
        Assert.Contains(stranger.SerialNumber, log.Messages()[0]);
    }

    [Fact]
    public async Task EveryHandshakeIsValidatedEvenWhenTheClientResumes()
    {
        // TLS resumption must not let a gateway removed from the configuration back in on a cached session.
        var context = BuildContext();
        using var gateway = TestPki.Issue(_ca, "gw1.example.test");
        var verdicts = new List<PeerValidationResult>();
        for (var i = 0; i < 3; i++)
        {
            var (server, client, verdict) = await Handshake(o => context.CreateServerOptions(r => { verdicts.Add(r); o?.Invoke(r); }), gateway);
            await using (server)
            await using (client)
            {
                Assert.NotNull(server.RemoteCertificate);
                await AssertEcho(client, server);
            }
        }
        Assert.Equal(3, verdicts.Count);
    }

    [Fact]
    public void ServerOptionsAllowOnlyTls12And13WithoutRenegotiation()
    {
        using var own = TestPki.SelfSigned("um1.example.test");
        Assert.NotNull(TlsContext.Create(own, null, TrustList.Empty, new PeerValidationOptions(), () => [], _time).CreateServerOptions());
        using var keyless = X509CertificateLoader.LoadCertificate(own.RawData);
        Assert.Throws<CertificateStoreException>(() => TlsContext.Create(keyless, null, TrustList.Empty, new PeerValidationOptions(), () => [], _time));

        var options = BuildContext().CreateServerOptions();
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, options.EnabledSslProtocols);
        Assert.True(options.ClientCertificateRequired);
        Assert.False(options.AllowRenegotiation);
        Assert.NotNull(options.CipherSuitesPolicy);
        // Only TLS 1.3 suites and ECDHE with an AEAD: forward secrecy, no CBC, no static RSA key exchange.
        Assert.All(options.CipherSuitesPolicy!.AllowedCipherSuites!, s => Assert.Matches(
            "^TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256|ECDHE_(ECDSA|RSA)_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256))$", s.ToString()));
    }

    [Fact]
    public async Task RotationServesTheNewCertificateToNewConnectionsWhileTheOldOneContinues()
    {
        var log = new FakeLogger();
        string? bound = null;
        var provider = new TlsContextProvider(() => BuildContext(bound), log);
        Assert.True(provider.Reload().Succeeded);
        var first = provider.Current.ServerCertificate;
        Assert.Equal([1112], log.EventIds());
        using var gateway = TestPki.Issue(_ca, "gw1.example.test");

        var (oldServer, oldClient, _) = await Handshake(provider.Current.CreateServerOptions, gateway);
        await using (oldServer)
        await using (oldClient)
        {
            var next = _temp.Store.NewSelfSigned("um1.example.test", validityDays: 30);
            bound = next.Thumbprint;
            var reload = provider.Reload();
            Assert.True(reload.Succeeded && reload.CertificateChanged);
            Assert.Equal([1112, 1116, 1117, 1112], log.EventIds());

            var (newServer, newClient, _) = await Handshake(provider.Current.CreateServerOptions, gateway);
            await using (newServer)
            await using (newClient)
            {
                Assert.Equal(next.Thumbprint, newClient.RemoteCertificate!.GetCertHashString());
            }
            Assert.Equal(first.Thumbprint, oldClient.RemoteCertificate!.GetCertHashString());
            await AssertEcho(oldClient, oldServer);
        }

        // A failed reload keeps the last good context and reports the error.
        Exception? reported = null;
        provider.ReloadFailed += e => reported = e;
        var good = provider.Current;
        var failing = new TlsContextProvider(() => throw new IOException("store unreadable"), log);
        Assert.False(failing.Reload().Succeeded);
        Assert.Null(failing.TryGetCurrent());
        System.IO.Directory.Delete(_temp.Store.PersonalPath, recursive: true);
        var failed = provider.Reload();
        Assert.False(failed.Succeeded);
        Assert.NotNull(reported);
        Assert.Same(good, provider.Current);
        Assert.Same(good, failed.Current);
    }

    private async Task<(SslStream Server, SslStream Client, PeerValidationResult? Verdict)> Handshake(
        Func<Action<PeerValidationResult>?, SslServerAuthenticationOptions> serverOptions, X509Certificate2? clientCertificate)
    {
        var tcpClient = new TcpClient();
        var accept = _listener.AcceptTcpClientAsync(_cts.Token).AsTask();
        await tcpClient.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)_listener.LocalEndpoint).Port, _cts.Token);
        var tcpServer = await accept;
        var server = new SslStream(tcpServer.GetStream(), leaveInnerStreamOpen: false);
        var client = new SslStream(tcpClient.GetStream(), leaveInnerStreamOpen: false);
        PeerValidationResult? verdict = null;
        var clientOptions = new SslClientAuthenticationOptions
        {
            TargetHost = "um1.example.test",
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            // The client under test is the gateway; the server certificate is checked by thumbprint in the tests.
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            // Always present the certificate, even when the server's CA list would not select it.
            LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate!,
        };
        try
        {
            var serverTask = server.AuthenticateAsServerAsync(serverOptions(r => verdict = r), _cts.Token);
            var clientTask = client.AuthenticateAsClientAsync(clientOptions, _cts.Token);
            try
            {
                await Task.WhenAll(serverTask, clientTask);
            }
            catch
            {
                // Surface the server's verdict: that is what the transport would act on.
                await serverTask;
                throw;
            }
            return (server, client, verdict);
        }
        catch
        {
            await server.DisposeAsync();
            await client.DisposeAsync();
            throw;
        }
    }

    private async Task AssertEcho(SslStream client, SslStream server)
    {
        await client.WriteAsync("OPTIONS"u8.ToArray(), _cts.Token);
        await client.FlushAsync(_cts.Token);
        var buffer = new byte[7];
        await server.ReadExactlyAsync(buffer, _cts.Token);
        Assert.Equal("OPTIONS"u8.ToArray(), buffer);
    }
}
