using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Calls.Tests.Harness;
using OpenUM.Directory;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests.MessageWaiting;

// Unsolicited NOTIFYs (as Exchange UM sent them) through a real SipUserAgent to gateways on loopback.
public sealed class MessageWaitingNotifierTests
{
    private static string Waiting(RawSipMessage notify) => notify.Body.Split("\r\n")[0];

    private static string Voice(RawSipMessage notify) => notify.Body.Split("\r\n").First(l => l.StartsWith("Voice-Message:", StringComparison.Ordinal));

    [Fact]
    public async Task A_deposit_lights_the_lamp_and_a_delete_puts_it_out()
    {
        await using var gateway = new RawGateway();
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", gateway.Port)]));

        // After a start every lamp is told its state once.
        await TestWait.UntilAsync(() => gateway.Received.Length == 1, "the state after the start");
        rig.Store.Change(MwiRig.Address, 1, 0);
        await TestWait.UntilAsync(() => gateway.Received.Length == 2, "the NOTIFY after the deposit");
        rig.Store.Change(MwiRig.Address, 0, 0);
        await TestWait.UntilAsync(() => gateway.Received.Length == 3, "the NOTIFY after the delete");

        var received = gateway.Received;
        Assert.Equal(["Messages-Waiting: no", "Messages-Waiting: yes", "Messages-Waiting: no"], received.Select(Waiting));
        Assert.Equal("Voice-Message: 1/0 (0/0)", Voice(received[1]));
        var notify = received[1];
        Assert.Equal("NOTIFY", notify.Method);
        Assert.Equal($"sip:1000@127.0.0.1:{gateway.Port};transport=tcp", notify.RequestUri);
        Assert.Equal("<sip:1000@127.0.0.1>", notify.Header("To"));
        Assert.Equal("message-summary", notify.Header("Event"));
        Assert.Equal("active;expires=3600", notify.Header("Subscription-State"));
        Assert.Equal("application/simple-message-summary", notify.Header("Content-Type"));
        Assert.Contains("Message-Account: sip:1000@um.example.test\r\n", notify.Body, StringComparison.Ordinal);
        Assert.Equal(3, rig.Notifier.Statistics.Sent);
        Assert.True(rig.Store.IsWatched(MwiRig.Address));
    }

    [Fact]
    public async Task A_change_that_leaves_the_counts_as_they_were_sends_nothing()
    {
        await using var gateway = new RawGateway();
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", gateway.Port)]), before: s => s.Set(MwiRig.Address, 2, 1));
        await TestWait.UntilAsync(() => gateway.Received.Length == 1, "the state after the start");

        rig.Store.Raise(MwiRig.Address);
        await TestWait.UntilAsync(() => rig.Notifier.Statistics.Recounts >= 2, "the recount");
        rig.Store.Change(MwiRig.Address, 3, 1);
        await TestWait.UntilAsync(() => gateway.Received.Length == 2, "the NOTIFY of the real change");

        Assert.Equal(["Voice-Message: 2/1 (0/0)", "Voice-Message: 3/1 (0/0)"], gateway.Received.Select(Voice));
    }

    [Fact]
    public async Task Nothing_is_sent_through_a_gateway_without_the_option_or_disabled()
    {
        await using var gateway = new RawGateway();
        var off = MwiRig.Gateway("off", gateway.Port, mwi: false);
        var disabled = MwiRig.Gateway("disabled", gateway.Port) with { Status = UmStatus.Disabled };
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([off, disabled]));

        rig.Store.Change(MwiRig.Address, 1, 0);
        await TestWait.UntilAsync(() => rig.Notifier.Statistics.Changes >= 1, "the change to be handled");

        Assert.Empty(gateway.Received);
        Assert.Equal(0, rig.Store.CountCalls); // nobody listens: not even counted
        Assert.False(rig.Store.IsWatched(MwiRig.Address));
    }

    [Fact]
    public async Task The_next_gateway_takes_over_after_a_5xx_or_a_refused_connection()
    {
        await using var busy = new RawGateway { Status = 503 };
        await using var good = new RawGateway();
        int closed = ClosedPort();
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot(
            [MwiRig.Gateway("gw1", busy.Port), MwiRig.Gateway("gw2", closed), MwiRig.Gateway("gw3", good.Port)]));

        await TestWait.UntilAsync(() => good.Received.Length == 1, "the NOTIFY at the third gateway");

        Assert.Single(busy.Received);
        Assert.Equal(1, rig.Notifier.Statistics.Sent);
        Assert.Empty(rig.Events.Records(1344));
    }

    [Fact]
    public async Task When_every_gateway_fails_1344_names_each_and_nothing_counts_as_delivered()
    {
        await using var first = new RawGateway { Status = 500 };
        await using var second = new RawGateway { Status = 503 };
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw1", first.Port), MwiRig.Gateway("gw2", second.Port)]));

        await TestWait.UntilAsync(() => rig.Events.Records(1344).Count == 2, "1344 for both gateways");

        var reasons = rig.Events.Records(1344).Select(r => r.Message).ToArray();
        Assert.Contains(reasons, m => m.Contains("gateway gw1: 500", StringComparison.Ordinal));
        Assert.Contains(reasons, m => m.Contains("gateway gw2: 503", StringComparison.Ordinal));
        Assert.Equal(0, rig.Notifier.Statistics.Sent);
        Assert.Equal(1, rig.Notifier.Statistics.Failed);
    }

    [Fact]
    public async Task A_change_while_a_failed_notify_waits_for_its_retry_is_sent_at_once()
    {
        // The retry after a failure is a minute away (never reached here): a deposit meanwhile must not wait for it.
        await using var gateway = new RawGateway { Status = 503 };
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", gateway.Port)]));
        await TestWait.UntilAsync(() => rig.Notifier.Statistics.Failed == 1, "the failed NOTIFY after the start");

        gateway.Status = 200;
        rig.Store.Change(MwiRig.Address, 1, 0);
        await TestWait.UntilAsync(() => rig.Notifier.Statistics.Sent == 1, "the NOTIFY of the deposit");
        Assert.Equal("Voice-Message: 1/0 (0/0)", Voice(gateway.Received[^1]));
    }

    [Fact]
    public async Task A_gateway_that_refuses_the_user_is_not_worked_around()
    {
        await using var refusing = new RawGateway { Status = 404 };
        await using var other = new RawGateway();
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw1", refusing.Port), MwiRig.Gateway("gw2", other.Port)]));

        await TestWait.UntilAsync(() => rig.Events.Records(1344).Count == 1, "1344");

        Assert.Single(refusing.Received);
        Assert.Empty(other.Received);
        Assert.Contains("404", rig.Events.Records(1344)[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_the_store_is_down_nothing_is_sent_and_when_it_is_back_every_lamp_is_sent_again()
    {
        await using var gateway = new RawGateway();
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", gateway.Port)]), before: s => s.Set(MwiRig.Address, 1, 0));
        await TestWait.UntilAsync(() => gateway.Received.Length == 1, "the state after the start");

        rig.Store.GoDown();
        rig.Store.GoDown(); // one event per outage
        int counted = rig.Store.CountCalls;
        rig.Store.Set(MwiRig.Address, 0, 1);
        rig.Store.Raise(MwiRig.Address);
        await TestWait.UntilAsync(() => rig.Notifier.Statistics.Changes >= 2, "the change to be handled");
        Assert.Single(gateway.Received);
        Assert.Equal(counted, rig.Store.CountCalls);
        Assert.Single(rig.Events.Records(2039));
        Assert.True(rig.Notifier.Statistics.Suspended);

        rig.Store.ComeBack();
        await TestWait.UntilAsync(() => gateway.Received.Length == 2, "the state after the store came back");
        Assert.Equal("Voice-Message: 0/1 (0/0)", Voice(gateway.Received[1]));

        // Back with the counts unchanged: the lamp is still told (it may have missed a change meanwhile).
        rig.Store.GoDown();
        rig.Store.ComeBack();
        await TestWait.UntilAsync(() => gateway.Received.Length == 3, "the resend after the second outage");
        Assert.Equal("Voice-Message: 0/1 (0/0)", Voice(gateway.Received[2]));
    }

    [Fact]
    public async Task A_mailbox_the_store_cannot_count_gets_no_notify()
    {
        var sent = new List<OutgoingRequest>();
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", 5060)]), send: Capture(sent),
            before: s => s.GoDown());
        Assert.Single(rig.Events.Records(2039));

        rig.Store.Raise(MwiRig.Address);
        await TestWait.UntilAsync(() => rig.Notifier.Statistics.Changes >= 1, "the change to be handled");

        lock (sent) Assert.Empty(sent);
    }

    [Fact]
    public async Task Changes_within_the_interval_coalesce_into_one_recount_with_the_last_state()
    {
        var time = new FakeTimeProvider();
        var sent = new List<OutgoingRequest>();
        // Mailbox 2000 is in a dial plan no gateway serves: its changes are handled without a count, a marker in the queue.
        const string Marker = "user2000@example.test";
        var plan = new DialPlan { Name = "Test", NumberOfDigitsInExtension = 4 };
        var quiet = new DialPlan { Name = "Quiet", NumberOfDigitsInExtension = 4 };
        var config = new ConfigurationSnapshot(1, [plan, quiet], [MwiRig.Gateway("gw", 5060)],
            [new HuntGroup { Name = "gw-Test", IpGateway = "gw", DialPlan = "Test" }], [new UmServer { Name = "um1" }],
            [new Mailbox { Extension = "1000", DialPlan = "Test", EmailAddress = MwiRig.Address },
             new Mailbox { Extension = "2000", DialPlan = "Quiet", EmailAddress = Marker }]);
        // One worker: the queue is served in order, so once the marker was handled, anything queued before it was too.
        await using var rig = await MwiRig.StartAsync(config, time, Capture(sent), recountInterval: TimeSpan.FromSeconds(2), workers: 1);
        await TestWait.UntilAsync(() => Count(sent) == 1, "the state after the start");

        for (int i = 1; i <= 5; i++) rig.Store.Change(MwiRig.Address, i, 0);
        long handled = rig.Notifier.Statistics.Changes;
        rig.Store.Raise(Marker);
        await TestWait.UntilAsync(() => rig.Notifier.Statistics.Changes > handled, "the marker");
        Assert.Equal(1, rig.Store.CountCalls); // counted at the start, and the interval is not over

        time.Advance(TimeSpan.FromSeconds(2));
        await TestWait.UntilAsync(() => Count(sent) == 2, "the coalesced NOTIFY");
        Assert.Equal(2, rig.Store.CountCalls);
        lock (sent) Assert.Contains("Voice-Message: 5/0 (0/0)", System.Text.Encoding.ASCII.GetString(sent[1].Body.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secured_plan_notifies_over_tls_to_the_gateways_fqdn_on_5061()
    {
        var sent = new List<OutgoingRequest>();
        var plan = new DialPlan { Name = "Test", NumberOfDigitsInExtension = 4, VoipSecurity = VoipSecurity.SipSecured };
        var gateway = new IpGateway { Name = "gw1", Address = "gw1.example.test" };
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([gateway], plan), send: Capture(sent));
        await TestWait.UntilAsync(() => Count(sent) == 1, "the NOTIFY");

        OutgoingRequest request;
        lock (sent) request = sent[0];
        Assert.Equal(SipTransportKind.Tls, request.Transport);
        Assert.Equal("gw1.example.test", request.TlsTargetName);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5061), request.Target);
        Assert.Equal("sip:1000@gw1.example.test:5061;transport=tls", request.RequestUri.ToString());
    }

    [Fact]
    public async Task A_secured_plans_gateway_with_an_ip_address_gets_nothing_and_1344_says_why()
    {
        var sent = new List<OutgoingRequest>();
        var plan = new DialPlan { Name = "Test", NumberOfDigitsInExtension = 4, VoipSecurity = VoipSecurity.Secured };
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", 5061)], plan), send: Capture(sent));

        await TestWait.UntilAsync(() => rig.Events.Records(1344).Count == 1, "1344");
        Assert.Contains("FQDN", rig.Events.Records(1344)[0].Message, StringComparison.Ordinal);
        lock (sent) Assert.Empty(sent);
    }

    [Fact]
    public async Task A_sip_uri_plan_notifies_the_mailboxs_sip_address()
    {
        var sent = new List<OutgoingRequest>();
        var plan = new DialPlan { Name = "Test", NumberOfDigitsInExtension = 4, UriType = UmUriType.SipName };
        var mailbox = new Mailbox { Extension = "1000", DialPlan = "Test", EmailAddress = MwiRig.Address, SipUri = "sip:Alice@Example.TEST" };
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", 5060)], plan, mailbox), send: Capture(sent));
        await TestWait.UntilAsync(() => Count(sent) == 1, "the NOTIFY");

        OutgoingRequest request;
        lock (sent) request = sent[0];
        Assert.Equal("sip:Alice@example.test;transport=tcp", request.RequestUri.ToString());
        Assert.Equal("sip:Alice@example.test", request.To.Uri.ToString());
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5060), request.Target);
        Assert.Contains("Message-Account: sip:Alice@example.test", System.Text.Encoding.ASCII.GetString(request.Body.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Turning_the_option_on_lights_the_lamp_without_a_change_and_off_stops_the_watch()
    {
        var sent = new List<OutgoingRequest>();
        await using var rig = await MwiRig.StartAsync(MwiRig.Snapshot([MwiRig.Gateway("gw", 5060, mwi: false)]), send: Capture(sent),
            before: s => s.Set(MwiRig.Address, 1, 0));
        Assert.False(rig.Store.IsWatched(MwiRig.Address));

        rig.Configuration = MwiRig.Snapshot([MwiRig.Gateway("gw", 5060)]);
        rig.Notifier.OnConfigurationChanged(rig.Configuration);
        await TestWait.UntilAsync(() => Count(sent) == 1, "the NOTIFY once the option is on");
        Assert.True(rig.Store.IsWatched(MwiRig.Address));

        rig.Configuration = MwiRig.Snapshot([MwiRig.Gateway("gw", 5060, mwi: false)]);
        rig.Notifier.OnConfigurationChanged(rig.Configuration);
        Assert.False(rig.Store.IsWatched(MwiRig.Address));
    }

    private static int Count(List<OutgoingRequest> sent)
    {
        lock (sent) return sent.Count;
    }

    private static Func<OutgoingRequest, CancellationToken, Task<SipRequestResult>> Capture(List<OutgoingRequest> sent) => (request, _) =>
    {
        lock (sent) sent.Add(request);
        return Task.FromResult(new SipRequestResult(200, "OK", Ok));
    };

    private static readonly SipMessage Ok = ParseOk();

    private static SipMessage ParseOk()
    {
        var text = "SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK1\r\nFrom: <sip:openum@um.example.test>;tag=1\r\n"
            + "To: <sip:1000@127.0.0.1>;tag=2\r\nCall-ID: c1\r\nCSeq: 1 NOTIFY\r\nContent-Length: 0\r\n\r\n";
        SipParser.TryParseDatagram(System.Text.Encoding.ASCII.GetBytes(text), new SipParserLimits(), out var message, out _);
        return message!;
    }

    private static int ClosedPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
