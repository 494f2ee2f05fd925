using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// SendRequestAsync: an unsolicited NOTIFY (message waiting) to a gateway, outside any dialog (RFC 3261 §8.1, §17.1.2).
public sealed class OutOfDialogRequestTests
{
    private readonly FakeTimeProvider _time = new();

    private static OutgoingRequest NotifyTo(IPEndPoint target, SipTransportKind transport = SipTransportKind.Tcp) => new(
        target, "NOTIFY", SipUri.Parse($"sip:1000@127.0.0.1:{target.Port}"),
        new SipNameAddress(SipUri.Parse("sip:openum@um.example.test")), new SipNameAddress(SipUri.Parse("sip:1000@127.0.0.1")), transport)
    {
        Headers = [new SipHeader("Event", MessageSummary.EventPackage), new SipHeader("Subscription-State", "active;expires=3600")],
        Body = MessageSummary.ForVoice(1, 0, "sip:1000@um.example.test").ToArray(),
        ContentType = MessageSummary.ContentType,
    };

    [Fact]
    public async Task An_unsolicited_notify_carries_the_summary_and_returns_the_gateways_response()
    {
        await using var agent = await StartAsync(_time);
        using var gateway = new TcpListener(IPAddress.Loopback, 0);
        gateway.Start();
        var target = (IPEndPoint)gateway.LocalEndpoint;

        var sending = agent.SendRequestAsync(NotifyTo(target));
        using var socket = await gateway.AcceptSocketAsync().Guard();
        await using var peer = RawSipClient.FromAccepted(socket);
        var notify = await peer.ReadAsync();

        Assert.Equal("NOTIFY", notify.Method);
        Assert.Equal($"sip:1000@127.0.0.1:{target.Port}", notify.RequestUri);
        Assert.Equal("1 NOTIFY", notify.CSeq);
        Assert.Equal("message-summary", notify.Header("Event"));
        Assert.Equal("active;expires=3600", notify.Header("Subscription-State"));
        Assert.Equal("application/simple-message-summary", notify.Header("Content-Type"));
        Assert.Equal("Messages-Waiting: yes\r\nMessage-Account: sip:1000@um.example.test\r\nVoice-Message: 1/0 (0/0)\r\n", notify.Body);
        Assert.NotNull(notify.Tag("From"));
        Assert.Null(notify.Tag("To"));
        Assert.Equal("70", notify.Header("Max-Forwards"));
        Assert.StartsWith("SIP/2.0/TCP ", notify.Header("Via"), StringComparison.Ordinal);
        Assert.StartsWith("<sip:openum@127.0.0.1:", notify.Header("Contact"), StringComparison.Ordinal);
        Assert.False(sending.IsCompleted);

        await peer.SendAsync(ResponseTo(notify, 200, "OK"));
        var result = await sending.Guard();

        Assert.Equal(200, result.StatusCode);
        Assert.True(result.Succeeded);
        Assert.Equal(SipRequestFailure.None, result.Failure);
        Assert.Equal("NOTIFY", result.Response!.CSeq!.Value.Method);
    }

    [Fact]
    public async Task A_refusal_is_a_result_not_an_exception_and_the_connection_is_reused()
    {
        await using var agent = await StartAsync(_time);
        using var gateway = new TcpListener(IPAddress.Loopback, 0);
        gateway.Start();
        var target = (IPEndPoint)gateway.LocalEndpoint;

        var first = agent.SendRequestAsync(NotifyTo(target));
        using var socket = await gateway.AcceptSocketAsync().Guard();
        await using var peer = RawSipClient.FromAccepted(socket);
        await peer.SendAsync(ResponseTo(await peer.ReadAsync(), 481, "Subscription Does Not Exist"));
        var refused = await first.Guard();
        Assert.Equal(481, refused.StatusCode);
        Assert.False(refused.Succeeded);
        Assert.Equal(SipRequestFailure.None, refused.Failure);

        // The second goes over the same connection: the listener is not asked again.
        var second = agent.SendRequestAsync(NotifyTo(target));
        var notify = await peer.ReadAsync();
        await peer.SendAsync(ResponseTo(notify, 200, "OK"));
        Assert.Equal(200, (await second.Guard()).StatusCode);
        Assert.False(gateway.Pending());
    }

    [Fact]
    public async Task No_response_is_a_timeout_after_timer_f()
    {
        await using var agent = await StartAsync(_time);
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();

        var sending = agent.SendRequestAsync(NotifyTo((IPEndPoint)silent.LocalEndpoint));
        using var socket = await silent.AcceptSocketAsync().Guard();
        await using var peer = RawSipClient.FromAccepted(socket);
        Assert.Equal("NOTIFY", (await peer.ReadAsync()).Method);
        for (var i = 0; i < 63; i++) _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.False(sending.IsCompleted); // Timer F is 64*T1
        for (var i = 0; i < 3; i++) _time.Advance(TimeSpan.FromMilliseconds(500));

        var result = await sending.Guard();
        Assert.Equal(408, result.StatusCode);
        Assert.Null(result.Response);
        Assert.Equal(SipRequestFailure.Timeout, result.Failure);
    }

    [Fact]
    public async Task A_refused_connection_is_a_transport_failure()
    {
        await using var agent = await StartAsync(_time);
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var target = (IPEndPoint)closed.LocalEndpoint;
        closed.Stop();

        var result = await agent.SendRequestAsync(NotifyTo(target)).Guard();

        Assert.Equal(503, result.StatusCode);
        Assert.Equal(SipRequestFailure.Transport, result.Failure);
        Assert.IsType<SocketException>(result.Error);
    }

    [Fact]
    public async Task A_connection_lost_before_the_response_is_a_transport_failure()
    {
        await using var agent = await StartAsync(_time);
        using var gateway = new TcpListener(IPAddress.Loopback, 0);
        gateway.Start();

        var sending = agent.SendRequestAsync(NotifyTo((IPEndPoint)gateway.LocalEndpoint));
        using (var socket = await gateway.AcceptSocketAsync().Guard())
        {
            await using var peer = RawSipClient.FromAccepted(socket);
            Assert.Equal("NOTIFY", (await peer.ReadAsync()).Method);
        }

        var result = await sending.Guard();
        Assert.Equal(503, result.StatusCode);
        Assert.Equal(SipRequestFailure.Transport, result.Failure);
    }

    [Fact]
    public async Task A_failed_tls_handshake_is_a_tls_failure_and_names_the_expected_certificate()
    {
        string? askedName = null;
        await using var agent = await StartAsync(_time, o => o.TlsClientOptions = (_, name) =>
        {
            askedName = name;
            return new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true };
        });
        // Accepts TCP and hangs up on the ClientHello: the handshake fails.
        using var plain = new TcpListener(IPAddress.Loopback, 0);
        plain.Start();
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.OutgoingTlsHandshakeFailed += (_, ex) => failed.TrySetResult(ex);

        var sending = agent.SendRequestAsync(NotifyTo((IPEndPoint)plain.LocalEndpoint, SipTransportKind.Tls) with { TlsTargetName = "gw1.example.test" });
        using (var socket = await plain.AcceptSocketAsync().Guard())
        {
            var buffer = new byte[512];
            await socket.ReceiveAsync(buffer, SocketFlags.None).Guard();
        }

        var result = await sending.Guard();
        Assert.Equal(503, result.StatusCode);
        Assert.Equal(SipRequestFailure.Tls, result.Failure);
        Assert.NotNull(result.Error);
        Assert.NotNull(await failed.Task.Guard());
        Assert.Equal("gw1.example.test", askedName);
    }

    [Fact]
    public async Task Over_udp_the_request_is_retransmitted_until_answered()
    {
        await using var agent = await StartAsync(_time, o => o.UdpPort = 0);
        using var gateway = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var target = (IPEndPoint)gateway.Client.LocalEndPoint!;

        var sending = agent.SendRequestAsync(NotifyTo(target, SipTransportKind.Udp));
        var first = await gateway.ReceiveAsync().Guard();
        _time.Advance(TimeSpan.FromMilliseconds(500)); // Timer E: T1
        var again = await gateway.ReceiveAsync().Guard();
        Assert.Equal(first.Buffer, again.Buffer);
        var text = Encoding.UTF8.GetString(first.Buffer);
        Assert.StartsWith("NOTIFY ", text, StringComparison.Ordinal);
        Assert.Contains("Via: SIP/2.0/UDP ", text, StringComparison.Ordinal);

        var head = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var request = RawSipMessage.Parse(head, "");
        await gateway.SendAsync(Encoding.UTF8.GetBytes(ResponseTo(request, 200, "OK")), first.RemoteEndPoint);
        Assert.Equal(200, (await sending.Guard()).StatusCode);
    }

    [Theory]
    [InlineData("INVITE")]
    [InlineData("ACK")]
    [InlineData("CANCEL")]
    [InlineData("NOT IFY")]
    public async Task Methods_that_cannot_stand_alone_are_refused(string method)
    {
        await using var agent = await StartAsync(_time);
        await Assert.ThrowsAsync<ArgumentException>(() => agent.SendRequestAsync(NotifyTo(agent.Tcp()) with { Method = method }));
    }

    [Fact]
    public async Task Tls_without_client_options_is_a_configuration_error()
    {
        await using var agent = await StartAsync(_time);
        await Assert.ThrowsAsync<InvalidOperationException>(() => agent.SendRequestAsync(NotifyTo(agent.Tcp(), SipTransportKind.Tls)));
    }
}
