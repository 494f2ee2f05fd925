using OpenUM.Directory.AutoAttendants;
using OpenUM.Directory.Dialing;
using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests.AutoAttendants;

/// <summary>Auto attendants in the store: every field kept, the CFG-1 rules, references to and from other objects.</summary>
public sealed class AutoAttendantStoreTests : IDisposable
{
    private readonly TempStore _temp = new();

    public AutoAttendantStoreTests() =>
        _temp.Store.AddDialPlan(DialPlan() with
        {
            AccessTelephoneNumbers = ["5000"],
            ConfiguredInCountryOrRegionGroups = [new DialingRuleEntry("Local", "0xxxxxxxxx", "90xxxxxxxxx")],
            ConfiguredInternationalGroups = [new DialingRuleEntry("Europe", "44*", "900044*")],
        });

    public void Dispose() => _temp.Dispose();

    /// <summary>Takes a store back to version 12, before the auto attendant migration (newest first; the upgrade tests of earlier migrations call it).</summary>
    internal static void RevertAutoAttendantMigration(Microsoft.Data.Sqlite.SqliteConnection raw)
    {
        LanguageSettingsTests.RevertLanguageMigration(raw);
        StoreTests.Execute(raw, "DROP TABLE auto_attendants");
        StoreTests.Execute(raw, "DELETE FROM schema_migrations WHERE version = 13");
    }

    [Fact]
    public void AStoreFromBeforeTheMigrationGetsTheTable()
    {
        _temp.Store.Dispose();
        using (var raw = StoreTests.RawConnection(_temp.FilePath))
            RevertAutoAttendantMigration(raw);
        using var upgraded = _temp.OpenAnother();
        Assert.Empty(upgraded.Load().AutoAttendants);
        upgraded.AddAutoAttendant(Attendant());
        Assert.NotNull(upgraded.GetAutoAttendant("Reception"));
    }

    private static AutoAttendant Attendant(string name = "Reception", params string[] pilots) =>
        new() { Name = name, DialPlan = "Main", PilotIdentifierList = pilots.Length == 0 ? ["5100"] : pilots };

    [Fact]
    public void DefaultsAreTheStrictestContext()
    {
        var a = Attendant();
        Assert.Equal(UmStatus.Disabled, a.Status); // as New-UMAutoAttendant
        Assert.True(a.AllowDialPlanSubscribers);
        Assert.False(a.AllowExtensions);
        Assert.Empty(a.AllowedInCountryOrRegionGroups);
        Assert.Empty(a.AllowedInternationalGroups);
        Assert.Equal([BusinessHoursRange.AllWeek], a.BusinessHoursSchedule);
        Assert.Equal("UTC", a.TimeZone);
    }

    [Fact]
    public void EveryFieldRoundTripsAndIsAudited()
    {
        _temp.Store.AddAutoAttendant(Attendant("Support", "5200"));
        var attendant = new AutoAttendant
        {
            Name = "Reception", DialPlan = "main", PilotIdentifierList = ["5100", "+33140000000"], Status = UmStatus.Enabled,
            TimeZone = "Europe/Paris", BusinessHoursSchedule = [BusinessHoursRange.Parse("Mon-Fri 08:00-18:00"), BusinessHoursRange.Parse("Sat 09:00-12:30")],
            HolidaySchedule = [HolidayEntry.Parse("Christmas,greetings/x.wav,2026-12-25,2026-12-26"), HolidayEntry.Parse("May Day,,2027-05-01")],
            BusinessHoursWelcomeGreetingFile = "greetings/b.wav", AfterHoursWelcomeGreetingFile = "greetings/a.wav",
            BusinessHoursKeyMapping = [KeyMapping.Parse("1,Sales,1001"), KeyMapping.Parse("2,Support,,Support"), KeyMapping.Parse("3,Directions,,,greetings/d.wav")],
            AfterHoursKeyMapping = [KeyMapping.Parse("9,Emergency,+33140000001")],
            OperatorExtension = "1000", CallSomeoneEnabled = false, NameLookupEnabled = false, AllowDialPlanSubscribers = false,
            AllowExtensions = true, AllowedInCountryOrRegionGroups = ["local"], AllowedInternationalGroups = ["EUROPE"], Language = "fr-FR",
        };
        var change = _temp.Store.AddAutoAttendant(attendant);
        Assert.Equal((ConfigurationObjectType.AutoAttendant, "Reception", ConfigurationChangeKind.Added), (change.ObjectType, change.Name, change.Kind));
        Assert.Equal("auto attendant", ConfigurationChange.Describe(change.ObjectType));
        using var other = _temp.OpenAnother();
        Assert.Equal(attendant, other.GetAutoAttendant("RECEPTION"));
        Assert.Equal(attendant, other.Load().FindAutoAttendantByPilot("Main", "+33 1 40 00 00 00"));
        Assert.Null(other.Load().FindAutoAttendantByPilot("Main", "5000"));

        // Support is what Reception's key 2 leads to: it stays while that key does.
        Assert.Contains("Reception", Assert.Throws<ConfigurationValidationException>(() => _temp.Store.RemoveAutoAttendant("Support")).Message);
        Assert.Contains("auto attendant 'Reception'", Assert.Throws<ConfigurationValidationException>(() => _temp.Store.RemoveDialPlan("Main")).Message);
        Assert.Equal(ConfigurationChangeKind.Removed, _temp.Store.RemoveAutoAttendant("reception").Kind);
        Assert.Null(other.GetAutoAttendant("Reception"));
    }

    [Theory]
    [InlineData("pilot-identifier-list", "5000")]          // the dial plan's subscriber access number
    [InlineData("pilot-identifier-list", "5200")]          // Support's pilot
    [InlineData("pilot-identifier-list", "12ab")]
    [InlineData("time-zone", "Mars/Olympus_Mons")]
    [InlineData("operator-extension", "op")]
    [InlineData("allowed-in-country-or-region-groups", "Premium")]
    [InlineData("allowed-international-groups", "Local")] // an in-country group is no international one
    [InlineData("business-hours-key-mapping", "1,Self,,Reception")]
    [InlineData("business-hours-key-mapping", "1,Nobody,,Nowhere")]
    [InlineData("after-hours-key-mapping", "1,Sales,1x01")]
    [InlineData("dial-plan", "Missing")]
    public void BadAttendantIsRefusedNamingTheField(string field, string value)
    {
        _temp.Store.AddAutoAttendant(Attendant("Support", "5200"));
        var attendant = field switch
        {
            "pilot-identifier-list" => Attendant() with { PilotIdentifierList = [value] },
            "time-zone" => Attendant() with { TimeZone = value },
            "operator-extension" => Attendant() with { OperatorExtension = value },
            "allowed-in-country-or-region-groups" => Attendant() with { AllowedInCountryOrRegionGroups = [value] },
            "allowed-international-groups" => Attendant() with { AllowedInternationalGroups = [value] },
            "business-hours-key-mapping" => Attendant() with { BusinessHoursKeyMapping = [KeyMapping.Parse(value)] },
            "after-hours-key-mapping" => Attendant() with { AfterHoursKeyMapping = [KeyMapping.Parse(value)] },
            _ => Attendant() with { DialPlan = value },
        };
        var e = Assert.Throws<ConfigurationValidationException>(() => _temp.Store.AddAutoAttendant(attendant));
        Assert.Equal(field, e.Field);
        Assert.Null(_temp.Store.GetAutoAttendant("Reception"));
    }

    [Fact]
    public void AnEnabledAttendantNeedsAPilotAndAKeyIsMappedOnce()
    {
        Assert.Equal("pilot-identifier-list", Assert.Throws<ConfigurationValidationException>(() =>
            _temp.Store.AddAutoAttendant(Attendant() with { PilotIdentifierList = [], Status = UmStatus.Enabled })).Field);
        Assert.Equal("business-hours-key-mapping", Assert.Throws<ConfigurationValidationException>(() =>
            _temp.Store.AddAutoAttendant(Attendant() with { BusinessHoursKeyMapping = [KeyMapping.Parse("1,A,1001"), KeyMapping.Parse("1,B,1002")] })).Field);
    }

    [Fact]
    public void ADialPlanCannotTakeAnAttendantsPilotAsAccessNumberNorDropItsGroups()
    {
        _temp.Store.AddAutoAttendant(Attendant() with { AllowedInCountryOrRegionGroups = ["Local"] });
        var plan = _temp.Store.GetDialPlan("Main")!;
        Assert.Equal("access-telephone-numbers", Assert.Throws<ConfigurationValidationException>(() =>
            _temp.Store.UpdateDialPlan(plan with { AccessTelephoneNumbers = ["5000", "5100"] })).Field);
        Assert.Equal("configured-in-country-or-region-groups", Assert.Throws<ConfigurationValidationException>(() =>
            _temp.Store.UpdateDialPlan(plan with { ConfiguredInCountryOrRegionGroups = [] })).Field);
    }
}
