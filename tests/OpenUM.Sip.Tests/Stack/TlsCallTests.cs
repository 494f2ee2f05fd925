using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;
using OpenUM.TestSupport.Pki;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// TLS-4: two user agents, each with a certificate from a test CA; the caller connects over TLS presenting its
// certificate as client certificate and checks the callee's certificate name; both ends hang up.
public sealed class TlsCallTests : IDisposable
{
    private const string CalleeName = "um-callee.openum.test";
    private const string CallerName = "um-caller.openum.test";
    private readonly FakeTimeProvider _time = new();
    private readonly TestCa _pki = new();
    private readonly X509Certificate2 _calleeCert;
    private readonly X509Certificate2 _callerCert;
    private readonly ConcurrentQueue<X509Certificate?> _seenByCallee = new();
    private readonly ConcurrentQueue<(IPEndPoint Target, string? Host)> _clientRequests = new();
    private readonly ConcurrentQueue<SipConnectionInfo> _admittedByCallee = new();

    public TlsCallTests()
    {
        _calleeCert = _pki.Issue(CalleeName);
        _callerCert = _pki.Issue(CallerName);
    }

    public void Dispose() => _pki.Dispose();

    private SslServerAuthenticationOptions ServerOptions(X509Certificate2 certificate) => new()
    {
        ServerCertificate = certificate,
        ClientCertificateRequired = true,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        RemoteCertificateValidationCallback = (_, c, _, _) =>
        {
            _seenByCallee.Enqueue(c);
            return _pki.Chains(c);
        },
    };

    // What the server does: its certificate as client certificate, the chain and name checked. TargetHost is
    // left empty on purpose (the stack fills it); mapIp stands for "the gateway at this address is that FQDN".
    private Func<IPEndPoint, string?, SslClientAuthenticationOptions> ClientOptions(X509Certificate2 certificate, string? mapIp = null) =>
        (target, host) =>
        {
            _clientRequests.Enqueue((target, host));
            return new SslClientAuthenticationOptions
            {
                TargetHost = mapIp is not null && IPAddress.TryParse(host, out _) ? mapIp : null,
                ClientCertificates = new X509CertificateCollection { certificate },
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, c, _, errors) => _pki.AcceptsServer(c, errors),
            };
        };

    private async Task<(SipUserAgent Caller, SipUserAgent Callee)> StartPairAsync(string? mapIp = null)
    {
        var callee = await StartAsync(_time, o =>
        {
            o.TcpPort = null;
            o.TlsPort = 0;
            o.TlsServerOptions = _ => new SipTlsHandshake(ServerOptions(_calleeCert));
        });
        callee.Admit = info =>
        {
            _admittedByCallee.Enqueue(info);
            return true;
        };
        var caller = await StartAsync(_time, o =>
        {
            o.TcpPort = null;
            o.TlsPort = 0;
            o.TlsServerOptions = _ => new SipTlsHandshake(ServerOptions(_callerCert));
            o.TlsClientOptions = ClientOptions(_callerCert, mapIp);
        });
        return (caller, callee);
    }

    private static OutgoingCallRequest TlsCallTo(SipUserAgent callee, string? targetName = CalleeName) => new(
        callee.LocalEndPoints[0],
        SipUri.Parse($"sip:4000@127.0.0.1:{callee.TlsPort};transport=tls"),
        new SipNameAddress(SipUri.Parse("sip:openum@127.0.0.1"), "OpenUM"),
        new SipNameAddress(SipUri.Parse("sip:4000@127.0.0.1")),
        Bytes(PeerCall.Offer),
        SipTransportKind.Tls) { TlsTargetName = targetName };

    private static TaskCompletionSource<SipDialog> Answer(SipUserAgent callee, Action<SipMessage>? inspect = null)
    {
        var answered = new TaskCompletionSource<SipDialog>(TaskCreationOptions.RunContinuationsAsynchronously);
        callee.OnIncomingCall = call =>
        {
            inspect?.Invoke(call.Request);
            answered.TrySetResult(call.Accept(Bytes(StackHarness.Answer)));
            return ValueTask.CompletedTask;
        };
        return answered;
    }

    [Fact]
    public async Task Tls_call_presents_certificates_both_ways_and_ends_by_bye_from_either_side()
    {
        var (caller, callee) = await StartPairAsync();
        await using var _ = caller;
        await using var __ = callee;
        SipMessage? invite = null;
        var answered = Answer(callee, r => invite = r);

        var result = await caller.InviteAsync(TlsCallTo(callee), CancellationToken.None).Guard();

        Assert.Equal(200, result.StatusCode);
        var calleeDialog = await answered.Task.Guard();
        await calleeDialog.Confirmed.Guard();
        // The callee's handshake callback and admission saw the caller's certificate.
        Assert.Contains(_seenByCallee, c => c is not null && c.GetCertHashString() == _callerCert.Thumbprint);
        Assert.True(_admittedByCallee.TryPeek(out var admitted));
        Assert.Equal(SipTransportKind.Tls, admitted!.Transport);
        Assert.Equal(_callerCert.Thumbprint, admitted.PeerCertificate?.Thumbprint);
        // The caller's connection carries the callee's (server) certificate; the name asked was the FQDN.
        Assert.Equal(SipTransportKind.Tls, result.Dialog!.Connection.Transport);
        Assert.Equal(_calleeCert.Thumbprint, result.Dialog.Connection.PeerCertificate?.Thumbprint);
        Assert.True(_clientRequests.TryPeek(out var asked));
        Assert.Equal(CalleeName, asked.Host);
        Assert.Equal(callee.LocalEndPoints[0], asked.Target);
        Assert.Equal("TLS", invite!.Vias[0].Transport);
        Assert.Equal("tls", invite.Contact!.Uri.GetParameter("transport"));
        Assert.Equal("sip", invite.Contact.Uri.Scheme);
        Assert.Equal(caller.TlsPort, invite.Contact.Uri.Port);

        await result.Dialog.ByeAsync().Guard();
        Assert.Equal(SipDialogEndReason.LocalBye, (await result.Dialog.Terminated.Guard()).Reason);
        Assert.Equal(SipDialogEndReason.RemoteBye, (await calleeDialog.Terminated.Guard()).Reason);

        // A second call reuses the TLS connection; this time the callee hangs up.
        answered = Answer(callee);
        var second = await caller.InviteAsync(TlsCallTo(callee), CancellationToken.None).Guard();
        Assert.Equal(200, second.StatusCode);
        calleeDialog = await answered.Task.Guard();
        await calleeDialog.Confirmed.Guard();
        Assert.Equal(1, caller.ActiveConnections);
        Assert.Single(_clientRequests);

        await calleeDialog.ByeAsync().Guard();
        Assert.Equal(SipDialogEndReason.RemoteBye, (await second.Dialog!.Terminated.Guard()).Reason);
        Assert.Equal(SipDialogEndReason.LocalBye, (await calleeDialog.Terminated.Guard()).Reason);
        await Until(() => caller.ActiveDialogs == 0 && callee.ActiveDialogs == 0);
    }

    [Fact]
    public async Task Tls_target_name_defaults_to_the_request_uri_host_and_a_mismatch_fails_the_call()
    {
        var (caller, callee) = await StartPairAsync();
        await using var _ = caller;
        await using var __ = callee;
        var calls = 0;
        callee.OnIncomingCall = call =>
        {
            Interlocked.Increment(ref calls);
            call.Reject(500, "Unexpected");
            return ValueTask.CompletedTask;
        };
        var failed = new TaskCompletionSource<(SipConnectionInfo, Exception)>(TaskCreationOptions.RunContinuationsAsynchronously);
        caller.OutgoingTlsHandshakeFailed += (info, ex) => failed.TrySetResult((info, ex));

        // No TlsTargetName: the name checked is the Request-URI host, 127.0.0.1, which the certificate does not carry.
        await Assert.ThrowsAsync<AuthenticationException>(
            () => caller.InviteAsync(TlsCallTo(callee, targetName: null), CancellationToken.None).Guard());

        Assert.True(_clientRequests.TryPeek(out var asked));
        Assert.Equal("127.0.0.1", asked.Host);
        var (info, error) = await failed.Task.Guard();
        Assert.IsType<AuthenticationException>(error);
        Assert.Equal(SipTransportKind.Tls, info.Transport);
        Assert.Equal(callee.LocalEndPoints[0], info.Remote);
        Assert.Equal(_calleeCert.Thumbprint, info.PeerCertificate?.Thumbprint);
        Assert.Equal(0, caller.ActiveConnections);
        Assert.Equal(0, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task Outgoing_tls_without_client_options_is_refused()
    {
        await using var callee = await StartAsync(_time, o =>
        {
            o.TcpPort = null;
            o.TlsPort = 0;
            o.TlsServerOptions = _ => new SipTlsHandshake(ServerOptions(_calleeCert));
        });
        await using var caller = await StartAsync(_time, o => o.TcpPort = null);

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => caller.InviteAsync(TlsCallTo(callee), CancellationToken.None).Guard());
        Assert.Equal(0, caller.ActiveConnections);
    }

    [Fact]
    public async Task Bye_after_the_tls_connection_is_lost_opens_a_new_tls_connection_to_the_contact()
    {
        var (caller, callee) = await StartPairAsync(mapIp: CalleeName);
        await using var _ = caller;
        await using var __ = callee;
        var answered = Answer(callee);
        var result = await caller.InviteAsync(TlsCallTo(callee), CancellationToken.None).Guard();
        var calleeDialog = await answered.Task.Guard();
        await calleeDialog.Confirmed.Guard();

        result.Dialog!.CurrentConnection.Close(graceful: false);
        await Until(() => caller.ActiveConnections == 0 && callee.ActiveConnections == 0);
        Assert.False(calleeDialog.Terminated.IsCompleted);

        await result.Dialog.ByeAsync().Guard();

        Assert.Equal(SipDialogEndReason.RemoteBye, (await calleeDialog.Terminated.Guard()).Reason);
        // The in-dialog connection was a fresh TLS handshake to the callee's Contact (its TLS port), the caller
        // presenting its certificate again.
        Assert.Equal(2, _clientRequests.Count);
        var reconnect = _clientRequests.Last();
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, callee.TlsPort!.Value), reconnect.Target);
        Assert.Equal("127.0.0.1", reconnect.Host);
        Assert.Equal(2, _admittedByCallee.Count);
        Assert.All(_admittedByCallee, i => Assert.Equal(_callerCert.Thumbprint, i.PeerCertificate?.Thumbprint));
        Assert.Equal(_calleeCert.Thumbprint, result.Dialog.Connection.PeerCertificate?.Thumbprint);
    }

    [Fact]
    public async Task Outgoing_tls_handshake_to_a_silent_server_times_out()
    {
        await using var caller = await StartAsync(_time, o =>
        {
            o.TcpPort = null;
            o.ConnectionLimits = o.ConnectionLimits with { TlsHandshakeTimeout = TimeSpan.FromSeconds(10) };
            o.TlsClientOptions = ClientOptions(_callerCert);
        });
        // Accepts TCP, never answers the ClientHello.
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var target = (IPEndPoint)silent.LocalEndpoint;
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        caller.OutgoingTlsHandshakeFailed += (_, ex) => failed.TrySetResult(ex);
        var request = new OutgoingCallRequest(target, SipUri.Parse($"sip:4000@127.0.0.1:{target.Port};transport=tls"),
            new SipNameAddress(SipUri.Parse("sip:openum@127.0.0.1")), new SipNameAddress(SipUri.Parse("sip:4000@127.0.0.1")),
            Bytes(PeerCall.Offer), SipTransportKind.Tls) { TlsTargetName = CalleeName };

        var inviting = caller.InviteAsync(request, CancellationToken.None);
        using var accepted = await silent.AcceptSocketAsync().Guard();
        var start = _time.GetUtcNow();
        using (var cts = new CancellationTokenSource(HangGuard))
        {
            while (!inviting.IsCompleted)
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(5, cts.Token);
            }
        }

        await Assert.ThrowsAsync<TimeoutException>(() => inviting);
        Assert.IsType<TimeoutException>(await failed.Task.Guard());
        Assert.True(_time.GetUtcNow() - start >= TimeSpan.FromSeconds(10));
        Assert.Equal(0, caller.ActiveConnections);
    }
}
