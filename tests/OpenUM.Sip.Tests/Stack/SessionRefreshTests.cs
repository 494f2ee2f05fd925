using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Message;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// Session refresh as gateways do it: UPDATE (RFC 3311) with or without SDP, and re-INVITE without SDP (§14.2).
public sealed class SessionRefreshTests
{
    private const string Hold =
        "v=0\r\no=openum 7 8 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\na=recvonly\r\n";

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Update_without_sdp_is_a_plain_200_with_contact()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);
        var asked = false;
        call.Dialog.OnReInvite = _ =>
        {
            asked = true;
            return Bytes(Hold);
        };

        await call.Peer.SendAsync(call.Call.InDialog("UPDATE", call.Ok.ContactUri()!, "", "Session-Expires: 1800;refresher=uac"));
        var ok = await call.Peer.ReadAsync();

        Assert.Equal(200, ok.Status);
        Assert.Equal($"{call.Call.CSeq} UPDATE", ok.CSeq);
        Assert.Equal("", ok.Body);
        Assert.Null(ok.Header("Content-Type"));
        Assert.NotNull(ok.ContactUri());
        Assert.False(asked);
        Assert.False(call.Dialog.Terminated.IsCompleted);
    }

    [Fact]
    public async Task Update_with_sdp_is_answered_through_on_reinvite_and_refreshes_the_target()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);
        SipMessage? seen = null;
        call.Dialog.OnReInvite = request =>
        {
            seen = request;
            return Bytes(Hold);
        };

        await call.Peer.SendAsync(call.Call.InDialog("UPDATE", call.Ok.ContactUri()!, PeerCall.Offer, "Contact: <sip:2000@127.0.0.1:5998;transport=tcp>"));
        var ok = await call.Peer.ReadAsync();

        Assert.Equal(200, ok.Status);
        Assert.Equal(Hold, ok.Body);
        Assert.Equal("application/sdp", ok.Header("Content-Type"));
        Assert.Equal("UPDATE", seen!.Method);

        call.Dialog.OnReInvite = _ => null;
        await call.Peer.SendAsync(call.Call.InDialog("UPDATE", call.Ok.ContactUri()!, PeerCall.Offer));
        Assert.Equal(488, (await call.Peer.ReadAsync()).Status);

        _ = call.Dialog.ByeAsync();
        var bye = await call.Peer.ReadUntilAsync(m => m.Method == "BYE");
        Assert.Equal("sip:2000@127.0.0.1:5998;transport=tcp", bye.RequestUri);
    }

    [Fact]
    public async Task Update_is_allowed_in_options_and_481_outside_a_dialog()
    {
        await using var agent = await StartAsync(_time);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp());

        await peer.SendAsync(call.InDialog("OPTIONS", call.RequestUri));
        var options = await peer.ReadAsync();
        await peer.SendAsync(call.InDialog("UPDATE", call.RequestUri));
        var update = await peer.ReadAsync();

        Assert.Contains("UPDATE", options.Header("Allow"));
        Assert.Equal(481, update.Status);
    }

    [Fact]
    public async Task Offerless_reinvite_gets_our_sdp_as_the_offer_and_the_ack_answer_is_accepted()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);
        var offered = 0;
        call.Dialog.OnReInvite = _ => throw new InvalidOperationException("an offerless re-INVITE has no offer to answer");
        call.Dialog.OnOfferlessReInvite = () =>
        {
            offered++;
            return Bytes(Answer);
        };
        var contact = call.Ok.ContactUri()!;

        await call.Peer.SendAsync(call.Call.InDialog("INVITE", contact));
        var ok = await call.Peer.ReadUntilAsync(m => m.Status >= 200);

        Assert.Equal(200, ok.Status);
        Assert.Equal($"{call.Call.CSeq} INVITE", ok.CSeq);
        Assert.Equal(Answer, ok.Body);
        Assert.Equal("application/sdp", ok.Header("Content-Type"));
        Assert.Equal(1, offered);

        // The ACK carries the answer to our offer; the dialog takes it and carries on.
        await call.Peer.SendAsync(call.Call.Request("ACK", contact, PeerCall.NewBranch(), call.Call.CSeq, PeerCall.Offer, [], "ACK"));
        await call.Peer.SendAsync(call.Call.InDialog("INFO", contact, "", "Content-Type: application/dtmf-relay"));
        var info = await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("INFO", StringComparison.Ordinal));
        Assert.Equal(200, info.Status);
        Assert.False(call.Dialog.Terminated.IsCompleted);
    }

    [Fact]
    public async Task Offerless_reinvite_without_the_callback_gets_488()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);
        call.Dialog.OnReInvite = _ => Bytes(Hold);

        await call.Peer.SendAsync(call.Call.InDialog("INVITE", call.Ok.ContactUri()!));
        var refused = await call.Peer.ReadUntilAsync(m => m.Status >= 200);

        Assert.Equal(488, refused.Status);
        Assert.False(call.Dialog.Terminated.IsCompleted);
    }

    [Fact]
    public async Task Update_with_an_offer_while_our_offer_awaits_its_answer_gets_491()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);
        call.Dialog.OnOfferlessReInvite = () => Bytes(Answer);
        call.Dialog.OnReInvite = _ => Bytes(Hold);
        var contact = call.Ok.ContactUri()!;
        await call.Peer.SendAsync(call.Call.InDialog("INVITE", contact));
        Assert.Equal(200, (await call.Peer.ReadUntilAsync(m => m.Status >= 200)).Status);

        await call.Peer.SendAsync(call.Call.InDialog("UPDATE", contact, PeerCall.Offer));
        var pending = await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("UPDATE", StringComparison.Ordinal));

        Assert.Equal(491, pending.Status);
        Assert.Equal("", pending.Body);
    }
}
