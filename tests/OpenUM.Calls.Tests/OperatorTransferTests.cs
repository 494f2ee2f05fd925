using OpenUM.Calls.Outdialing;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Calls.Tests.Outdialing;
using OpenUM.Directory;
using OpenUM.Media.Audio;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests;

/// <summary>
/// 0 during the greeting: the dial plan's operator, checked by the outdialing engine with the dial plan's restrictions,
/// then "transferring your call" and the transfer to the dial string the engine produced; or why not, said and logged.
/// </summary>
public sealed class OperatorTransferTests
{
    private static readonly PromptLibrary Prompts = PromptLibrary.Default;
    private readonly FakeLogger _events = new();
    private readonly Line _line = new();
    private readonly List<string> _transfers = [];

    private sealed class Line : ISubscriberLine
    {
        private readonly List<AudioClip> _played = [];
        public List<AudioClip> Played { get { lock (_played) return [.. _played]; } }
        public Task PlayAsync(AudioClip clip, CancellationToken ct)
        {
            lock (_played) _played.Add(clip);
            return Task.CompletedTask;
        }
    }

    private static DialPlan Plan(string? @operator, bool allowExtensions = false) =>
        OutdialingFixture.Plan with { OperatorExtension = @operator, AllowExtensions = allowExtensions };

    private Task<OperatorTransferResult> PressZeroAsync(DialPlan plan, TransferOutcome? transfer = null, bool outcalls = true, string callerId = "5551234")
    {
        var engine = new OutdialingEngine(new OutdialingOptions(), TimeProvider.System, _events);
        var call = new OperatorTransferCall(OutdialingFixture.Configuration(plan, outcalls), plan, "call-1", "1000", callerId, dialed =>
        {
            _transfers.Add(dialed);
            return Task.FromResult(transfer ?? new TransferOutcome(true, "Transferred to sip:" + dialed + "@pbx.example.test"));
        }, "pbx");
        return new OperatorTransfer(_line, Prompts, engine, _events).RunAsync(call, CancellationToken.None);
    }

    [Fact]
    public async Task WithoutAnOperatorTheCallerIsToldSoAndNothingIsDialled()
    {
        Assert.Equal(OperatorTransferResult.NoOperator, await PressZeroAsync(Plan(null)));
        Assert.Equal([Prompts.NoOperator], _line.Played);
        Assert.Empty(_transfers);
        var unavailable = Assert.Single(_events.Records(2071));
        Assert.Equal("1000", unavailable.Field<string>("Extension"));
        Assert.Equal("call-1", unavailable.Field<string>("CallId"));
        Assert.Equal("Paris", unavailable.Field<string>("DialPlan"));
        Assert.DoesNotContain(1076, _events.EventIds());
    }

    [Fact]
    public async Task ABlankOperatorExtensionIsNoOperator()
    {
        Assert.Null(OperatorTransfer.OperatorOf(Plan("  ")));
        Assert.Equal("0140000000", OperatorTransfer.OperatorOf(Plan("0140000000")));
        Assert.Equal(OperatorTransferResult.NoOperator, await PressZeroAsync(Plan("")));
    }

    [Fact]
    public async Task AnAllowedOperatorIsTransferredToTheDialStringTheEngineProduced()
    {
        // A national switchboard number: the dial plan's Local rule 0xxxxxxxxx -> 90xxxxxxxxx makes the dial string.
        Assert.Equal(OperatorTransferResult.LineGone, await PressZeroAsync(Plan("0140000000")));
        Assert.Equal(["90140000000"], _transfers);
        Assert.Equal([Prompts.Subscriber.TransferringCall], _line.Played); // nothing after: the line is no longer ours
        var transfer = Assert.Single(_events.Records(2070));
        Assert.Equal("0140000000", transfer.Field<string>("OperatorExtension"));
        Assert.Equal("90140000000", transfer.Field<string>("DialedNumber"));
        Assert.Equal("pbx", transfer.Field<string>("Gateway"));
        Assert.Equal("1000", transfer.Field<string>("Extension"));
        Assert.StartsWith("Transferred", transfer.Field<string>("Outcome"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOperatorExtensionTheRulesRefuseIsNeverDialled()
    {
        // 2000 has extension length but is no mailbox: the dial plan's AllowExtensions is off.
        Assert.Equal(OperatorTransferResult.Refused, await PressZeroAsync(Plan("2000")));
        Assert.Empty(_transfers);
        Assert.Equal([Prompts.Subscriber.CannotCall], _line.Played);
        var rules = Assert.Single(_events.Records(1076));
        Assert.Contains("2000", rules.Message, StringComparison.Ordinal);
        var refused = Assert.Single(_events.Records(2072));
        Assert.Equal(nameof(OutdialingReason.ExtensionsNotAllowed), refused.Field<string>("ReasonCode"));
        Assert.Equal("2000", refused.Field<string>("OperatorExtension"));
        Assert.DoesNotContain(2070, _events.EventIds());
    }

    [Fact]
    public async Task TheSameExtensionIsTransferredOnceTheDialPlanAllowsExtensions()
    {
        Assert.Equal(OperatorTransferResult.LineGone, await PressZeroAsync(Plan("2000", allowExtensions: true)));
        Assert.Equal(["2000"], _transfers);
        Assert.DoesNotContain(1076, _events.EventIds());
    }

    [Fact]
    public async Task AnOperatorThatIsAUserOfTheDialPlanNeedsAllowDialPlanSubscribers()
    {
        Assert.Equal(OperatorTransferResult.LineGone, await PressZeroAsync(Plan("1000")));
        Assert.Equal(["1000"], _transfers);
        Assert.Equal(OperatorTransferResult.Refused, await PressZeroAsync(Plan("1000") with { AllowDialPlanSubscribers = false }));
        Assert.Single(_transfers);
        Assert.Equal(nameof(OutdialingReason.SubscribersNotAllowed), Assert.Single(_events.Records(2072)).Field<string>("ReasonCode"));
    }

    [Fact]
    public async Task APremiumRateOperatorIsRefusedByTheDenyPrefixes()
    {
        // 089 is French premium rate (+3389, a default deny prefix), even with an allow-everything rule.
        var plan = Plan("0899123456") with
        {
            ConfiguredInCountryOrRegionGroups = [new OpenUM.Directory.Dialing.DialingRuleEntry("Any", "*", "9*")],
            AllowedInCountryOrRegionGroups = ["Any"],
        };
        Assert.Equal(OperatorTransferResult.Refused, await PressZeroAsync(plan));
        Assert.Empty(_transfers);
        Assert.Equal(nameof(OutdialingReason.DeniedPrefix), Assert.Single(_events.Records(2072)).Field<string>("ReasonCode"));
    }

    [Fact]
    public async Task WithoutAGatewayForOutcallsNothingIsSent()
    {
        Assert.Equal(OperatorTransferResult.Refused, await PressZeroAsync(Plan("0140000000"), outcalls: false));
        Assert.Empty(_transfers);
        Assert.Equal(nameof(OutdialingReason.NoOutboundGateway), Assert.Single(_events.Records(2072)).Field<string>("ReasonCode"));
        Assert.Equal([Prompts.Subscriber.CannotCall], _line.Played);
    }

    [Fact]
    public async Task AFailedTransferIsSaidAndTheCallerStaysOnTheLine()
    {
        var result = await PressZeroAsync(Plan("0140000000"), new TransferOutcome(false, "Failed: REFER to sip:90140000000@pbx answered 501 Not Implemented"));
        Assert.Equal(OperatorTransferResult.Failed, result);
        Assert.Equal([Prompts.Subscriber.TransferringCall, Prompts.Subscriber.TransferFailed], _line.Played);
        Assert.Contains("501", Assert.Single(_events.Records(2070)).Field<string>("Outcome"), StringComparison.Ordinal);
    }

    [Fact]
    public void TheCheckIsTheDialPlansOwnForACallerWhoHasNotLoggedOn()
    {
        var request = OperatorTransfer.Request(OutdialingFixture.Configuration(), Plan("0140000000"), "0140000000", "5551234");
        Assert.Equal(OutdialingRestrictions.ForDialPlan(Plan("0140000000")), request.Restrictions);
        Assert.Equal(OutdialingTargetSource.Entered, request.Source);
        Assert.Equal("caller 5551234", request.User);
        // Anonymous callers share the engine's own key for unauthenticated callers.
        Assert.Null(OperatorTransfer.Request(OutdialingFixture.Configuration(), Plan("0140000000"), "0140000000", "Anonymous").User);
    }

    [Fact]
    public async Task TheOperatorTransfersOfOneCallerIdAreRateLimited()
    {
        var engine = new OutdialingEngine(new OutdialingOptions { PerUserLimit = 2 }, TimeProvider.System, _events);
        var plan = Plan("0140000000");
        var call = new OperatorTransferCall(OutdialingFixture.Configuration(plan), plan, "call-1", "1000", "5551234",
            dialed => { _transfers.Add(dialed); return Task.FromResult(new TransferOutcome(false, "Failed")); }, "pbx");
        var transfer = new OperatorTransfer(_line, Prompts, engine, _events);
        for (int i = 0; i < 2; i++) Assert.Equal(OperatorTransferResult.Failed, await transfer.RunAsync(call, CancellationToken.None));
        Assert.Equal(OperatorTransferResult.Refused, await transfer.RunAsync(call, CancellationToken.None));
        Assert.Equal(2, _transfers.Count);
        Assert.Equal(nameof(OutdialingReason.UserRateLimit), Assert.Single(_events.Records(2072)).Field<string>("ReasonCode"));
    }
}
