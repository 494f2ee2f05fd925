using Microsoft.Extensions.Time.Testing;
using OpenUM.Calls.Outdialing;
using OpenUM.Directory;
using OpenUM.TestSupport.Logging;
using static OpenUM.Calls.Tests.Outdialing.OutdialingFixture;

namespace OpenUM.Calls.Tests.Outdialing;

/// <summary>
/// The three contexts side by side (reference §1.4): numbers × {dial plan, mailbox policy, default auto attendant, open
/// auto attendant} → the engine's verdict. The default attendant is the strictest: its callers are never authenticated.
/// </summary>
public sealed class AttendantRestrictionsTests
{
    private static readonly MailboxPolicy Staff = new()
    {
        Name = "Staff", DialPlan = "Paris", AllowedInCountryOrRegionGroups = ["Local", "Mobile"], AllowedInternationalGroups = ["UK"],
    };

    private static readonly AutoAttendant Default = new() { Name = "Reception", DialPlan = "Paris" };

    private static readonly AutoAttendant Open = Default with
    {
        Name = "Hotline", AllowExtensions = true, AllowedInCountryOrRegionGroups = ["Local"], AllowedInternationalGroups = ["UK"],
    };

    private static OutdialingRestrictions Context(string name) => name switch
    {
        "plan" => OutdialingRestrictions.ForDialPlan(Plan),
        "policy" => OutdialingRestrictions.ForMailboxPolicy(Staff),
        "aa" => OutdialingRestrictions.ForAutoAttendant(Default),
        _ => OutdialingRestrictions.ForAutoAttendant(Open),
    };

    // Plan allows Local + Mobile in-country and UK abroad, AllowDialPlanSubscribers true, AllowExtensions false.
    [Theory]
    [InlineData("1000", "plan", OutdialingReason.Allowed)]                 // a user of the plan
    [InlineData("1000", "aa", OutdialingReason.Allowed)]                   // attendants reach users by default
    [InlineData("9999", "plan", OutdialingReason.ExtensionsNotAllowed)]
    [InlineData("9999", "policy", OutdialingReason.Allowed)]               // the policy's AllowExtensions defaults to true
    [InlineData("9999", "aa", OutdialingReason.ExtensionsNotAllowed)]      // the attendant's does not
    [InlineData("9999", "open-aa", OutdialingReason.Allowed)]
    [InlineData("0145678901", "plan", OutdialingReason.Allowed)]
    [InlineData("0145678901", "policy", OutdialingReason.Allowed)]
    [InlineData("0145678901", "aa", OutdialingReason.NoAllowedGroups)]
    [InlineData("0145678901", "open-aa", OutdialingReason.Allowed)]
    [InlineData("0612345678", "policy", OutdialingReason.Allowed)]
    [InlineData("0612345678", "open-aa", OutdialingReason.Allowed)]        // Local's 0xxxxxxxxx covers mobiles too
    [InlineData("112", "open-aa", OutdialingReason.NoMatchingRule)]        // Emergency is not among the open attendant's groups
    [InlineData("+442079460000", "plan", OutdialingReason.Allowed)]
    [InlineData("+442079460000", "aa", OutdialingReason.NoAllowedGroups)]
    [InlineData("+442079460000", "open-aa", OutdialingReason.Allowed)]
    [InlineData("0044207946000", "aa", OutdialingReason.NoAllowedGroups)]
    [InlineData("+12125550100", "policy", OutdialingReason.NoMatchingRule)]
    [InlineData("+12125550100", "open-aa", OutdialingReason.NoMatchingRule)]
    [InlineData("+19005550100", "open-aa", OutdialingReason.DeniedPrefix)] // premium rate before any group
    [InlineData("0899123456", "open-aa", OutdialingReason.DeniedPrefix)]
    [InlineData("112", "aa", OutdialingReason.NoAllowedGroups)]
    [InlineData("12ab", "aa", OutdialingReason.InvalidNumber)]
    [InlineData("sip:bob@example.test", "aa", OutdialingReason.SipUriNotAllowed)]
    public void NumbersTimesContextsGiveTheExpectedVerdict(string number, string context, OutdialingReason expected)
    {
        var decision = OutdialingEngine.Evaluate(Request(number, restrictions: Context(context)), new OutdialingOptions());
        Assert.True(expected == decision.ReasonCode, $"{number} in {context}: {decision.ReasonCode} ({decision.Reason})");
        Assert.Equal(expected == OutdialingReason.Allowed, decision.Allowed);
    }

    [Fact]
    public void ARefusalNamesTheAttendantInEvent1076()
    {
        var events = new FakeLogger();
        var engine = new OutdialingEngine(new OutdialingOptions(), new FakeTimeProvider(), events);
        var decision = engine.Authorize(Request("+442079460000", restrictions: OutdialingRestrictions.ForAutoAttendant(Default), user: "caller 5551 of auto attendant 'Reception'"));
        Assert.False(decision.Allowed);
        var e = Assert.Single(events.Records(1076));
        Assert.Equal("auto attendant 'Reception'", e.Field<string>("Context"));
    }
}
