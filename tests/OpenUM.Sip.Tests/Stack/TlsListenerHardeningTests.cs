using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// SPEC TLS-2 on the TLS listener: handshake timeout, idle timeout, per-address cap before the handshake.
public sealed class TlsListenerHardeningTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly TestPki _pki = new();
    private readonly X509Certificate2 _serverCert;
    private readonly X509Certificate2 _clientCert;
    private int _handshakesStarted;

    public TlsListenerHardeningTests()
    {
        _serverCert = _pki.Issue("um.openum.test");
        _clientCert = _pki.Issue("gw1.openum.test");
    }

    public void Dispose() => _pki.Dispose();

    private Task<SipUserAgent> StartTlsAsync(Action<SipUserAgentOptions>? configure = null) => StartAsync(_time, o =>
    {
        o.TcpPort = null;
        o.TlsPort = 0;
        o.TlsServerOptions = _ =>
        {
            Interlocked.Increment(ref _handshakesStarted);
            return new SslServerAuthenticationOptions
            {
                ServerCertificate = _serverCert,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, c, _, _) => _pki.Chains(c),
            };
        };
        configure?.Invoke(o);
    });

    // Moves the fake clock in steps until the condition holds (the stack's timers run on it).
    private async Task AdvanceUntil(Func<bool> condition, TimeSpan step)
    {
        using var cts = new CancellationTokenSource(HangGuard);
        while (!condition())
        {
            _time.Advance(step);
            await Task.Delay(5, cts.Token);
        }
    }

    [Fact]
    public async Task A_silent_tls_client_is_closed_at_the_handshake_timeout()
    {
        await using var agent = await StartTlsAsync(o => o.TlsHandshakeTimeout = TimeSpan.FromSeconds(10));
        var acceptedAt = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.AdmitAddress = (_, _) =>
        {
            acceptedAt.TrySetResult(_time.GetUtcNow());
            return true;
        };
        var failed = new TaskCompletionSource<(SipConnectionInfo Info, Exception Error, DateTimeOffset At)>(
            TaskCreationOptions.RunContinuationsAsynchronously);
        agent.TlsHandshakeFailed += (info, ex) => failed.TrySetResult((info, ex, _time.GetUtcNow()));
        var admitted = false;
        agent.Admit = _ => admitted = true;

        await using var silent = await RawSipClient.ConnectAsync(agent.LocalEndPoints[0]); // no ClientHello
        var start = await acceptedAt.Task.Guard();
        await AdvanceUntil(() => failed.Task.IsCompleted, TimeSpan.FromSeconds(1));

        var (info, error, at) = await failed.Task.Guard();
        Assert.Equal(silent.LocalEndPoint.Port, info.Remote.Port);
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.True(at - start >= TimeSpan.FromSeconds(10), $"closed after {at - start}");
        Assert.True(await silent.ClosedWithoutDataAsync());
        Assert.False(admitted);
        Assert.Equal(0, agent.ActiveConnections);
    }

    [Fact]
    public async Task An_idle_tls_connection_is_closed_like_a_tcp_one()
    {
        await using var agent = await StartTlsAsync(o => o.IdleConnectionTimeout = TimeSpan.FromMinutes(1));
        await using var client = await RawSipClient.ConnectTlsAsync(agent.LocalEndPoints[0], _clientCert);
        var call = new PeerCall(client.LocalEndPoint, agent.LocalEndPoints[0]) { Transport = "TLS" };
        await client.SendAsync(call.InDialog("OPTIONS", call.RequestUri));
        Assert.Equal(200, (await client.ReadAsync()).Status);
        var start = _time.GetUtcNow();

        await AdvanceUntil(() => agent.ActiveConnections == 0, TimeSpan.FromSeconds(5));

        Assert.True(_time.GetUtcNow() - start >= TimeSpan.FromMinutes(1));
        Assert.True(await client.ClosedWithoutDataAsync());
    }

    [Fact]
    public async Task The_per_address_cap_refuses_before_any_handshake_work()
    {
        await using var agent = await StartTlsAsync(o =>
        {
            o.MaxConnectionsPerAddress = 2;
            o.TlsHandshakeTimeout = TimeSpan.FromSeconds(10);
        });
        var refused = new TaskCompletionSource<SipConnectionInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.ConnectionRefused += i => refused.TrySetResult(i);
        var failures = 0;
        agent.TlsHandshakeFailed += (_, _) => Interlocked.Increment(ref failures);

        // Two silent handshakes hold the address's slots; the third connection is closed before its handshake.
        await using var one = await RawSipClient.ConnectAsync(agent.LocalEndPoints[0]);
        await using var two = await RawSipClient.ConnectAsync(agent.LocalEndPoints[0]);
        await using var three = await RawSipClient.ConnectAsync(agent.LocalEndPoints[0]);

        var info = await refused.Task.Guard();
        Assert.Equal(three.LocalEndPoint.Port, info.Remote.Port);
        Assert.Equal(SipTransportKind.Tls, info.Transport);
        Assert.Null(info.PeerCertificate);
        Assert.True(await three.ClosedWithoutDataAsync());
        Assert.Equal(2, Volatile.Read(ref _handshakesStarted));

        // When the silent handshakes time out their slots are free again.
        await AdvanceUntil(() => Volatile.Read(ref failures) == 2, TimeSpan.FromSeconds(1));
        await using var client = await RawSipClient.ConnectTlsAsync(agent.LocalEndPoints[0], _clientCert);
        var call = new PeerCall(client.LocalEndPoint, agent.LocalEndPoints[0]) { Transport = "TLS" };
        await client.SendAsync(call.InDialog("OPTIONS", call.RequestUri));
        Assert.Equal(200, (await client.ReadAsync()).Status);
        Assert.Equal(3, Volatile.Read(ref _handshakesStarted));
    }
}
