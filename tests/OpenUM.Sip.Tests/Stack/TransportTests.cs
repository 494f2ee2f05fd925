using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// Admission, framing, stateless answers, caps and timers of the TCP transport.
public sealed class TransportTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Refused_connection_is_closed_without_any_response_and_reported()
    {
        await using var agent = await StartAsync(_time);
        var seen = new List<SipConnectionInfo>();
        agent.Admit = info =>
        {
            lock (seen) seen.Add(info);
            return false;
        };
        var refused = new TaskCompletionSource<SipConnectionInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.ConnectionRefused += info => refused.TrySetResult(info);
        var incoming = CaptureCall(agent);

        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());

        Assert.True(await peer.ClosedWithoutDataAsync());
        var info = await refused.Task.Guard();
        Assert.Equal(peer.LocalEndPoint.Port, info.Remote.Port);
        Assert.Equal(SipTransportKind.Tcp, info.Transport);
        Assert.Null(info.PeerCertificate);
        Assert.Single(seen);
        Assert.False(incoming.Task.IsCompleted);
        Assert.Equal(0, agent.ActiveConnections);
    }

    [Fact]
    public async Task Options_outside_a_dialog_gets_200_with_capabilities_and_no_body()
    {
        await using var agent = await StartAsync(_time);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp());

        await peer.SendAsync(call.InDialog("OPTIONS", call.RequestUri, "", "Accept: application/sdp"));
        var ok = await peer.ReadAsync();

        Assert.Equal(200, ok.Status);
        var allow = ok.Header("Allow")!.Split(',', StringSplitOptions.TrimEntries);
        foreach (var method in new[] { "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO" }) Assert.Contains(method, allow);
        Assert.Equal("application/sdp", ok.Header("Accept"));
        Assert.NotNull(ok.Header("Supported"));
        Assert.Equal("0", ok.Header("Content-Length"));
        Assert.Equal("", ok.Body);
        Assert.NotNull(ok.Tag("To"));
    }

    [Fact]
    public async Task Malformed_request_gets_400_naming_the_header_and_is_reported()
    {
        await using var agent = await StartAsync(_time);
        var rejected = new TaskCompletionSource<SipRejection>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.MessageRejected += (_, r, _) => rejected.TrySetResult(r);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp());
        var bad = call.Invite().Replace($"CSeq: {call.CSeq} INVITE", "CSeq: many INVITE", StringComparison.Ordinal);

        await peer.SendAsync(bad);
        var response = await peer.ReadAsync();

        Assert.Equal(400, response.Status);
        Assert.Contains("CSeq", response.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(call.CallId, response.Header("Call-ID"));
        Assert.Equal(400, (await rejected.Task.Guard()).StatusCode);
    }

    [Fact]
    public async Task Garbage_closes_the_connection_when_framing_is_lost()
    {
        await using var agent = await StartAsync(_time);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());

        await peer.SendAsync("\u0001\u0002 not sip at all\r\nContent-Length: -5\r\n\r\n");

        // Nothing usable to answer: the connection is closed (possibly after a stateless response).
        var closed = false;
        try
        {
            while (true) await peer.ReadAsync();
        }
        catch (EndOfStreamException)
        {
            closed = true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            closed = true;
        }
        Assert.True(closed);
    }

    [Fact]
    public async Task Method_not_allowed_by_policy_gets_405_with_allow()
    {
        await using var agent = await StartAsync(_time);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp());

        await peer.SendAsync(call.InDialog("REGISTER", call.RequestUri, "", "Contact: <sip:2000@127.0.0.1>", "Expires: 60"));
        var response = await peer.ReadAsync();

        Assert.Equal(405, response.Status);
        Assert.Contains("INVITE", response.Header("Allow"));
    }

    [Fact]
    public async Task Idle_connection_is_closed_but_one_carrying_a_dialog_is_kept()
    {
        await using var agent = await StartAsync(_time, o => o.ConnectionLimits = o.ConnectionLimits with { IdleTimeout = TimeSpan.FromMinutes(1) });
        await using var idle = await RawSipClient.ConnectAsync(agent.Tcp());
        var probe = new PeerCall(idle.LocalEndPoint, agent.Tcp());
        await idle.SendAsync(probe.InDialog("OPTIONS", probe.RequestUri));
        Assert.Equal(200, (await idle.ReadAsync()).Status);
        await using var call = await EstablishAsync(agent);

        for (var i = 0; i < 30; i++) _time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(await idle.ClosedWithoutDataAsync());
        await call.Peer.SendAsync(call.Call.InDialog("OPTIONS", call.Ok.ContactUri()!));
        var ok = await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("OPTIONS", StringComparison.Ordinal));
        Assert.Equal(200, ok.Status);
        Assert.False(call.Dialog.Terminated.IsCompleted);
    }

    [Fact]
    public async Task Without_ack_the_2xx_is_retransmitted_then_timer_h_ends_the_call_with_bye()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent, ack: false);

        // §13.3.1.4: first retransmission after T1.
        _time.Advance(TimeSpan.FromMilliseconds(510));
        var again = await call.Peer.ReadAsync();
        Assert.Equal(200, again.Status);
        Assert.Equal(call.Dialog.LocalTag, again.Tag("To"));
        Assert.False(call.Dialog.Terminated.IsCompleted);

        for (var i = 0; i < 64; i++) _time.Advance(TimeSpan.FromMilliseconds(500));

        Assert.Equal(SipDialogEndReason.AckTimeout, (await call.Dialog.Terminated.Guard()).Reason);
        var bye = await call.Peer.ReadUntilAsync(m => m.Method == "BYE");
        Assert.Equal(call.Dialog.LocalTag, bye.Tag("From"));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.Dialog.Confirmed.Guard());
    }

    [Fact]
    public async Task Bye_without_answer_completes_after_timer_f()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);

        var bye = call.Dialog.ByeAsync();
        Assert.Equal("BYE", (await call.Peer.ReadAsync()).Method);
        Assert.False(bye.IsCompleted);
        for (var i = 0; i < 66; i++) _time.Advance(TimeSpan.FromMilliseconds(500));

        await bye.Guard();
        Assert.Equal(SipDialogEndReason.LocalBye, (await call.Dialog.Terminated.Guard()).Reason);
        await Until(() => agent.ActiveDialogs == 0);
    }

    [Fact]
    public async Task Keepalive_crlf_and_pipelined_messages_are_handled_in_order()
    {
        await using var agent = await StartAsync(_time);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp());
        var first = call.InDialog("OPTIONS", call.RequestUri);
        var second = call.InDialog("OPTIONS", call.RequestUri);

        await peer.SendAsync("\r\n\r\n" + first + second);

        Assert.Equal($"{call.CSeq - 1} OPTIONS", (await peer.ReadAsync()).CSeq);
        Assert.Equal($"{call.CSeq} OPTIONS", (await peer.ReadAsync()).CSeq);
        Assert.True(Encoding.UTF8.GetByteCount(first) > 0);
    }

    [Fact]
    public async Task Start_on_a_busy_port_throws_a_socket_error_naming_it()
    {
        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        var port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;
        await using var agent = new SipUserAgent(
            new SipUserAgentOptions { ListenAddress = System.Net.IPAddress.Loopback, TcpPort = port },
            _time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var error = await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => agent.StartAsync(CancellationToken.None));

        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }
}
