using OpenUM.Calls.Tests.Harness;
using OpenUM.Directory;

namespace OpenUM.Calls.Tests.MessageWaiting;

// SUBSCRIBE to message-summary from a gateway: who is refused, pending while the store is away, state pushed on change.
public sealed class MwiSubscribeTests
{
    [Fact]
    public async Task An_unknown_mailbox_gets_404()
    {
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", 5060, mwi: true)]));
        var (peer, response) = await rig.SubscribeAsync("1999");
        await using var _ = peer;

        Assert.Equal(404, response.Status);
        Assert.Contains("no mailbox", response.Header("Warning"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gateway_without_the_option_gets_403()
    {
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", 5060, mwi: false)]));
        var (peer, response) = await rig.SubscribeAsync("1000");
        await using var _ = peer;

        Assert.Equal(403, response.Status);
        Assert.Contains("--message-waiting-indicator-allowed", response.Header("Warning"), StringComparison.Ordinal);
        Assert.Equal(0, rig.Notifier.Statistics.Subscriptions);
    }

    [Fact]
    public async Task A_secured_plan_refuses_a_subscribe_over_tcp()
    {
        var plan = new DialPlan { Name = "Test", NumberOfDigitsInExtension = 4, VoipSecurity = VoipSecurity.SipSecured };
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", 5061)], plan),
            send: (_, _) => Task.FromResult(new OpenUM.Sip.Dialogs.SipRequestResult(503, "Service Unavailable", null)));
        var (peer, response) = await rig.SubscribeAsync("1000");
        await using var _ = peer;

        Assert.Equal(403, response.Status);
        Assert.Contains("SipSecured", response.Header("Warning"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_gateway_gets_503()
    {
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", 5060) with { Status = UmStatus.Disabled }]));
        var (peer, response) = await rig.SubscribeAsync("1000");
        await using var _ = peer;

        Assert.Equal(503, response.Status);
    }

    [Fact]
    public async Task Accepted_with_the_counts_then_each_change_is_notified_in_the_dialog()
    {
        await using var gateway = new RawGateway();
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", gateway.Port)]), before: s => s.Set(MwiRig.Address, 2, 8));
        var (peer, response) = await rig.SubscribeAsync("1000");
        await using var _ = peer;

        Assert.Equal(200, response.Status);
        var initial = await peer.ReadUntilAsync(m => m.Method == "NOTIFY");
        await peer.SendAsync(initial.ResponseText(200, "OK"));
        Assert.StartsWith("active;expires=", initial.Header("Subscription-State"), StringComparison.Ordinal);
        Assert.Equal("Messages-Waiting: yes\r\nMessage-Account: sip:1000@um.example.test\r\nVoice-Message: 2/8 (0/0)\r\n", initial.Body);
        Assert.True(rig.Store.IsWatched(MwiRig.Address));
        await TestWait.UntilAsync(() => rig.Notifier.Statistics.Subscriptions == 1, "the subscription in the table");

        rig.Store.Change(MwiRig.Address, 0, 10);
        var change = await peer.ReadUntilAsync(m => m.Method == "NOTIFY");
        await peer.SendAsync(change.ResponseText(200, "OK"));
        Assert.Equal(initial.Header("Call-ID"), change.Header("Call-ID"));
        Assert.Contains("Messages-Waiting: no\r\n", change.Body, StringComparison.Ordinal);
        Assert.Contains("Voice-Message: 0/10 (0/0)", change.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_the_store_is_down_the_subscription_is_pending_without_a_body_and_active_once_it_is_back()
    {
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", 5060, mwi: true)]),
            send: (_, _) => Task.FromResult(new OpenUM.Sip.Dialogs.SipRequestResult(503, "Service Unavailable", null)),
            before: s => { s.Set(MwiRig.Address, 1, 0); s.GoDown(); });
        var (peer, response) = await rig.SubscribeAsync("1000");
        await using var _ = peer;

        Assert.Equal(200, response.Status);
        var pending = await peer.ReadUntilAsync(m => m.Method == "NOTIFY");
        await peer.SendAsync(pending.ResponseText(200, "OK"));
        Assert.StartsWith("pending", pending.Header("Subscription-State"), StringComparison.Ordinal);
        Assert.Equal("", pending.Body);

        rig.Store.ComeBack();
        var active = await peer.ReadUntilAsync(m => m.Method == "NOTIFY");
        await peer.SendAsync(active.ResponseText(200, "OK"));
        Assert.StartsWith("active", active.Header("Subscription-State"), StringComparison.Ordinal);
        Assert.Contains("Voice-Message: 1/0 (0/0)", active.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sip_uri_plan_finds_the_mailbox_by_the_sip_address_in_to()
    {
        var plan = new DialPlan { Name = "Test", NumberOfDigitsInExtension = 4, UriType = UmUriType.SipName };
        var mailbox = new Mailbox { Extension = "1000", DialPlan = "Test", EmailAddress = MwiRig.Address, SipUri = "sip:alice@example.test" };
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", 5060)], plan, mailbox),
            send: (_, _) => Task.FromResult(new OpenUM.Sip.Dialogs.SipRequestResult(503, "Service Unavailable", null)),
            before: s => s.Set(MwiRig.Address, 3, 0));

        var (unknown, refused) = await rig.SubscribeAsync("alice", "sip:alice@elsewhere.test");
        await using (unknown) Assert.Equal(404, refused.Status);

        var (peer, response) = await rig.SubscribeAsync("alice", "sip:alice@example.test");
        await using var _ = peer;
        Assert.Equal(200, response.Status);
        var initial = await peer.ReadUntilAsync(m => m.Method == "NOTIFY");
        Assert.Contains("Message-Account: sip:alice@example.test\r\nVoice-Message: 3/0", initial.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mailbox_keeps_a_few_subscriptions_and_the_oldest_gives_way()
    {
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", 5060, mwi: true)]),
            send: (_, _) => Task.FromResult(new OpenUM.Sip.Dialogs.SipRequestResult(503, "Service Unavailable", null)));
        var peers = new List<RawSipConnection>();
        try
        {
            for (int i = 0; i < 5; i++)
            {
                var (peer, response) = await rig.SubscribeAsync("1000");
                peers.Add(peer);
                Assert.Equal(200, response.Status);
                var initial = await peer.ReadUntilAsync(m => m.Method == "NOTIFY");
                await peer.SendAsync(initial.ResponseText(200, "OK"));
            }
            // The first subscriber is told its subscription is over; four remain.
            var final = await peers[0].ReadUntilAsync(m => m.Method == "NOTIFY");
            Assert.StartsWith("terminated;reason=deactivated", final.Header("Subscription-State"), StringComparison.Ordinal);
            await peers[0].SendAsync(final.ResponseText(200, "OK"));
            await TestWait.UntilAsync(() => rig.Notifier.Statistics.Subscriptions == 4, "four subscriptions");
        }
        finally
        {
            foreach (var p in peers) await p.DisposeAsync();
        }
    }

    [Fact]
    public async Task Turning_the_option_off_ends_the_gateways_subscriptions()
    {
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", 5060)]),
            send: (_, _) => Task.FromResult(new OpenUM.Sip.Dialogs.SipRequestResult(503, "Service Unavailable", null)));
        var (peer, response) = await rig.SubscribeAsync("1000");
        await using var _ = peer;
        Assert.Equal(200, response.Status);
        var initial = await peer.ReadUntilAsync(m => m.Method == "NOTIFY");
        await peer.SendAsync(initial.ResponseText(200, "OK"));
        await TestWait.UntilAsync(() => rig.Notifier.Statistics.Subscriptions == 1, "the subscription in the table");

        rig.Configuration = MwiRig.Snapshot([MwiRig.Gateway("gw", 5060, mwi: false)]);
        rig.Notifier.OnConfigurationChanged(rig.Configuration);

        var final = await peer.ReadUntilAsync(m => m.Method == "NOTIFY");
        await peer.SendAsync(final.ResponseText(200, "OK"));
        Assert.StartsWith("terminated;reason=rejected", final.Header("Subscription-State"), StringComparison.Ordinal);
        Assert.Equal(0, rig.Notifier.Statistics.Subscriptions);
        Assert.False(rig.Store.IsWatched(MwiRig.Address));
    }

    [Fact]
    public async Task When_messages_only_leave_by_smtp_nothing_is_said_and_subscribe_is_refused()
    {
        bool canCount = false;
        await using var gateway = new RawGateway();
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", gateway.Port)]), canCount: () => Volatile.Read(ref canCount),
            before: s => s.Set(MwiRig.Address, 1, 0));
        await TestWait.UntilAsync(() => rig.Notifier.Statistics.Changes >= 1, "the start to be handled");
        rig.Store.Raise(MwiRig.Address);
        await TestWait.UntilAsync(() => rig.Notifier.Statistics.Changes >= 2, "the change to be handled");
        var (peer, response) = await rig.SubscribeAsync("1000");
        await using (peer)
        {
            Assert.Equal(403, response.Status);
            Assert.Contains("--imap-host", response.Header("Warning"), StringComparison.Ordinal);
        }
        Assert.Empty(gateway.Received);
        Assert.Equal(0, rig.Store.CountCalls);

        // An IMAP store configured: every lamp is told.
        Volatile.Write(ref canCount, true);
        rig.Notifier.OnConfigurationChanged(rig.Configuration);
        // At least one (the configuration change and a recount may both be due): all carry the real state.
        await TestWait.UntilAsync(() => gateway.Received.Length >= 1, "the NOTIFY once the store sees the mailboxes");
        Assert.All(gateway.Received, n => Assert.Contains("Voice-Message: 1/0", n.Body, StringComparison.Ordinal));
    }
}
