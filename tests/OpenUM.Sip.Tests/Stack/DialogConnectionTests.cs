using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// RFC 3261 §12/§18: a dialog outlives the connection its INVITE came on; §15: the callee's BYE waits for the ACK.
public sealed class DialogConnectionTests
{
    private readonly FakeTimeProvider _time = new();

    // The gateway calls from an ephemeral port but listens (its Contact) on another one.
    private static async Task<(StackHarness.Established Call, TcpListener GatewayListener)> EstablishWithListenerAsync(SipUserAgent agent, bool ack = true)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var incoming = CaptureCall(agent);
        var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall((IPEndPoint)listener.LocalEndpoint, agent.Tcp());
        await peer.SendAsync(call.Invite());
        var ic = await incoming.Task.Guard();
        var dialog = ic.Accept(Bytes(Answer));
        var ok = await peer.ReadAsync();
        Assert.Equal(200, ok.Status);
        call.ToTag = ok.Tag("To");
        if (ack)
        {
            await peer.SendAsync(call.AckFor2xx(ok.ContactUri()!, call.CSeq));
            await dialog.Confirmed.Guard();
        }
        return (new StackHarness.Established(peer, call, dialog, ok, ic), listener);
    }

    [Fact]
    public async Task Gateway_closing_its_connection_keeps_the_dialog_and_bye_goes_over_a_new_connection_to_its_contact()
    {
        await using var agent = await StartAsync(_time);
        var (call, listener) = await EstablishWithListenerAsync(agent);
        using var _ = listener;

        await call.Peer.DisposeAsync();
        await Until(() => agent.ActiveConnections == 0);

        Assert.False(call.Dialog.Terminated.IsCompleted);
        Assert.Equal(1, agent.ActiveDialogs);

        var bye = call.Dialog.ByeAsync();
        using var socket = await listener.AcceptSocketAsync().Guard();
        await using var gateway = RawSipClient.FromAccepted(socket);
        var request = await gateway.ReadAsync();

        Assert.Equal("BYE", request.Method);
        Assert.Equal($"sip:2000@127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port};transport=tcp", request.RequestUri);
        Assert.Equal($"{call.Call.CSeq + 1} BYE", request.CSeq);
        Assert.Equal(call.Dialog.LocalTag, request.Tag("From"));
        // The Via names the new connection, so the response comes back on it.
        Assert.StartsWith($"SIP/2.0/TCP 127.0.0.1:{((IPEndPoint)socket.RemoteEndPoint!).Port};", request.Header("Via"));
        Assert.Equal(SipDialogEndReason.LocalBye, (await call.Dialog.Terminated.Guard()).Reason);

        await gateway.SendAsync(ResponseTo(request, 200, "OK"));
        await bye.Guard();
        await Until(() => agent.ActiveDialogs == 0);
    }

    [Fact]
    public async Task Bye_with_no_way_to_reach_the_contact_ends_the_dialog_as_transport_lost()
    {
        await using var agent = await StartAsync(_time);
        var (call, listener) = await EstablishWithListenerAsync(agent);
        listener.Stop(); // the Contact port now refuses connections
        listener.Dispose();
        await call.Peer.DisposeAsync();
        await Until(() => agent.ActiveConnections == 0);

        await call.Dialog.ByeAsync().Guard();

        Assert.Equal(SipDialogEndReason.TransportLost, (await call.Dialog.Terminated.Guard()).Reason);
        Assert.Equal(0, agent.ActiveDialogs);
    }

    [Fact]
    public async Task Gateway_bye_on_a_new_connection_after_the_first_closed_ends_the_dialog()
    {
        await using var agent = await StartAsync(_time);
        var (call, listener) = await EstablishWithListenerAsync(agent);
        using var _ = listener;
        await call.Peer.DisposeAsync();
        await Until(() => agent.ActiveConnections == 0);

        await using var again = await RawSipClient.ConnectAsync(agent.Tcp());
        await again.SendAsync(call.Call.InDialog("BYE", call.Ok.ContactUri()!));
        var ok = await again.ReadAsync();

        Assert.Equal(200, ok.Status);
        Assert.Equal(SipDialogEndReason.RemoteBye, (await call.Dialog.Terminated.Guard()).Reason);
    }

    [Fact]
    public async Task Uac_bye_after_the_callee_closed_the_connection_goes_to_the_callee_contact()
    {
        await using var caller = await StartAsync(_time);
        using var callee = new TcpListener(IPAddress.Loopback, 0);
        callee.Start();
        var calleeEndPoint = (IPEndPoint)callee.LocalEndpoint;
        var request = new OutgoingCallRequest(calleeEndPoint, SipUri.Parse($"sip:4000@127.0.0.1:{calleeEndPoint.Port}"),
            new SipNameAddress(SipUri.Parse("sip:openum@127.0.0.1"), "OpenUM"), new SipNameAddress(SipUri.Parse("sip:4000@127.0.0.1")),
            Bytes(PeerCall.Offer));

        var inviting = caller.InviteAsync(request, CancellationToken.None);
        var first = await callee.AcceptSocketAsync().Guard();
        var uas = RawSipClient.FromAccepted(first);
        var invite = await uas.ReadAsync();
        Assert.Equal("INVITE", invite.Method);
        await uas.SendAsync(Ok(invite, "uas1", calleeEndPoint.Port));
        var result = await inviting.Guard();
        var ack = await uas.ReadAsync();
        Assert.Equal("ACK", ack.Method);
        await uas.DisposeAsync();
        first.Dispose();
        await Until(() => caller.ActiveConnections == 0);
        Assert.False(result.Dialog!.Terminated.IsCompleted);

        var bye = result.Dialog.ByeAsync();
        using var second = await callee.AcceptSocketAsync().Guard();
        await using var uasAgain = RawSipClient.FromAccepted(second);
        var byeRequest = await uasAgain.ReadAsync();

        Assert.Equal("BYE", byeRequest.Method);
        Assert.Equal($"sip:4000@127.0.0.1:{calleeEndPoint.Port};transport=tcp", byeRequest.RequestUri);
        Assert.Equal("uas1", byeRequest.Tag("To"));
        await uasAgain.SendAsync(ResponseTo(byeRequest, 200, "OK"));
        await bye.Guard();
        Assert.Equal(SipDialogEndReason.LocalBye, (await result.Dialog.Terminated.Guard()).Reason);
    }

    // The raw callee's 200: To tag, Contact on its listening port, SDP answer.
    private static string Ok(RawSipMessage invite, string tag, int contactPort)
    {
        var sb = new StringBuilder("SIP/2.0 200 OK\r\n");
        foreach (var via in invite.All("Via")) sb.Append("Via: ").Append(via).Append("\r\n");
        sb.Append("From: ").Append(invite.Header("From")).Append("\r\n");
        sb.Append("To: ").Append(invite.Header("To")).Append(";tag=").Append(tag).Append("\r\n");
        sb.Append("Call-ID: ").Append(invite.Header("Call-ID")).Append("\r\n");
        sb.Append("CSeq: ").Append(invite.CSeq).Append("\r\n");
        sb.Append("Contact: <sip:4000@127.0.0.1:").Append(contactPort).Append(";transport=tcp>\r\n");
        sb.Append("Content-Type: application/sdp\r\n");
        sb.Append("Content-Length: ").Append(Encoding.UTF8.GetByteCount(Answer)).Append("\r\n\r\n").Append(Answer);
        return sb.ToString();
    }

    [Fact]
    public async Task Bye_before_the_ack_waits_for_it_while_the_2xx_is_retransmitted()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent, ack: false);

        var bye = call.Dialog.ByeAsync();
        Assert.False(call.Dialog.Terminated.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(510)); // the 2xx retransmission (T1), and no BYE before it
        var again = await call.Peer.ReadAsync();
        Assert.Equal(200, again.Status);
        Assert.Equal($"{call.Call.CSeq} INVITE", again.CSeq);
        Assert.False(call.Dialog.Terminated.IsCompleted);

        await call.Peer.SendAsync(call.Call.AckFor2xx(call.Ok.ContactUri()!, call.Call.CSeq));
        var request = await call.Peer.ReadAsync();

        Assert.Equal("BYE", request.Method);
        Assert.Equal($"{call.Call.CSeq + 1} BYE", request.CSeq);
        await call.Dialog.Confirmed.Guard();
        Assert.Equal(SipDialogEndReason.LocalBye, (await call.Dialog.Terminated.Guard()).Reason);
        await call.Peer.SendAsync(ResponseTo(request, 200, "OK"));
        await bye.Guard();
        await Until(() => agent.ActiveDialogs == 0);
    }

    [Fact]
    public async Task Bye_before_an_ack_that_never_comes_goes_out_at_timer_h_as_ack_timeout()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent, ack: false);

        var bye = call.Dialog.ByeAsync();
        for (var i = 0; i < 33; i++) _time.Advance(TimeSpan.FromSeconds(1)); // 64*T1 = 32 s
        var request = await call.Peer.ReadUntilAsync(m => !m.IsResponse);

        Assert.Equal("BYE", request.Method);
        Assert.Equal(SipDialogEndReason.AckTimeout, (await call.Dialog.Terminated.Guard()).Reason);
        await call.Peer.SendAsync(ResponseTo(request, 200, "OK"));
        await bye.Guard();
    }

    [Fact]
    public async Task Remote_bye_while_our_bye_waits_for_the_ack_completes_it()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent, ack: false);
        var bye = call.Dialog.ByeAsync();

        await call.Peer.SendAsync(call.Call.InDialog("BYE", call.Ok.ContactUri()!));
        var ok = await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("BYE", StringComparison.Ordinal));

        Assert.Equal(200, ok.Status);
        await bye.Guard();
        Assert.Equal(SipDialogEndReason.RemoteBye, (await call.Dialog.Terminated.Guard()).Reason);
        Assert.Equal(0, agent.ActiveDialogs);
    }
}
