using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// Blind transfer as the transferor (RFC 3515): our REFER in the gateway's call, its 202, and the NOTIFYs of the
// implicit subscription carrying message/sipfrag (RFC 3420) the way RFC 5589 §6.1 shows them.
public sealed class ReferTests
{
    private const string Target = "sip:0612345678@192.0.2.10:5060;transport=tcp";
    private readonly FakeTimeProvider _time = new();

    private static string Notify(Established call, string sipfrag, string state, string @event = "refer") =>
        call.Call.InDialog("NOTIFY", call.Ok.ContactUri()!, sipfrag,
            "Event: " + @event, "Subscription-State: " + state, "Content-Type: message/sipfrag;version=2.0");

    [Fact]
    public async Task Refer_carries_refer_to_and_referred_by_and_notifies_report_the_referred_call()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);
        var seen = new List<SipReferProgress>();
        call.Dialog.ReferNotified += p => { lock (seen) seen.Add(p); };

        var referring = call.Dialog.ReferAsync(SipUri.Parse(Target));
        var refer = await call.Peer.ReadAsync();

        Assert.Equal("REFER", refer.Method);
        Assert.Equal($"sip:2000@127.0.0.1:{call.Peer.LocalEndPoint.Port};transport=tcp", refer.RequestUri);
        Assert.Equal($"{call.Call.CSeq + 1} REFER", refer.CSeq);
        Assert.Equal("<" + Target + ">", refer.Header("Refer-To"));
        Assert.Equal($"<sip:{call.Call.User}@127.0.0.1>", refer.Header("Referred-By"));
        Assert.NotNull(refer.ContactUri());
        Assert.Equal(call.Dialog.LocalTag, refer.Tag("From"));
        Assert.Equal(call.Call.FromTag, refer.Tag("To"));
        Assert.Equal(call.Call.CallId, refer.Header("Call-ID"));

        string referCSeq = refer.CSeq.Split(' ')[0];
        await call.Peer.SendAsync(ResponseTo(refer, 202, "Accepted"));
        var result = await referring.Guard();
        Assert.Equal(202, result.StatusCode);
        Assert.True(result.Accepted);
        Assert.False(result.Outcome.IsCompleted);

        await call.Peer.SendAsync(Notify(call, "SIP/2.0 100 Trying\r\n", "active;expires=60"));
        Assert.Equal(200, (await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("NOTIFY", StringComparison.Ordinal))).Status);
        await call.Peer.SendAsync(Notify(call, "SIP/2.0 180 Ringing\r\n", "active;expires=60"));
        Assert.Equal(200, (await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("NOTIFY", StringComparison.Ordinal))).Status);
        Assert.False(result.Outcome.IsCompleted);

        await call.Peer.SendAsync(Notify(call, "SIP/2.0 200 OK\r\n", "terminated;reason=noresource", "refer;id=" + referCSeq));
        Assert.Equal(200, (await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("NOTIFY", StringComparison.Ordinal))).Status);
        var outcome = await result.Outcome.Guard();

        Assert.Equal(new SipReferProgress(200, "OK", true), outcome);
        Assert.True(outcome.Succeeded);
        lock (seen) Assert.Equal([100, 180, 200], seen.Select(p => p.StatusCode));
        Assert.False(call.Dialog.Terminated.IsCompleted);

        // The subscription is over: a later NOTIFY for it is refused (RFC 3265 §3.2.4).
        await call.Peer.SendAsync(Notify(call, "SIP/2.0 200 OK\r\n", "terminated"));
        Assert.Equal(481, (await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("NOTIFY", StringComparison.Ordinal))).Status);
    }

    [Fact]
    public async Task A_refused_refer_returns_its_status_and_a_completed_outcome()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);

        var referring = call.Dialog.ReferAsync(SipUri.Parse(Target));
        var refer = await call.Peer.ReadAsync();
        await call.Peer.SendAsync(ResponseTo(refer, 603, "Declined"));
        var result = await referring.Guard();

        Assert.Equal(603, result.StatusCode);
        Assert.Equal("Declined", result.ReasonPhrase);
        Assert.False(result.Accepted);
        Assert.Equal(new SipReferProgress(603, "Declined", true), await result.Outcome.Guard());
        Assert.False(call.Dialog.Terminated.IsCompleted);
    }

    [Fact]
    public async Task A_refer_without_answer_fails_with_408_after_timer_f()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);

        var referring = call.Dialog.ReferAsync(SipUri.Parse(Target));
        Assert.Equal("REFER", (await call.Peer.ReadAsync()).Method);
        for (var i = 0; i < 33 && !referring.IsCompleted; i++) _time.Advance(TimeSpan.FromSeconds(1)); // Timer F = 64*T1 = 32 s
        var result = await referring.Guard();

        Assert.Equal(408, result.StatusCode);
        Assert.Null(result.Response);
        Assert.True((await result.Outcome.Guard()).Terminated);
    }

    [Fact]
    public async Task A_failed_referred_call_is_reported_as_a_final_failure()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);
        var referring = call.Dialog.ReferAsync(SipUri.Parse(Target));
        var refer = await call.Peer.ReadAsync();
        await call.Peer.SendAsync(ResponseTo(refer, 202, "Accepted"));
        var result = await referring.Guard();

        await call.Peer.SendAsync(Notify(call, "SIP/2.0 486 Busy Here\r\n", "terminated;reason=noresource"));
        Assert.Equal(200, (await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("NOTIFY", StringComparison.Ordinal))).Status);
        var outcome = await result.Outcome.Guard();

        Assert.Equal(486, outcome.StatusCode);
        Assert.False(outcome.Succeeded);
        Assert.True(outcome.IsFinal);
    }

    [Fact]
    public async Task The_peers_bye_after_progress_ends_the_subscription_with_the_last_status()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);
        var referring = call.Dialog.ReferAsync(SipUri.Parse(Target));
        var refer = await call.Peer.ReadAsync();
        await call.Peer.SendAsync(ResponseTo(refer, 202, "Accepted"));
        var result = await referring.Guard();
        await call.Peer.SendAsync(Notify(call, "SIP/2.0 180 Ringing\r\n", "active"));
        Assert.Equal(200, (await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("NOTIFY", StringComparison.Ordinal))).Status);

        await call.Peer.SendAsync(call.Call.InDialog("BYE", call.Ok.ContactUri()!));
        var outcome = await result.Outcome.Guard();

        Assert.Equal(SipDialogEndReason.RemoteBye, (await call.Dialog.Terminated.Guard()).Reason);
        Assert.Equal(new SipReferProgress(180, "Ringing", true), outcome);
    }

    [Fact]
    public async Task Notifies_for_other_packages_unknown_subscriptions_or_bad_bodies_are_refused()
    {
        await using var agent = await StartAsync(_time);
        await using var call = await EstablishAsync(agent);

        // No REFER sent yet: there is no subscription.
        await call.Peer.SendAsync(Notify(call, "SIP/2.0 200 OK\r\n", "active"));
        Assert.Equal(481, (await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("NOTIFY", StringComparison.Ordinal))).Status);

        var referring = call.Dialog.ReferAsync(SipUri.Parse(Target));
        var refer = await call.Peer.ReadAsync();
        await call.Peer.SendAsync(ResponseTo(refer, 202, "Accepted"));
        var result = await referring.Guard();

        await call.Peer.SendAsync(Notify(call, "SIP/2.0 200 OK\r\n", "active", "dialog"));
        Assert.Equal(489, (await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("NOTIFY", StringComparison.Ordinal))).Status);
        await call.Peer.SendAsync(Notify(call, "SIP/2.0 200 OK\r\n", "active", "refer;id=999999"));
        Assert.Equal(481, (await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("NOTIFY", StringComparison.Ordinal))).Status);
        await call.Peer.SendAsync(Notify(call, "INVITE sip:x@y SIP/2.0\r\n", "active"));
        Assert.Equal(400, (await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("NOTIFY", StringComparison.Ordinal))).Status);
        await call.Peer.SendAsync(call.Call.InDialog("NOTIFY", call.Ok.ContactUri()!, "SIP/2.0 200 OK\r\n", "Event: refer",
            "Content-Type: message/sipfrag"));
        Assert.Equal(400, (await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("NOTIFY", StringComparison.Ordinal))).Status);

        Assert.False(result.Outcome.IsCompleted);
        Assert.False(call.Dialog.Terminated.IsCompleted);
    }

    [Fact]
    public async Task Notify_outside_a_dialog_gets_481()
    {
        await using var agent = await StartAsync(_time);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp());

        await peer.SendAsync(call.InDialog("NOTIFY", call.RequestUri, "SIP/2.0 200 OK\r\n", "Event: refer", "Subscription-State: active",
            "Content-Type: message/sipfrag"));

        Assert.Equal(481, (await peer.ReadAsync()).Status);
    }

    [Theory]
    [InlineData("SIP/2.0 200 OK\r\n", true, 200, "OK")]
    [InlineData("SIP/2.0 100 Trying", true, 100, "Trying")]
    [InlineData("SIP/2.0 503 Service Unavailable\r\nRetry-After: 5\r\n", true, 503, "Service Unavailable")]
    [InlineData("SIP/2.0 180 \r\n", true, 180, "")]
    [InlineData("SIP/2.0 486", true, 486, "")]
    [InlineData("SIP/2.0 20 OK", false, 0, "")]
    [InlineData("SIP/2.0 2000 OK", false, 0, "")]
    [InlineData("SIP/2.0 099 Low", false, 0, "")]
    [InlineData("SIP/1.0 200 OK", false, 0, "")]
    [InlineData("INVITE sip:bob@example.com SIP/2.0", false, 0, "")]
    [InlineData("", false, 0, "")]
    public void Sipfrag_status_lines_are_read_strictly(string body, bool ok, int status, string reason)
    {
        Assert.Equal(ok, SipReferProgress.TryParseSipFrag(Encoding.UTF8.GetBytes(body), out var code, out var phrase));
        Assert.Equal(status, code);
        Assert.Equal(reason, phrase);
    }
}
