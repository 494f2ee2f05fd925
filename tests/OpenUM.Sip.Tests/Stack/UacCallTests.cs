using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// Two user agents on loopback: one calls the other (InviteAsync), both ends hang up.
public sealed class UacCallTests
{
    private readonly FakeTimeProvider _time = new();

    private static OutgoingCallRequest CallTo(SipUserAgent callee, string offer = PeerCall.Offer) => new(
        callee.Tcp(),
        SipUri.Parse($"sip:4000@127.0.0.1:{callee.Tcp().Port}"),
        new SipNameAddress(SipUri.Parse("sip:openum@127.0.0.1"), "OpenUM"),
        new SipNameAddress(SipUri.Parse("sip:4000@127.0.0.1")),
        Bytes(offer));

    [Fact]
    public async Task Full_call_caller_hangs_up()
    {
        await using var caller = await StartAsync(_time);
        await using var callee = await StartAsync(_time);
        var answered = new TaskCompletionSource<SipDialog>(TaskCreationOptions.RunContinuationsAsynchronously);
        SipMessage? offer = null;
        callee.OnIncomingCall = call =>
        {
            offer = call.Request;
            call.SendRinging();
            answered.TrySetResult(call.Accept(Bytes(Answer)));
            return ValueTask.CompletedTask;
        };

        var result = await caller.InviteAsync(CallTo(callee), CancellationToken.None).Guard();

        Assert.Equal(200, result.StatusCode);
        Assert.NotNull(result.Dialog);
        Assert.Equal(Answer, Encoding.UTF8.GetString(result.FinalResponse!.Body.Span));
        var calleeDialog = await answered.Task.Guard();
        await calleeDialog.Confirmed.Guard(); // our ACK arrived
        await result.Dialog!.Confirmed.Guard();
        Assert.Equal(calleeDialog.CallId, result.Dialog.CallId);
        Assert.Equal(calleeDialog.LocalTag, result.Dialog.RemoteTag);
        Assert.Equal(result.Dialog.LocalTag, calleeDialog.RemoteTag);
        Assert.Equal(PeerCall.Offer, Encoding.UTF8.GetString(offer!.Body.Span));
        Assert.Equal("application/sdp", offer.ContentType);
        Assert.Equal(70, offer.MaxForwards);
        Assert.Equal(1u, offer.CSeq!.Value.Number);
        Assert.StartsWith("z9hG4bK", offer.Vias[0].Branch, StringComparison.Ordinal);
        Assert.Equal("openum", offer.Contact!.Uri.User);

        await result.Dialog.ByeAsync().Guard();

        Assert.Equal(SipDialogEndReason.LocalBye, (await result.Dialog.Terminated.Guard()).Reason);
        Assert.Equal(SipDialogEndReason.RemoteBye, (await calleeDialog.Terminated.Guard()).Reason);
        await Until(() => caller.ActiveDialogs == 0 && callee.ActiveDialogs == 0);
    }

    [Fact]
    public async Task Full_call_callee_hangs_up_and_the_connection_is_reused()
    {
        await using var caller = await StartAsync(_time);
        await using var callee = await StartAsync(_time);
        var answered = new TaskCompletionSource<SipDialog>(TaskCreationOptions.RunContinuationsAsynchronously);
        callee.OnIncomingCall = call =>
        {
            answered.TrySetResult(call.Accept(Bytes(Answer)));
            return ValueTask.CompletedTask;
        };

        var result = await caller.InviteAsync(CallTo(callee), CancellationToken.None).Guard();
        var calleeDialog = await answered.Task.Guard();
        await calleeDialog.Confirmed.Guard();
        await calleeDialog.ByeAsync().Guard();

        Assert.Equal(SipDialogEndReason.RemoteBye, (await result.Dialog!.Terminated.Guard()).Reason);
        Assert.Equal(SipDialogEndReason.LocalBye, (await calleeDialog.Terminated.Guard()).Reason);

        answered = new TaskCompletionSource<SipDialog>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = await caller.InviteAsync(CallTo(callee), CancellationToken.None).Guard();
        Assert.Equal(200, second.StatusCode);
        Assert.Equal(1, caller.ActiveConnections);
        await second.Dialog!.ByeAsync().Guard();
    }

    [Fact]
    public async Task Rejected_invite_returns_the_status_without_dialog()
    {
        await using var caller = await StartAsync(_time);
        await using var callee = await StartAsync(_time);
        callee.OnIncomingCall = call =>
        {
            call.Reject(486, "Busy Here");
            return ValueTask.CompletedTask;
        };

        var result = await caller.InviteAsync(CallTo(callee), CancellationToken.None).Guard();

        Assert.Equal(486, result.StatusCode);
        Assert.Equal("Busy Here", result.ReasonPhrase);
        Assert.Null(result.Dialog);
        Assert.Equal(0, caller.ActiveDialogs);
    }

    [Fact]
    public async Task Cancelling_invite_sends_cancel_and_the_callee_sees_it()
    {
        await using var caller = await StartAsync(_time);
        await using var callee = await StartAsync(_time);
        var ringing = new TaskCompletionSource<IncomingCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        callee.OnIncomingCall = call =>
        {
            call.SendRinging();
            ringing.TrySetResult(call);
            return ValueTask.CompletedTask;
        };
        using var cts = new CancellationTokenSource();

        var invite = caller.InviteAsync(CallTo(callee), cts.Token);
        var incoming = await ringing.Task.Guard();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => invite.Guard());
        await Cancelled(incoming.Cancelled).Guard();
        Assert.Equal(0, caller.ActiveDialogs);
        Assert.Equal(0, callee.ActiveDialogs);
    }

    [Fact]
    public async Task Unanswered_invite_times_out_with_408_after_timer_b()
    {
        await using var caller = await StartAsync(_time);
        await using var callee = await StartAsync(_time);
        // A raw listener that accepts and never answers stands in for a dead peer.
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var target = (IPEndPoint)silent.LocalEndpoint;
        var request = CallTo(callee) with { Target = target };

        var invite = caller.InviteAsync(request, CancellationToken.None);
        using var peer = await silent.AcceptSocketAsync().Guard();
        // Once the INVITE is on the wire, Timer B is running.
        var buffer = new byte[4096];
        var n = await peer.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None).Guard();
        Assert.StartsWith("INVITE ", Encoding.UTF8.GetString(buffer, 0, n), StringComparison.Ordinal);
        for (var i = 0; i < 66; i++) _time.Advance(TimeSpan.FromMilliseconds(500));

        var result = await invite.Guard();
        Assert.Equal(408, result.StatusCode);
        Assert.Null(result.FinalResponse);
    }

    [Fact]
    public async Task Connect_failure_is_reported_as_a_socket_error()
    {
        await using var caller = await StartAsync(_time);
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var target = (IPEndPoint)closed.LocalEndpoint;
        closed.Stop(); // nothing listens there any more

        await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(
            () => caller.InviteAsync(CallTo(caller) with { Target = target }, CancellationToken.None).Guard());
    }
}
