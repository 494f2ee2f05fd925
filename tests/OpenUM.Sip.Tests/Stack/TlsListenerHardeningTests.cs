using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Transport;
using OpenUM.TestSupport.Pki;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// The TLS listener against hostile peers: handshake timeout, idle timeout, address admission before any TLS byte,
// the per-address budget and the strangers' pool.
public sealed class TlsListenerHardeningTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly TestCa _pki = new();
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
            return new SipTlsHandshake(new SslServerAuthenticationOptions
            {
                ServerCertificate = _serverCert,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, c, _, _) => _pki.Chains(c),
            });
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
        await using var agent = await StartTlsAsync(o => o.ConnectionLimits = o.ConnectionLimits with { TlsHandshakeTimeout = TimeSpan.FromSeconds(10) });
        var acceptedAt = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.AdmitAddress = (_, _) =>
        {
            acceptedAt.TrySetResult(_time.GetUtcNow());
            return SipAddressAdmission.Trusted;
        };
        var failed = new TaskCompletionSource<(SipConnectionInfo Info, Exception Error, DateTimeOffset At)>(
            TaskCreationOptions.RunContinuationsAsynchronously);
        agent.TlsHandshakeFailed += (info, ex, _) => failed.TrySetResult((info, ex, _time.GetUtcNow()));
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
        await using var agent = await StartTlsAsync(o => o.ConnectionLimits = o.ConnectionLimits with { IdleTimeout = TimeSpan.FromMinutes(1) });
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
    public async Task A_silent_handshake_holding_the_last_slot_of_an_address_makes_room_for_a_new_connection()
    {
        await using var agent = await StartTlsAsync(o => o.ConnectionLimits = o.ConnectionLimits with { MaxConnectionsPerAddress = 2 });
        var failures = 0;
        agent.TlsHandshakeFailed += (_, _, _) => Interlocked.Increment(ref failures);

        // Two silent handshakes hold the address's slots (as an attacker sharing a gateway's address would).
        await using var one = await RawSipClient.ConnectAsync(agent.LocalEndPoints[0]);
        await using var two = await RawSipClient.ConnectAsync(agent.LocalEndPoints[0]);
        await Until(() => Volatile.Read(ref _handshakesStarted) == 2);

        await using var client = await RawSipClient.ConnectTlsAsync(agent.LocalEndPoints[0], _clientCert);
        var call = new PeerCall(client.LocalEndPoint, agent.LocalEndPoints[0]) { Transport = "TLS" };
        await client.SendAsync(call.InDialog("OPTIONS", call.RequestUri));

        Assert.Equal(200, (await client.ReadAsync()).Status);
        Assert.True(await one.ClosedWithoutDataAsync()); // the oldest made room
        Assert.Equal(0, Volatile.Read(ref failures));   // an eviction is not a failed handshake
        Assert.Equal(3, Volatile.Read(ref _handshakesStarted));
    }

    [Fact]
    public async Task A_refused_address_gets_no_handshake_at_all()
    {
        await using var agent = await StartTlsAsync();
        agent.AdmitAddress = (_, _) => SipAddressAdmission.Refused;
        var refused = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.AddressRefused += (remote, _) => refused.TrySetResult(remote);

        var error = await Record.ExceptionAsync(() => RawSipClient.ConnectTlsAsync(agent.LocalEndPoints[0], _clientCert));
        Assert.True(error is IOException or System.Security.Authentication.AuthenticationException, $"handshake ended with {error}");

        Assert.Equal(IPAddress.Loopback, (await refused.Task.Guard()).Address);
        Assert.Equal(0, Volatile.Read(ref _handshakesStarted));
    }

    [Fact]
    public async Task A_stranger_holds_a_few_handshakes_at_most_and_never_displaces_a_gateway()
    {
        await using var agent = await StartTlsAsync(o => o.ConnectionLimits = o.ConnectionLimits with { MaxConnectionsPerAddress = 2 });
        agent.AdmitAddress = (address, _) => address.Equals(IPAddress.Loopback) ? SipAddressAdmission.Trusted : SipAddressAdmission.Stranger;
        var stranger = IPAddress.Parse("127.0.0.2");
        var silent = new List<RawSipClient>();
        for (int i = 0; i < 8; i++) silent.Add(await RawSipClient.ConnectAsync(agent.LocalEndPoints[0], stranger));
        await Until(() => Volatile.Read(ref _handshakesStarted) == 8);

        // A ninth from the same stranger: its oldest silent handshake makes room, the pool stays at eight.
        await using var ninth = await RawSipClient.ConnectAsync(agent.LocalEndPoints[0], stranger);
        Assert.True(await silent[0].ClosedWithoutDataAsync());
        await Until(() => Volatile.Read(ref _handshakesStarted) == 9);
        Assert.Equal((0, 8), agent.BudgetInUse);

        // The gateway's address has its own budget: strangers neither hold it nor get displaced by it.
        await using var gateway = await RawSipClient.ConnectTlsAsync(agent.LocalEndPoints[0], _clientCert);
        var call = new PeerCall(gateway.LocalEndPoint, agent.LocalEndPoints[0]) { Transport = "TLS" };
        await gateway.SendAsync(call.InDialog("OPTIONS", call.RequestUri));
        Assert.Equal(200, (await gateway.ReadAsync()).Status);
        Assert.Equal((1, 8), agent.BudgetInUse);
        foreach (var c in silent) await c.DisposeAsync();
    }

    [Fact]
    public async Task A_stranger_whose_certificate_names_a_gateway_moves_to_the_gateway_budget()
    {
        await using var agent = await StartTlsAsync();
        agent.AdmitAddress = (_, _) => SipAddressAdmission.Stranger;
        agent.Admit = info => info.PeerCertificate is not null;

        await using var client = await RawSipClient.ConnectTlsAsync(agent.LocalEndPoints[0], _clientCert, IPAddress.Parse("127.0.0.3"));
        var call = new PeerCall(client.LocalEndPoint, agent.LocalEndPoints[0]) { Transport = "TLS" };
        await client.SendAsync(call.InDialog("OPTIONS", call.RequestUri));

        Assert.Equal(200, (await client.ReadAsync()).Status);
        Assert.Equal((1, 0), agent.BudgetInUse);
    }
}
