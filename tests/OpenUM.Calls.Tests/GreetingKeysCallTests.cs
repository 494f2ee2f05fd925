using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Calls.Tests.Harness;
using OpenUM.Directory;
using OpenUM.Directory.Dialing;
using OpenUM.Media;
using OpenUM.Media.Audio;
using OpenUM.Media.Sdp;
using OpenUM.Media.Session;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests;

/// <summary>
/// The greeting's keys on a real call: the gateway's side sends RFC 4733 key presses while the greeting plays, and the
/// server acts on them (its REFER reaches the gateway, whose user agent refuses it here: 501, so the caller goes on to
/// leave a message).
/// </summary>
public sealed class GreetingKeysCallTests : IAsyncLifetime
{
    private const string Operator = "0140000000";
    private CallControllerHarness _harness = null!;

    private static readonly DialPlan PlanWithOperator = CallControllerHarness.Plan with
    {
        CountryOrRegionCode = "33",
        NationalNumberPrefix = "0",
        ConfiguredInCountryOrRegionGroups = [new DialingRuleEntry("Local", "0xxxxxxxxx", "90xxxxxxxxx")],
        AllowedInCountryOrRegionGroups = ["Local"],
        OperatorExtension = Operator,
    };

    private static readonly IpGateway Outcalls = CallControllerHarness.Gateway with { OutcallsAllowed = true };

    public async Task InitializeAsync() =>
        _harness = await CallControllerHarness.StartAsync(CallControllerHarness.Snapshot(PlanWithOperator, Outcalls), subscriberAccess: true);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    // The gateway's side of one call, with media: it hears the server and can press keys.
    private sealed class GatewayCall(SipUserAgent agent, MediaClock clock, MediaSession media, SipDialog dialog) : IAsyncDisposable
    {
        public MediaSession Media => media;
        public SipDialog Dialog => dialog;

        public async ValueTask DisposeAsync()
        {
            if (!dialog.Terminated.IsCompleted)
                try { await dialog.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException) { }
            await media.DisposeAsync();
            await clock.DisposeAsync();
            await agent.DisposeAsync();
        }
    }

    private async Task<GatewayCall> CallAsync(string number)
    {
        var agent = new SipUserAgent(new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = null }, TimeProvider.System, NullLogger.Instance);
        await agent.StartAsync(CancellationToken.None);
        var clock = new MediaClock(TimeProvider.System);
        var media = MediaSession.Open(IPAddress.Loopback, _harness.GatewayPorts, clock, NullLogger.Instance);
        var offer = OfferAnswer.CreateOffer(MediaCapabilities.Default, IPAddress.Loopback, media.LocalPort);
        var endpoint = _harness.EndPoint;
        var result = await agent.InviteAsync(new OutgoingCallRequest(endpoint, SipUri.Parse($"sip:{number}@127.0.0.1:{endpoint.Port};transport=tcp"),
            new SipNameAddress(SipUri.Parse("sip:5551234@127.0.0.1"), "Caller"), new SipNameAddress(SipUri.Parse($"sip:{number}@127.0.0.1")),
            Encoding.UTF8.GetBytes(offer.Sdp.ToString())), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(200, result.StatusCode);
        Assert.True(SessionDescription.TryParse(Encoding.UTF8.GetString(result.FinalResponse!.Body.Span), out var answer, out _));
        media.Start(OfferAnswer.ReadAnswer(offer, answer!, out string? error) ?? throw new InvalidOperationException(error));
        var call = new GatewayCall(agent, clock, media, result.Dialog!);
        // The greeting is playing once its audio arrives.
        await TestWait.UntilAsync(() => media.Statistics.PacketsReceived > 10, "the greeting's audio");
        return call;
    }

    private bool InState(ActiveCallState state) => _harness.Controller.Calls.Snapshot().Any(c => c.State == state);

    private FakeLogRecord? Event(int id) => _harness.Events.Records(id).FirstOrDefault();

    /// <summary>Speaks once the server records, hangs up, and waits for the message in the mailbox.</summary>
    private async Task LeaveMessageAsync(GatewayCall call)
    {
        await TestWait.UntilAsync(() => InState(ActiveCallState.Recording), "the recording");
        await call.Media.PlayAsync(AudioClip.Tone(440, TimeSpan.FromSeconds(1), 0.2), CancellationToken.None);
        await call.Dialog.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await TestWait.UntilAsync(() => System.IO.Directory.Exists(_harness.Inbox) && System.IO.Directory.EnumerateFiles(_harness.Inbox).Any(), "the message");
    }

    [Fact]
    public async Task ZeroSendsAReferForTheOperatorsDialStringAndARefusedReferLeadsBackToTheMessage()
    {
        await using var call = await CallAsync("1000");
        await call.Media.SendDtmfAsync('0', CancellationToken.None);
        await TestWait.UntilAsync(() => Event(2070) is not null, "event 2070");
        var transfer = Event(2070)!;
        Assert.Equal("90140000000", transfer.Field<string>("DialedNumber"));
        Assert.Equal(Operator, transfer.Field<string>("OperatorExtension"));
        Assert.Equal("1000", transfer.Field<string>("Extension"));
        // The REFER went in the call's own dialog over its connection, naming the gateway's address and the call's transport.
        string outcome = transfer.Field<string>("Outcome");
        Assert.Matches(@"^Failed: REFER to sip:90140000000@127\.0\.0\.1:5060;transport=tcp answered [4-6]\d\d ", outcome);
        await LeaveMessageAsync(call);
        Assert.Empty(_harness.Events.Records(2005));
    }

    [Fact]
    public async Task ZeroWithoutAnOperatorIsSaidAndTheMessageIsStillTaken()
    {
        _harness.Configuration = CallControllerHarness.Snapshot(PlanWithOperator with { OperatorExtension = null }, Outcalls);
        await using var call = await CallAsync("1000");
        await call.Media.SendDtmfAsync('0', CancellationToken.None);
        await TestWait.UntilAsync(() => Event(2071) is not null, "event 2071");
        await LeaveMessageAsync(call);
        Assert.Empty(_harness.Events.Records(2070));
    }

    [Fact]
    public async Task PoundSkipsTheGreetingStraightToTheRecording()
    {
        await using var call = await CallAsync("1000");
        await call.Media.SendDtmfAsync('#', CancellationToken.None);
        await TestWait.UntilAsync(() => Event(2074) is not null, "event 2074");
        Assert.Equal("1000", Event(2074)!.Field<string>("Extension"));
        await LeaveMessageAsync(call);
    }

    [Fact]
    public async Task StarTurnsTheCallIntoSubscriberAccessForTheCalledMailbox()
    {
        await using var call = await CallAsync("1000");
        await call.Media.SendDtmfAsync('*', CancellationToken.None);
        await TestWait.UntilAsync(() => Event(2073) is not null, "event 2073");
        Assert.Equal("1000", Event(2073)!.Field<string>("Extension"));
        await TestWait.UntilAsync(() => InState(ActiveCallState.SubscriberAccess), "subscriber access");
        // No recording: the caller is logging on, not leaving a message.
        Assert.False(InState(ActiveCallState.Recording));
    }
}
