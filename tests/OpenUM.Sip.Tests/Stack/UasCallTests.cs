using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Tests.Message;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// A raw-socket gateway calls the stack over loopback TCP. Time is fake: no retransmission fires
// unless a test advances the clock.
public sealed class UasCallTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Invite_unanswered_for_200_ms_gets_100_then_200_with_tag_contact_and_sdp_and_ack_confirms()
    {
        await using var agent = await StartAsync(_time);
        var incoming = CaptureCall(agent);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp());

        await peer.SendAsync(call.Invite());
        var ic = await incoming.Task.Guard();
        _time.Advance(TimeSpan.FromMilliseconds(200)); // §17.2.1: the TU has not answered within 200 ms
        var trying = await peer.ReadAsync();
        Assert.Equal(100, trying.Status);
        Assert.Null(trying.Tag("To"));
        Assert.Equal(call.CallId, ic.Request.CallId);
        Assert.Equal("INVITE", ic.Request.Method);

        var dialog = ic.Accept(Bytes(Answer));
        var ok = await peer.ReadAsync();

        Assert.Equal(200, ok.Status);
        Assert.Equal($"{call.CSeq} INVITE", ok.CSeq);
        Assert.Equal(dialog.LocalTag, ok.Tag("To"));
        Assert.Equal(call.FromTag, ok.Tag("From"));
        Assert.False(string.IsNullOrEmpty(dialog.LocalTag));
        Assert.Equal($"sip:4000@127.0.0.1:{agent.Tcp().Port};transport=tcp", ok.ContactUri());
        Assert.Equal("application/sdp", ok.Header("Content-Type"));
        Assert.Equal(Answer, ok.Body);
        Assert.Contains("INVITE", ok.Header("Allow"));
        Assert.Contains("BYE", ok.Header("Allow"));
        Assert.NotNull(ok.Header("Supported"));
        Assert.Equal("OpenUM", ok.Header("User-Agent"));
        Assert.Contains(call.InviteBranch, ok.Header("Via"));
        Assert.False(dialog.Confirmed.IsCompleted);
        Assert.Equal(1, agent.ActiveDialogs);

        call.ToTag = ok.Tag("To");
        await peer.SendAsync(call.AckFor2xx(ok.ContactUri()!, call.CSeq));
        await dialog.Confirmed.Guard();
        Assert.Equal(call.CallId, dialog.CallId);
        Assert.Equal(call.FromTag, dialog.RemoteTag);
        Assert.False(dialog.Terminated.IsCompleted);
    }

    [Fact]
    public async Task Invite_answered_at_once_gets_no_100_later()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent); // its first response is the 200

        _time.Advance(TimeSpan.FromSeconds(1)); // well past the 200 ms after which an unanswered INVITE gets a 100
        await call.Peer.SendAsync(call.Call.InDialog("BYE", call.Ok.ContactUri()!));

        // The next message on the connection answers the BYE: no 100 Trying was left to follow the 200.
        var next = await call.Peer.ReadAsync();
        Assert.Equal((200, $"{call.Call.CSeq} BYE"), (next.Status, next.CSeq));
    }

    [Fact]
    public async Task An_answered_invite_absorbs_its_retransmission_and_a_late_cancel_changes_nothing()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);

        // RFC 6026 Accepted: the INVITE transaction lives on for 64*T1 having let its request, response and call go.
        var tx = Assert.IsType<InviteServerTransaction>(call.Incoming.Request.ServerTransaction);
        Assert.Equal(SipServerTransactionState.Accepted, tx.State);
        Assert.Null(tx.Owner);
        Assert.Throws<InvalidOperationException>(() => tx.Request);
        Assert.Equal(call.Dialog.LocalTag, tx.AcceptedTag);
        await call.Peer.SendAsync(call.Call.Invite());
        await call.Peer.SendAsync(call.Call.Cancel());
        var cancelOk = await call.Peer.ReadAsync(); // the retransmitted INVITE got nothing: the next answers the CANCEL

        Assert.Equal((200, $"{call.Call.CSeq} CANCEL"), (cancelOk.Status, cancelOk.CSeq));
        Assert.Equal(call.Dialog.LocalTag, cancelOk.Tag("To")); // §9.2: the To tag of the INVITE's answer
        Assert.False(call.Dialog.Terminated.IsCompleted);
        await call.Peer.SendAsync(call.Call.InDialog("BYE", call.Ok.ContactUri()!));
        var byeOk = await call.Peer.ReadAsync(); // no 487 for the answered INVITE came before it
        Assert.Equal((200, $"{call.Call.CSeq} BYE"), (byeOk.Status, byeOk.CSeq));
        Assert.Equal(SipDialogEndReason.RemoteBye, (await call.Dialog.Terminated.Guard()).Reason);
    }

    [Fact]
    public async Task Remote_bye_is_answered_200_and_ends_the_dialog()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);

        await call.Peer.SendAsync(call.Call.InDialog("BYE", call.Ok.ContactUri()!));
        var ok = await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("BYE", StringComparison.Ordinal));

        Assert.Equal(200, ok.Status);
        Assert.Equal(call.Dialog.LocalTag, ok.Tag("To"));
        Assert.Equal(SipDialogEndReason.RemoteBye, (await call.Dialog.Terminated.Guard()).Reason);
        Assert.Equal(0, agent.ActiveDialogs);
    }

    [Fact]
    public async Task Local_bye_goes_out_in_the_dialog_and_completes_on_200()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);

        var bye = call.Dialog.ByeAsync();
        var request = await call.Peer.ReadAsync();

        Assert.Equal("BYE", request.Method);
        Assert.Equal($"sip:2000@127.0.0.1:{call.Peer.LocalEndPoint.Port};transport=tcp", request.RequestUri);
        Assert.Equal($"{call.Call.CSeq + 1} BYE", request.CSeq);
        Assert.Equal(call.Dialog.LocalTag, request.Tag("From"));
        Assert.Equal(call.Call.FromTag, request.Tag("To"));
        Assert.Equal(call.Call.CallId, request.Header("Call-ID"));
        Assert.StartsWith("SIP/2.0/TCP 127.0.0.1:", request.Header("Via"));
        Assert.Contains("branch=z9hG4bK", request.Header("Via"));
        Assert.Equal("70", request.Header("Max-Forwards"));
        // §15.1.1: terminated as soon as the BYE is sent; ByeAsync waits for the answer.
        Assert.Equal(SipDialogEndReason.LocalBye, (await call.Dialog.Terminated.Guard()).Reason);
        Assert.False(bye.IsCompleted);

        await call.Peer.SendAsync(ResponseTo(request, 200, "OK"));
        await bye.Guard();
        await Until(() => agent.ActiveDialogs == 0);
    }

    [Fact]
    public async Task Cancel_gets_200_then_487_and_fires_the_cancelled_token()
    {
        await using var agent = await StartAsync(_time);
        var incoming = CaptureCall(agent);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp());
        await peer.SendAsync(call.Invite());
        var ic = await incoming.Task.Guard();
        ic.SendRinging();
        var ringing = await peer.ReadAsync();
        Assert.Equal(180, ringing.Status);

        await peer.SendAsync(call.Cancel());
        var cancelOk = await peer.ReadAsync();
        var terminated = await peer.ReadAsync();

        Assert.Equal(200, cancelOk.Status);
        Assert.Equal($"{call.CSeq} CANCEL", cancelOk.CSeq);
        Assert.Equal(487, terminated.Status);
        Assert.Equal($"{call.CSeq} INVITE", terminated.CSeq);
        Assert.Equal(ringing.Tag("To"), terminated.Tag("To"));
        Assert.Equal(ringing.Tag("To"), cancelOk.Tag("To"));
        await Cancelled(ic.Cancelled).Guard();

        call.ToTag = terminated.Tag("To");
        await peer.SendAsync(call.AckForFailure());
        // Answering after the CANCEL yields a dialog that is already over; nothing goes on the wire.
        var late = ic.Accept(Bytes(Answer));
        Assert.Equal(SipDialogEndReason.Cancelled, (await late.Terminated.Guard()).Reason);
        Assert.Equal(0, agent.ActiveDialogs);
    }

    [Fact]
    public async Task Reinvite_is_answered_with_the_handler_sdp_or_488()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);
        const string hold = "v=0\r\no=openum 7 8 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\na=recvonly\r\n";
        SipMessage? seen = null;
        call.Dialog.OnReInvite = request =>
        {
            seen = request;
            return Bytes(hold);
        };
        var contact = call.Ok.ContactUri()!;

        await call.Peer.SendAsync(call.Call.InDialog("INVITE", contact, PeerCall.Offer, "Contact: <sip:2000@127.0.0.1:5999;transport=tcp>"));
        var ok = await call.Peer.ReadUntilAsync(m => m.Status >= 200);

        Assert.Equal(200, ok.Status);
        Assert.Equal(hold, ok.Body);
        Assert.Equal($"{call.Call.CSeq} INVITE", ok.CSeq);
        Assert.Equal("application/sdp", ok.Header("Content-Type"));
        Assert.NotNull(seen);
        Assert.Equal(PeerCall.Offer, System.Text.Encoding.UTF8.GetString(seen!.Body.Span));
        await call.Peer.SendAsync(call.Call.AckFor2xx(contact, call.Call.CSeq));

        call.Dialog.OnReInvite = _ => null;
        await call.Peer.SendAsync(call.Call.InDialog("INVITE", contact, PeerCall.Offer));
        var refused = await call.Peer.ReadUntilAsync(m => m.Status >= 200);
        Assert.Equal(488, refused.Status);

        // The re-INVITE's new Contact is the dialog's new remote target (§12.2.2).
        _ = call.Dialog.ByeAsync();
        var bye = await call.Peer.ReadUntilAsync(m => m.Method == "BYE");
        Assert.Equal("sip:2000@127.0.0.1:5999;transport=tcp", bye.RequestUri);
    }

    [Fact]
    public async Task Reinvite_before_the_ack_of_the_previous_answer_gets_491()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent, ack: false);
        call.Dialog.OnReInvite = _ => Bytes(Answer);

        await call.Peer.SendAsync(call.Call.InDialog("INVITE", call.Ok.ContactUri()!, PeerCall.Offer));
        var pending = await call.Peer.ReadUntilAsync(m => m.Status >= 400 || m.CSeq == $"{call.Call.CSeq} INVITE");

        Assert.Equal(491, pending.Status);
    }

    [Fact]
    public async Task Request_for_an_unknown_dialog_gets_481()
    {
        await using var agent = await StartAsync(_time);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp()) { ToTag = "nosuchtag" };

        await peer.SendAsync(call.InDialog("BYE", call.RequestUri));
        var response = await peer.ReadAsync();

        Assert.Equal(481, response.Status);
        Assert.Equal("nosuchtag", response.Tag("To"));
    }

    [Fact]
    public async Task Info_in_the_dialog_is_answered_and_raised()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);
        var info = new TaskCompletionSource<SipMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        call.Dialog.InfoReceived += m => info.TrySetResult(m);

        await call.Peer.SendAsync(call.Call.InDialog("INFO", call.Ok.ContactUri()!, "", "Content-Type: application/dtmf-relay"));
        var ok = await call.Peer.ReadAsync();

        Assert.Equal(200, ok.Status);
        Assert.Equal("INFO", (await info.Task.Guard()).Method);
    }

    [Fact]
    public async Task Retransmitted_invite_is_absorbed_by_its_transaction()
    {
        await using var agent = await StartAsync(_time);
        var calls = 0;
        var incoming = new TaskCompletionSource<IncomingCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.OnIncomingCall = c =>
        {
            Interlocked.Increment(ref calls);
            incoming.TrySetResult(c);
            return ValueTask.CompletedTask;
        };
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp());

        await peer.SendAsync(call.Invite());
        var ic = await incoming.Task.Guard();
        await peer.SendAsync(call.Invite());
        Assert.Equal(100, (await peer.ReadAsync()).Status); // nothing sent yet: the retransmission gets a 100 at once
        await peer.SendAsync(call.Invite());
        Assert.Equal(100, (await peer.ReadAsync()).Status); // the last provisional, resent
        ic.Accept(Bytes(Answer));
        Assert.Equal(200, (await peer.ReadAsync()).Status);

        Assert.Equal(1, calls);
        Assert.Equal(1, agent.ActiveDialogs);
    }

    [Fact]
    public async Task Rejected_call_gets_the_status_and_extra_headers()
    {
        await using var agent = await StartAsync(_time);
        agent.OnIncomingCall = c =>
        {
            c.Reject(486, "Busy Here", [new SipHeader("Retry-After", "60")]);
            return ValueTask.CompletedTask;
        };
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp());

        await peer.SendAsync(call.Invite());
        var busy = await peer.ReadUntilAsync(m => m.Status >= 200);

        Assert.Equal(486, busy.Status);
        Assert.Equal("60", busy.Header("Retry-After"));
        Assert.NotNull(busy.Tag("To"));
        Assert.Equal(0, agent.ActiveDialogs);
    }

    [Fact]
    public async Task Sip_i_invite_with_an_isup_part_reaches_the_call_with_its_sdp_offer()
    {
        await using var agent = await StartAsync(_time);
        var incoming = CaptureCall(agent);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());

        await peer.SendAsync(SipBodyTests.SipIInvite());
        var ic = await incoming.Task.Guard();

        Assert.Equal("multipart/mixed", ic.Request.ContentType);
        Assert.Equal(SipTestMessages.Sdp, System.Text.Encoding.ASCII.GetString(ic.SdpOffer.Span));
        ic.Reject(486);
    }

    [Fact]
    public async Task Cancel_on_another_connection_right_behind_the_invite_always_cancels_the_call()
    {
        await using var agent = await StartAsync(_time);
        var calls = new System.Collections.Concurrent.ConcurrentDictionary<string, IncomingCall>();
        agent.OnIncomingCall = c =>
        {
            calls[c.Request.CallId!] = c;
            return ValueTask.CompletedTask;
        };
        await using var a = await RawSipClient.ConnectAsync(agent.Tcp());
        await using var b = await RawSipClient.ConnectAsync(agent.Tcp());

        // Two read loops race: the CANCEL may be handled before, during or after the INVITE's processing.
        for (var i = 0; i < 30; i++)
        {
            var call = new PeerCall(a.LocalEndPoint, agent.Tcp());
            await Task.WhenAll(a.SendAsync(call.Invite()), b.SendAsync(call.Cancel()));
            var cancelled = await b.ReadAsync();
            if (cancelled.Status == 481)
            {
                // It overtook the INVITE: nothing to cancel yet, so cancel it again behind the INVITE.
                await a.SendAsync(call.Cancel());
                cancelled = await a.ReadUntilAsync(m => m.CSeq.EndsWith("CANCEL", StringComparison.Ordinal));
            }
            Assert.Equal(200, cancelled.Status);
            // A 200 to the CANCEL means the INVITE was found: it must end with 487 and the call must see it.
            var final = await a.ReadUntilAsync(m => m.Status >= 200 && m.CSeq.EndsWith("INVITE", StringComparison.Ordinal));
            Assert.Equal(487, final.Status);
            call.ToTag = final.Tag("To");
            await a.SendAsync(call.AckForFailure());
            await Until(() => calls.ContainsKey(call.CallId));
            await Cancelled(calls[call.CallId].Cancelled).Guard();
        }
    }

    [Fact]
    public async Task A_failure_after_the_final_response_sends_no_second_response()
    {
        var agent = new SipUserAgent(new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = 0 }, _time,
            new ThrowingLogger(eventId: 2119)); // "dialog ended": logged after the 200 to the BYE went out
        await agent.StartAsync(CancellationToken.None);
        await using var _ = agent;
        await using var call = await EstablishAsync(agent);

        await call.Peer.SendAsync(call.Call.InDialog("BYE", call.Ok.ContactUri()!));
        var ok = await call.Peer.ReadAsync();
        var options = new PeerCall(call.Peer.LocalEndPoint, agent.Tcp());
        await call.Peer.SendAsync(options.InDialog("OPTIONS", options.RequestUri));
        var next = await call.Peer.ReadAsync();

        Assert.Equal(200, ok.Status);
        Assert.Equal($"{call.Call.CSeq} BYE", ok.CSeq);
        Assert.Equal($"{options.CSeq} OPTIONS", next.CSeq); // not a 500 to the BYE
        Assert.Equal(200, next.Status);
    }

    // Throws from one log event, to make the stack fail at a known point of its handling.
    private sealed class ThrowingLogger(int eventId) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (id.Id == eventId) throw new InvalidOperationException($"log event {eventId} failed");
        }
    }
}
