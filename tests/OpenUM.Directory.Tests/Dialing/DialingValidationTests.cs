using OpenUM.Directory.Dialing;
using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests.Dialing;

/// <summary>The dial plan's dialing fields through the store: refused whole naming the field, and stored faithfully.</summary>
public sealed class DialingValidationTests : IDisposable
{
    private readonly TempStore _temp = new();

    private static readonly DialingRuleEntry[] InCountry =
    [
        new("Local", "9xxxxxxx", "9xxxxxxx"),
        new("Mobile", "06xxxxxxxx", "906xxxxxxxx", "mobiles"),
    ];

    public void Dispose() => _temp.Dispose();

    private static DialPlan Plan() => DialPlan() with
    {
        ConfiguredInCountryOrRegionGroups = InCountry,
        ConfiguredInternationalGroups = [new("Europe", "00*", "900*")],
        AllowedInCountryOrRegionGroups = ["local"],
        AllowedInternationalGroups = ["EUROPE"],
    };

    [Fact]
    public void ValidRulesAreStoredAndReadBack()
    {
        _temp.Store.AddDialPlan(Plan());
        using var other = _temp.OpenAnother();
        var stored = other.Load().FindDialPlan("Main")!;
        Assert.Equal(Plan() with { Id = stored.Id }, stored);
        Assert.Equal("mobiles", stored.ConfiguredInCountryOrRegionGroups[1].Comment);
    }

    [Fact]
    public void AllowedGroupNamesMatchIgnoringCase()
    {
        _temp.Store.AddDialPlan(Plan());
        Assert.Equal(["local"], _temp.Store.Load().FindDialPlan("main")!.AllowedInCountryOrRegionGroups);
    }

    public static TheoryData<string, string, DialPlan> Refusals => new()
    {
        { "configured-in-country-or-region-groups", "entry 2 'Local': NumberMask '9xx*x'",
            Plan() with { ConfiguredInCountryOrRegionGroups = [InCountry[0], new("Local", "9xx*x", "9")] } },
        { "configured-international-groups", "entry 1 'Europe': NumberMask '00*' with DialedNumber '9xx'",
            Plan() with { ConfiguredInternationalGroups = [new("Europe", "00*", "9xx")] } },
        { "allowed-in-country-or-region-groups", "group 'Premium' is not configured",
            Plan() with { AllowedInCountryOrRegionGroups = ["Premium"] } },
        { "allowed-international-groups", "has no --configured-international-groups",
            Plan() with { ConfiguredInternationalGroups = [] } },
        { "allowed-in-country-or-region-groups", "listed twice",
            Plan() with { AllowedInCountryOrRegionGroups = ["Local", "LOCAL"] } },
        { "configured-in-country-or-region-groups", "entry 1 '': Name ''",
            Plan() with { ConfiguredInCountryOrRegionGroups = [new("", "*", "*")], AllowedInCountryOrRegionGroups = [] } },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void BadRulesAreRefusedWholeNamingTheField(string field, string message, DialPlan plan)
    {
        var error = Assert.Throws<ConfigurationValidationException>(() => _temp.Store.AddDialPlan(plan));
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message);
        Assert.Empty(_temp.Store.Load().DialPlans);
    }

    [Fact]
    public void AnUpdateThatBreaksARuleLeavesTheStoredPlanUnchanged()
    {
        _temp.Store.AddDialPlan(Plan());
        var before = _temp.Store.Load().FindDialPlan("Main")!;
        Assert.Throws<ConfigurationValidationException>(() => _temp.Store.UpdateDialPlan(before with { AllowedInternationalGroups = ["Asia"] }));
        Assert.Equal(before, _temp.Store.Load().FindDialPlan("Main"));
    }

    [Fact]
    public void ListsCannotBeChangedThroughTheRecord()
    {
        var entries = new List<DialingRuleEntry>(InCountry);
        var plan = DialPlan() with { ConfiguredInCountryOrRegionGroups = entries };
        entries.Clear();
        Assert.Equal(2, plan.ConfiguredInCountryOrRegionGroups.Count);
        Assert.Equal(DialPlan() with { ConfiguredInCountryOrRegionGroups = InCountry, Id = plan.Id }, plan);
    }
}
