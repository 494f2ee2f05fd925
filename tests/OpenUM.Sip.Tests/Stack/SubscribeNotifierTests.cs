using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// The agent as notifier (RFC 6665 §4.2): 200 and the initial NOTIFY, refresh, unsubscribe, expiry, 481 and Timer F.
public sealed class SubscribeNotifierTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _logger = new();
    private readonly List<SipSubscription> _accepted = [];

    private Task<SipUserAgent> StartAsync(Func<IncomingSubscribe, ValueTask>? decide = null) =>
        Subscriber.StartNotifierAsync(_time, _logger, decide, accepted: _accepted);

    private SipSubscription Accepted()
    {
        lock (_accepted) return Assert.Single(_accepted);
    }

    private static byte[] Body(uint newMessages, uint oldMessages) => MessageSummary.ForVoice(newMessages, oldMessages).ToArray();

    [Fact]
    public async Task Subscribe_gets_200_with_expires_contact_and_tag_then_the_initial_notify_in_the_new_dialog()
    {
        IncomingSubscribe? seen = null;
        await using var agent = await StartAsync(s =>
        {
            seen = s;
            lock (_accepted) _accepted.Add(s.Accept(Encoding.ASCII.GetBytes(Subscriber.Summary), MessageSummary.ContentType));
            return ValueTask.CompletedTask;
        });
        await using var sub = await Subscriber.ConnectAsync(agent);

        await sub.SendSubscribeAsync("3600", "message-summary;id=7");
        var ok = await sub.ReadResponseAsync();
        var notify = await sub.ReadNotifyAsync();

        Assert.Equal(200, ok.Status);
        Assert.Equal("3600", ok.Header("Expires"));
        Assert.NotNull(ok.Tag("To"));
        Assert.StartsWith($"<sip:1000@127.0.0.1:{agent.Tcp().Port};transport=tcp>", ok.Header("Contact"), StringComparison.Ordinal);
        Assert.Equal("message-summary", seen!.EventPackage);
        Assert.Equal(TimeSpan.FromHours(1), seen.Expires);

        var contact = sub.Peer.LocalEndPoint;
        Assert.Equal($"sip:1000@{contact.Address}:{contact.Port};transport=tcp", notify.RequestUri); // the SUBSCRIBE's Contact
        Assert.Equal(sub.CallId, notify.Header("Call-ID"));
        Assert.Equal(ok.Tag("To"), notify.Tag("From"));
        Assert.Equal(sub.FromTag, notify.Tag("To"));
        Assert.Equal("1 NOTIFY", notify.CSeq);
        Assert.Equal("message-summary;id=7", notify.Header("Event"));
        Assert.Equal("active;expires=3600", notify.Header("Subscription-State"));
        Assert.Equal(MessageSummary.ContentType, notify.Header("Content-Type"));
        Assert.Equal(Subscriber.Summary, notify.Body);
        Assert.NotNull(notify.ContactUri());
        await sub.AnswerAsync(notify);

        Assert.Equal(1, agent.ActiveSubscriptions);
        var subscription = Accepted();
        Assert.Equal(SipSubscriptionState.Active, subscription.State);
        Assert.False(subscription.Terminated.IsCompleted);
    }

    [Theory]
    [InlineData(null, 3600)]      // RFC 3842 §3.4 default
    [InlineData("100000", 86400)] // lowered to the maximum
    [InlineData("60", 60)]        // the minimum itself
    public async Task The_granted_expiry_is_the_default_or_the_request_capped_at_the_maximum(string? asked, int granted)
    {
        await using var agent = await StartAsync();
        await using var sub = await Subscriber.ConnectAsync(agent);

        var (ok, notify) = await sub.SubscribeAsync(asked);

        Assert.Equal(granted.ToString(System.Globalization.CultureInfo.InvariantCulture), ok.Header("Expires"));
        Assert.Equal($"active;expires={granted}", notify.Header("Subscription-State"));
    }

    [Fact]
    public async Task The_handler_may_shorten_the_expiry_and_accept_as_pending_without_a_body()
    {
        await using var agent = await StartAsync(s =>
        {
            lock (_accepted) _accepted.Add(s.AcceptPending(TimeSpan.FromSeconds(600)));
            return ValueTask.CompletedTask;
        });
        await using var sub = await Subscriber.ConnectAsync(agent);

        var (ok, pending) = await sub.SubscribeAsync("3600");
        Assert.Equal("600", ok.Header("Expires"));
        Assert.Equal("pending;expires=600", pending.Header("Subscription-State"));
        Assert.Null(pending.Header("Content-Type"));
        Assert.Equal("", pending.Body);

        // The state is known now: the next NOTIFY is active with it.
        var subscription = Accepted();
        var notifying = subscription.NotifyAsync(Body(2, 8), MessageSummary.ContentType);
        var active = await sub.ReadNotifyAsync();
        Assert.Equal("2 NOTIFY", active.CSeq);
        Assert.Equal("active;expires=600", active.Header("Subscription-State"));
        Assert.Equal("Messages-Waiting: yes\r\nVoice-Message: 2/8 (0/0)\r\n", active.Body);
        await sub.AnswerAsync(active);
        Assert.Equal(200, (await notifying.Guard()).StatusCode);
        Assert.Equal(SipSubscriptionState.Active, subscription.State);
    }

    [Fact]
    public async Task A_refresh_gets_200_and_a_notify_with_the_last_state_and_restarts_the_clock()
    {
        await using var agent = await StartAsync();
        await using var sub = await Subscriber.ConnectAsync(agent);
        await sub.SubscribeAsync("600");
        var subscription = Accepted();
        var changing = subscription.NotifyAsync(Body(0, 3), MessageSummary.ContentType);
        await sub.AnswerAsync(await sub.ReadNotifyAsync());
        await changing.Guard();

        _time.Advance(TimeSpan.FromSeconds(500));
        Assert.Equal(TimeSpan.FromSeconds(100), subscription.Remaining);
        await sub.SendSubscribeAsync("1200");
        var ok = await sub.ReadResponseAsync();
        var notify = await sub.ReadNotifyAsync();

        Assert.Equal(200, ok.Status);
        Assert.Equal("1200", ok.Header("Expires"));
        Assert.Equal(sub.ToTag, ok.Tag("To"));
        Assert.Equal("3 NOTIFY", notify.CSeq);
        Assert.Equal("active;expires=1200", notify.Header("Subscription-State"));
        Assert.Equal("Messages-Waiting: no\r\nVoice-Message: 0/3 (0/0)\r\n", notify.Body);
        await sub.AnswerAsync(notify);
        await sub.SyncAsync();

        // The old deadline passes without an end: the refresh moved it.
        _time.Advance(TimeSpan.FromSeconds(200));
        Assert.False(subscription.Terminated.IsCompleted);
        Assert.Equal(TimeSpan.FromSeconds(1000), subscription.Remaining);
    }

    [Fact]
    public async Task Expires_zero_gets_200_and_a_terminated_notify_and_the_subscription_is_gone()
    {
        await using var agent = await StartAsync();
        await using var sub = await Subscriber.ConnectAsync(agent);
        await sub.SubscribeAsync();
        var subscription = Accepted();

        await sub.SendSubscribeAsync("0");
        var ok = await sub.ReadResponseAsync();
        var notify = await sub.ReadNotifyAsync();

        Assert.Equal(200, ok.Status);
        Assert.Equal("0", ok.Header("Expires"));
        Assert.Equal("terminated;reason=timeout", notify.Header("Subscription-State"));
        Assert.Equal(Subscriber.Summary, notify.Body);
        await sub.AnswerAsync(notify);
        Assert.Equal(SipSubscriptionEndReason.Unsubscribed, (await subscription.Terminated.Guard()).Reason);
        Assert.Equal(0, agent.ActiveSubscriptions);

        // Nothing is left to refresh or notify.
        await sub.SendSubscribeAsync("3600");
        Assert.Equal(481, (await sub.ReadResponseAsync()).Status);
        var late = await subscription.NotifyAsync(Body(1, 0), MessageSummary.ContentType).Guard();
        Assert.Equal(SipRequestFailure.SubscriptionEnded, late.Failure);
    }

    [Fact]
    public async Task An_unrefreshed_subscription_expires_on_the_wheel_with_a_timeout_notify()
    {
        await using var agent = await StartAsync();
        await using var sub = await Subscriber.ConnectAsync(agent);
        await sub.SubscribeAsync("60");
        var subscription = Accepted();

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(subscription.Terminated.IsCompleted);
        Assert.Equal(SipSubscriptionState.Active, subscription.State);
        _time.Advance(TimeSpan.FromSeconds(2));
        var notify = await sub.ReadNotifyAsync();

        Assert.Equal("terminated;reason=timeout", notify.Header("Subscription-State"));
        Assert.Equal("2 NOTIFY", notify.CSeq);
        await sub.AnswerAsync(notify);
        Assert.Equal(SipSubscriptionEndReason.Expired, (await subscription.Terminated.Guard()).Reason);
        Assert.Equal(0, agent.ActiveSubscriptions);
    }

    [Fact]
    public async Task A_notify_answered_481_drops_the_subscription()
    {
        await using var agent = await StartAsync();
        await using var sub = await Subscriber.ConnectAsync(agent);
        await sub.SubscribeAsync();
        var subscription = Accepted();

        var notifying = subscription.NotifyAsync(Body(1, 1), MessageSummary.ContentType);
        await sub.AnswerAsync(await sub.ReadNotifyAsync(), 481, "Subscription Does Not Exist");

        Assert.Equal(481, (await notifying.Guard()).StatusCode);
        Assert.Equal(SipSubscriptionEndReason.Rejected, (await subscription.Terminated.Guard()).Reason);
        Assert.Equal(0, agent.ActiveSubscriptions);
        var after = await subscription.NotifyAsync(Body(2, 1), MessageSummary.ContentType).Guard();
        Assert.Equal(SipRequestFailure.SubscriptionEnded, after.Failure);
    }

    [Fact]
    public async Task A_notify_without_response_drops_the_subscription_after_timer_f()
    {
        await using var agent = await StartAsync();
        await using var sub = await Subscriber.ConnectAsync(agent);
        await sub.SubscribeAsync();
        var subscription = Accepted();

        var notifying = subscription.NotifyAsync(Body(1, 1), MessageSummary.ContentType);
        await sub.ReadNotifyAsync();
        for (var i = 0; i < 66; i++) _time.Advance(TimeSpan.FromMilliseconds(500));

        var result = await notifying.Guard();
        Assert.Equal(SipRequestFailure.Timeout, result.Failure);
        Assert.Equal(SipSubscriptionEndReason.NotifyFailed, (await subscription.Terminated.Guard()).Reason);
        Assert.Equal(0, agent.ActiveSubscriptions);
    }

    [Fact]
    public async Task Terminate_sends_the_reason_and_shutdown_ends_what_is_left()
    {
        await using var agent = await StartAsync();
        await using var first = await Subscriber.ConnectAsync(agent);
        await using var second = await Subscriber.ConnectAsync(agent);
        await first.SubscribeAsync();
        await second.SubscribeAsync();
        SipSubscription a, b;
        lock (_accepted) (a, b) = (_accepted[0], _accepted[1]);

        var terminating = a.TerminateAsync("noresource");
        var notify = await first.ReadNotifyAsync();
        Assert.Equal("terminated;reason=noresource", notify.Header("Subscription-State"));
        await first.AnswerAsync(notify);
        Assert.Equal(200, (await terminating.Guard()).StatusCode);
        Assert.Equal(SipSubscriptionEndReason.Terminated, (await a.Terminated.Guard()).Reason);

        await agent.DisposeAsync();
        Assert.Equal(SipSubscriptionEndReason.Shutdown, (await b.Terminated.Guard()).Reason);
    }

    [Fact]
    public async Task A_fetch_with_expires_zero_is_answered_with_one_terminated_notify_carrying_the_state()
    {
        await using var agent = await StartAsync();
        await using var sub = await Subscriber.ConnectAsync(agent);

        await sub.SendSubscribeAsync("0");
        var ok = await sub.ReadResponseAsync();
        var notify = await sub.ReadNotifyAsync();
        await sub.AnswerAsync(notify);

        Assert.Equal("0", ok.Header("Expires"));
        Assert.Equal("terminated;reason=timeout", notify.Header("Subscription-State"));
        Assert.Equal(Subscriber.Summary, notify.Body);
        Assert.Equal(SipSubscriptionEndReason.Unsubscribed, (await Accepted().Terminated.Guard()).Reason);
        await Until(() => agent.ActiveSubscriptions == 0);
    }
}
