using Microsoft.Extensions.Time.Testing;
using OpenUM.Calls.Outdialing;
using OpenUM.Directory;
using OpenUM.TestSupport.Logging;
using static OpenUM.Calls.Tests.Outdialing.OutdialingFixture;

namespace OpenUM.Calls.Tests.Outdialing;

/// <summary>OUT-2/OUT-3: whitelist over the acting context's groups, deny prefixes first, caller-ID call-backs, limits, events.</summary>
public class OutdialingEngineTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger _events = new();

    private OutdialingEngine Engine(OutdialingOptions? options = null) => new(options ?? new OutdialingOptions(), _time, _events);

    [Theory]
    [InlineData("0145678901", NumberKind.National, "Local", "0xxxxxxxxx", "90145678901")]
    [InlineData("+33145678901", NumberKind.National, "Local", "xxxxxxxxx", "90145678901")]
    [InlineData("0612345678", NumberKind.National, "Mobile", "06xxxxxxxx", "880612345678")] // longer literal prefix than Local's "0"
    [InlineData("+442079460000", NumberKind.International, "UK", "44*", "900442079460000")]
    [InlineData("00442079460000", NumberKind.International, "UK", "44*", "900442079460000")]
    public void AllowedGroupsOfTheDialPlanAllow(string number, NumberKind kind, string group, string rule, string dialed)
    {
        var decision = Engine().Evaluate(Request(number));
        Assert.True(decision.Allowed, decision.Reason);
        Assert.Equal((kind, group, rule, dialed, OutdialingReason.Allowed), (decision.Kind!.Value, decision.Group!, decision.Rule!, decision.DialedNumber!, decision.ReasonCode));
    }

    [Theory]
    [InlineData("112", OutdialingReason.NoMatchingRule)]              // Emergency is configured but not allowed
    [InlineData("+12125550100", OutdialingReason.NoMatchingRule)]     // Everywhere is configured but not allowed
    [InlineData("01456789012", OutdialingReason.NoMatchingRule)]      // one digit too many for Local
    [InlineData("0899123456", OutdialingReason.DeniedPrefix)]         // premium rate, although Local's mask matches
    [InlineData("+33899123456", OutdialingReason.DeniedPrefix)]
    [InlineData("+19005550100", OutdialingReason.DeniedPrefix)]
    [InlineData("9999", OutdialingReason.ExtensionsNotAllowed)]
    [InlineData("12ab", OutdialingReason.InvalidNumber)]
    [InlineData("sip:bob@example.test", OutdialingReason.SipUriNotAllowed)]
    public void EverythingElseIsDenied(string number, OutdialingReason reason)
    {
        var decision = Engine().Evaluate(Request(number));
        Assert.False(decision.Allowed);
        Assert.Equal(reason, decision.ReasonCode);
        Assert.Null(decision.DialedNumber);
    }

    [Fact]
    public void DenyPrefixesAreCheckedBeforeAllowRulesEvenAStarRule()
    {
        var open = OutdialingRestrictions.ForDialPlan(Plan) with { AllowedInternationalGroups = ["Everywhere"] };
        var options = new OutdialingOptions { DenyPrefixes = ["+4490", "0899"] };
        Assert.Equal(OutdialingReason.DeniedPrefix, OutdialingEngine.Evaluate(Request("+449012345678", restrictions: open), options).ReasonCode);
        Assert.Equal(OutdialingReason.DeniedPrefix, OutdialingEngine.Evaluate(Request("0899123456"), options).ReasonCode);
        Assert.Equal(OutdialingReason.DeniedPrefix, OutdialingEngine.Evaluate(Request("+33899123456"), options).ReasonCode); // national prefix, E.164 input
        Assert.True(OutdialingEngine.Evaluate(Request("+12125550100", restrictions: open), options).Allowed);
    }

    [Fact]
    public void TheMailboxPolicyContextReplacesTheDialPlansRestrictions()
    {
        var policy = new OutdialingRestrictions("mailbox policy 'Travellers'", AllowDialPlanSubscribers: false, AllowExtensions: true, [], ["Everywhere"]);
        var engine = Engine();
        Assert.Equal(OutdialingReason.NoAllowedGroups, engine.Evaluate(Request("0145678901", restrictions: policy)).ReasonCode);
        var abroad = engine.Evaluate(Request("+12125550100", restrictions: policy));
        Assert.Equal(("Everywhere", "+12125550100"), (abroad.Group, abroad.DialedNumber));
        Assert.Equal(OutdialingReason.SubscribersNotAllowed, engine.Evaluate(Request("1000", restrictions: policy)).ReasonCode);
        Assert.True(engine.Evaluate(Request("9999", restrictions: policy)).Allowed);
    }

    [Fact]
    public void ExtensionsFollowAllowDialPlanSubscribersAndAllowExtensions()
    {
        var engine = Engine();
        var subscriber = engine.Evaluate(Request("1000"));
        Assert.Equal((true, NumberKind.Extension, "1000"), (subscriber.Allowed, subscriber.Kind!.Value, subscriber.DialedNumber!));
        Assert.Equal(OutdialingReason.ExtensionsNotAllowed, engine.Evaluate(Request("1001")).ReasonCode);
        var closed = Plan with { AllowDialPlanSubscribers = false, AllowExtensions = true };
        Assert.Equal(OutdialingReason.SubscribersNotAllowed, engine.Evaluate(Request("1000", closed)).ReasonCode);
        Assert.True(engine.Evaluate(Request("1001", closed)).Allowed);
    }

    [Fact]
    public void ACallBackToACallerIdNeverLeavesTheCountryUnlessItsGroupIsListed()
    {
        var callBack = Request("+442079460000", source: OutdialingTargetSource.CallerId);
        var denied = Engine().Evaluate(callBack);
        Assert.Equal(OutdialingReason.UntrustedCallerId, denied.ReasonCode);
        Assert.True(Engine().Evaluate(Request("+33145678901", source: OutdialingTargetSource.CallerId)).Allowed); // national: the rules decide
        Assert.Equal(OutdialingReason.NoMatchingRule, Engine().Evaluate(Request("+12125550100", source: OutdialingTargetSource.CallerId)).ReasonCode);
        Assert.True(Engine(new OutdialingOptions { CallBackInternationalGroups = ["uk"] }).Evaluate(callBack).Allowed);
        var sipPlan = Plan with { UriType = UmUriType.SipName };
        Assert.Equal(OutdialingReason.UntrustedCallerId,
            Engine().Evaluate(Request("sip:mallory@example.test", sipPlan, source: OutdialingTargetSource.CallerId)).ReasonCode);
        Assert.True(Engine().Evaluate(Request("sip:bob@example.test", sipPlan)).Allowed);
    }

    [Fact]
    public void ADenialIsEvent1076WithStructuredFields()
    {
        var decision = Engine().Authorize(Request("+12125550100", user: "user1000@example.test"));
        Assert.False(decision.Allowed);
        var e = Assert.Single(_events.Collector.GetSnapshot());
        Assert.Equal(1076, e.Id.Id);
        Assert.Equal("12125550100", e.Field<string>("Number"));
        Assert.Equal("International", e.Field<string>("Kind"));
        Assert.Equal("user1000@example.test", e.Field<string>("User"));
        Assert.Equal("dial plan 'Paris'", e.Field<string>("Context"));
        Assert.Equal(OutdialingReason.NoMatchingRule, e.Field<OutdialingReason>("ReasonCode"));
    }

    [Fact]
    public void NoOutboundGatewayIsEvent1310AndNoDialString()
    {
        var request = Request("0145678901") with { Configuration = Configuration(outcalls: false) };
        var engine = Engine();
        var decision = engine.Authorize(request);
        Assert.Equal((false, OutdialingReason.NoOutboundGateway), (decision.Allowed, decision.ReasonCode));
        Assert.Null(decision.Gateway);
        engine.Authorize(request); // periodic: the second within a minute is suppressed
        Assert.Equal([1310], _events.EventIds());
        Assert.Equal("Paris", _events.Collector.GetSnapshot()[0].Field<string>("DialPlan"));
    }

    [Fact]
    public void AnAllowedCallGetsTheGatewayAndNoEvent()
    {
        var decision = Engine().Authorize(Request("0145678901", user: "u"));
        Assert.Equal((true, "pbx", "90145678901"), (decision.Allowed, decision.Gateway, decision.DialedNumber));
        Assert.Empty(_events.Collector.GetSnapshot());
    }

    [Fact]
    public void AnAllowedGroupMissingFromTheStoreIsEvent1176AndIgnored()
    {
        // A store edited behind validation: the name is ignored (never widened), and reported.
        var plan = Plan with { AllowedInCountryOrRegionGroups = ["Gone", "Local"] };
        var decision = Engine().Authorize(Request("0145678901", plan));
        Assert.True(decision.Allowed);
        Assert.Equal([1176], _events.EventIds());
        Assert.Equal("Gone", _events.Collector.GetSnapshot()[0].Field<string>("Group"));
    }

    [Fact]
    public void PerUserLimitRefillsOverTheWindow()
    {
        var engine = Engine(new OutdialingOptions { PerUserLimit = 3, PerServerLimit = 100, RateWindow = TimeSpan.FromHours(1) });
        for (var i = 0; i < 3; i++)
        {
            Assert.True(engine.Authorize(Request("0145678901", user: "alice")).Allowed);
        }

        Assert.Equal(OutdialingReason.UserRateLimit, engine.Authorize(Request("0145678901", user: "alice")).ReasonCode);
        Assert.True(engine.Authorize(Request("0145678901", user: "bob")).Allowed);
        _time.Advance(TimeSpan.FromMinutes(19)); // 3 per hour: 0.95 of a call refilled
        Assert.Equal(OutdialingReason.UserRateLimit, engine.Authorize(Request("0145678901", user: "ALICE")).ReasonCode);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(engine.Authorize(Request("0145678901", user: "alice")).Allowed);
        Assert.Equal(2, _events.Collector.GetSnapshot().Count(e => e.Id.Id == 1076 && e.Field<OutdialingReason>("ReasonCode") == OutdialingReason.UserRateLimit));
    }

    [Fact]
    public void PerServerLimitCoversEveryUserAndDeniedCallsDoNotCount()
    {
        var engine = Engine(new OutdialingOptions { PerUserLimit = 10, PerServerLimit = 2, RateWindow = TimeSpan.FromMinutes(10) });
        for (var i = 0; i < 20; i++)
        {
            Assert.False(engine.Authorize(Request("+12125550100", user: "mallory")).Allowed); // refused by the rules: no allowance used
        }

        Assert.True(engine.Authorize(Request("0145678901", user: "a")).Allowed);
        Assert.True(engine.Authorize(Request("0145678901", user: "b")).Allowed);
        Assert.Equal(OutdialingReason.ServerRateLimit, engine.Authorize(Request("0145678901", user: "c")).ReasonCode);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(engine.Authorize(Request("0145678901", user: "c")).Allowed);
    }

    [Fact]
    public void EvaluateIsAWhatIfThatUsesNoAllowanceAndLogsNothing()
    {
        var engine = Engine(new OutdialingOptions { PerUserLimit = 1, PerServerLimit = 1 });
        for (var i = 0; i < 5; i++)
        {
            Assert.True(engine.Evaluate(Request("0145678901", user: "alice")).Allowed);
            Assert.False(engine.Evaluate(Request("112", user: "alice")).Allowed);
        }

        Assert.Empty(_events.Collector.GetSnapshot());
        Assert.True(engine.Authorize(Request("0145678901", user: "alice")).Allowed);
    }
}
