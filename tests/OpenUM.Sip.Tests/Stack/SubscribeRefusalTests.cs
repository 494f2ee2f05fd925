using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// What the notifier refuses, and how its refusals stay bounded: 400/489/423 before the handler, the handler's own
// statuses, the caps (503 + Retry-After), event 2043 rate-limited, admission as for INVITE, no notifier = no SUBSCRIBE.
public sealed class SubscribeRefusalTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _logger = new();
    private int _decisions;

    private Task<SipUserAgent> StartAsync(Func<IncomingSubscribe, ValueTask>? decide = null, Func<SipNotifierOptions, SipNotifierOptions>? limits = null,
        Action<SipUserAgentOptions>? configure = null) =>
        Subscriber.StartNotifierAsync(_time, _logger, s =>
        {
            Interlocked.Increment(ref _decisions);
            if (decide is not null) return decide(s);
            s.Accept(System.Text.Encoding.ASCII.GetBytes(Subscriber.Summary), MessageSummary.ContentType);
            return ValueTask.CompletedTask;
        }, configure, limits);

    private IReadOnlyList<FakeLogRecord> Refusals() => _logger.Collector.GetSnapshot().Where(r => r.Id.Id == 2043).ToList();

    [Fact]
    public async Task An_unsupported_event_gets_489_with_allow_events_without_asking_the_handler()
    {
        await using var agent = await StartAsync();
        await using var sub = await Subscriber.ConnectAsync(agent);

        await sub.SendSubscribeAsync("3600", "presence");
        var response = await sub.ReadResponseAsync();

        Assert.Equal(489, response.Status);
        Assert.Equal("message-summary", response.Header("Allow-Events"));
        Assert.NotNull(response.Tag("To"));
        Assert.Equal(0, _decisions);
        var logged = Assert.Single(Refusals());
        Assert.Contains("489", logged.Message, StringComparison.Ordinal);
        Assert.Contains("presence", logged.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30", 423)]
    [InlineData("59", 423)]
    [InlineData("soon", 400)]
    public async Task A_too_short_or_unreadable_expiry_is_refused(string expires, int status)
    {
        await using var agent = await StartAsync();
        await using var sub = await Subscriber.ConnectAsync(agent);

        await sub.SendSubscribeAsync(expires);
        var response = await sub.ReadResponseAsync();

        Assert.Equal(status, response.Status);
        Assert.Equal(status == 423 ? "60" : null, response.Header("Min-Expires"));
        Assert.Equal(0, _decisions);
        Assert.Single(Refusals());
    }

    [Fact]
    public async Task A_subscribe_without_event_is_a_bad_request()
    {
        await using var agent = await StartAsync();
        await using var sub = await Subscriber.ConnectAsync(agent);

        await sub.SendSubscribeAsync("3600", "");
        Assert.Equal(400, (await sub.ReadResponseAsync()).Status);
        Assert.Equal(0, _decisions);
    }

    [Theory]
    [InlineData(404, "Not Found")]
    [InlineData(403, "Forbidden")]
    public async Task The_handler_refuses_with_its_own_status_and_the_refusal_is_logged(int status, string reason)
    {
        await using var agent = await StartAsync(s =>
        {
            s.Reject(status, reason);
            return ValueTask.CompletedTask;
        });
        await using var sub = await Subscriber.ConnectAsync(agent);

        await sub.SendSubscribeAsync();
        var response = await sub.ReadResponseAsync();

        Assert.Equal(status, response.Status);
        Assert.Equal(reason, response.Reason);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(Refusals()).Message, StringComparison.Ordinal);
        Assert.Equal(0, agent.ActiveSubscriptions);
    }

    [Fact]
    public async Task A_handler_that_answers_nothing_or_throws_leaves_a_500()
    {
        var calls = 0;
        await using var agent = await StartAsync(_ => Interlocked.Increment(ref calls) == 1
            ? ValueTask.CompletedTask
            : throw new InvalidOperationException("lookup failed"));
        await using var first = await Subscriber.ConnectAsync(agent);
        await first.SendSubscribeAsync();
        Assert.Equal(500, (await first.ReadResponseAsync()).Status);
        await using var second = await Subscriber.ConnectAsync(agent);
        await second.SendSubscribeAsync();
        Assert.Equal(500, (await second.ReadResponseAsync()).Status);
        await Until(() => agent.ActiveSubscriptions == 0);
    }

    [Fact]
    public async Task Beyond_the_per_peer_cap_a_subscribe_gets_503_with_retry_after_until_a_place_frees()
    {
        await using var agent = await StartAsync(limits: n => new SipNotifierOptions
        {
            OnSubscribe = n.OnSubscribe, EventPackages = n.EventPackages, MaxSubscriptionsPerPeer = 1,
        });
        await using var first = await Subscriber.ConnectAsync(agent);
        await first.SubscribeAsync();
        await using var second = await Subscriber.ConnectAsync(agent);

        await second.SendSubscribeAsync();
        var refused = await second.ReadResponseAsync();
        Assert.Equal(503, refused.Status);
        Assert.Equal("60", refused.Header("Retry-After"));
        Assert.Contains("per-peer", Assert.Single(Refusals()).Message, StringComparison.Ordinal);
        Assert.Equal(1, _decisions);

        // Unsubscribing frees the place.
        await first.SendSubscribeAsync("0");
        await first.ReadResponseAsync();
        await first.AnswerAsync(await first.ReadNotifyAsync());
        await Until(() => agent.ActiveSubscriptions == 0);
        await using var third = await Subscriber.ConnectAsync(agent);
        await third.SubscribeAsync();
        Assert.Equal(1, agent.ActiveSubscriptions);
    }

    [Fact]
    public async Task The_total_cap_holds_across_peers()
    {
        await using var agent = await StartAsync(limits: n => new SipNotifierOptions
        {
            OnSubscribe = n.OnSubscribe, EventPackages = n.EventPackages, MaxSubscriptions = 1,
        });
        await using var first = await Subscriber.ConnectAsync(agent);
        await first.SubscribeAsync();
        await using var other = await Subscriber.ConnectAsync(agent, IPAddress.Parse("127.0.0.2"));

        await other.SendSubscribeAsync();
        var refused = await other.ReadResponseAsync();

        Assert.Equal(503, refused.Status);
        Assert.Contains("total", Assert.Single(Refusals()).Message, StringComparison.Ordinal);
        Assert.Equal(1, agent.ActiveSubscriptions);
    }

    [Fact]
    public async Task Refusals_from_one_peer_are_logged_once_a_minute_with_the_count_of_the_others()
    {
        await using var agent = await StartAsync();
        await using var sub = await Subscriber.ConnectAsync(agent);

        for (var i = 0; i < 20; i++)
        {
            await sub.SendSubscribeAsync("3600", "presence");
            Assert.Equal(489, (await sub.ReadResponseAsync()).Status);
        }
        Assert.Single(Refusals());

        _time.Advance(TimeSpan.FromSeconds(61));
        await sub.SendSubscribeAsync("3600", "presence");
        Assert.Equal(489, (await sub.ReadResponseAsync()).Status);
        var logged = Refusals();
        Assert.Equal(2, logged.Count);
        Assert.Contains("(19 similar suppressed)", logged[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_the_admission_refuses_never_reaches_the_notifier()
    {
        await using var agent = await StartAsync();
        agent.Admit = _ => false; // the same admission every INVITE passes
        await using var stranger = await Subscriber.ConnectAsync(agent);

        await stranger.SendSubscribeAsync();

        Assert.True(await stranger.Peer.ClosedWithoutDataAsync());
        Assert.Equal(0, _decisions);
    }

    [Fact]
    public async Task Subscribe_is_announced_only_with_a_notifier()
    {
        await using var with = await StartAsync();
        await using var sub = await Subscriber.ConnectAsync(with);
        await sub.SendSubscribeAsync("3600", "presence");
        await sub.ReadResponseAsync();
        var options = await OptionsAsync(with);
        Assert.Contains("SUBSCRIBE", options.Header("Allow"), StringComparison.Ordinal);
        Assert.Equal("message-summary", options.Header("Allow-Events"));

        await using var without = await StackHarness.StartAsync(_time);
        await using var peer = await Subscriber.ConnectAsync(without);
        await peer.SendSubscribeAsync();
        var refused = await peer.ReadResponseAsync();
        Assert.Equal(405, refused.Status); // as before notifiers existed
        Assert.DoesNotContain("SUBSCRIBE", refused.Header("Allow"), StringComparison.Ordinal);
        var plain = await OptionsAsync(without);
        Assert.DoesNotContain("SUBSCRIBE", plain.Header("Allow"), StringComparison.Ordinal);
        Assert.Null(plain.Header("Allow-Events"));
    }

    private static async Task<RawSipMessage> OptionsAsync(SipUserAgent agent)
    {
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp());
        await peer.SendAsync(call.Request("OPTIONS", call.RequestUri, PeerCall.NewBranch(), 1, "", []));
        return await peer.ReadAsync();
    }
}
