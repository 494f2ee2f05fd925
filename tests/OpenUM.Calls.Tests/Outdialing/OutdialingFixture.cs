using OpenUM.Calls.Outdialing;
using OpenUM.Directory;
using OpenUM.Directory.Dialing;

namespace OpenUM.Calls.Tests.Outdialing;

/// <summary>A French-style dial plan with in-country and international groups, one gateway and one mailbox.</summary>
internal static class OutdialingFixture
{
    public static readonly DialPlan Plan = new()
    {
        Name = "Paris",
        NumberOfDigitsInExtension = 4,
        CountryOrRegionCode = "33",
        InternationalAccessCode = "00",
        NationalNumberPrefix = "0",
        ConfiguredInCountryOrRegionGroups =
        [
            new DialingRuleEntry("Local", "0xxxxxxxxx", "90xxxxxxxxx"),
            new DialingRuleEntry("Local", "xxxxxxxxx", "90xxxxxxxxx", "+33 numbers arrive without the trunk 0"),
            new DialingRuleEntry("Mobile", "06xxxxxxxx", "8806xxxxxxxx", "mobile trunk"),
            new DialingRuleEntry("Emergency", "112", "112"),
        ],
        ConfiguredInternationalGroups =
        [
            new DialingRuleEntry("UK", "44*", "90044*"),
            new DialingRuleEntry("Everywhere", "*", "+*"),
        ],
        AllowedInCountryOrRegionGroups = ["local", "Mobile"],
        AllowedInternationalGroups = ["UK"],
    };

    public static ConfigurationSnapshot Configuration(DialPlan? plan = null, bool outcalls = true) => new(1,
        [plan ?? Plan],
        [new IpGateway { Name = "pbx", Address = "pbx.example.test", OutcallsAllowed = outcalls }],
        [new HuntGroup { Name = "hg", IpGateway = "pbx", DialPlan = "Paris" }],
        [],
        [new Mailbox { Extension = "1000", EmailAddress = "user1000@example.test", DialPlan = "Paris" }]);

    public static OutdialingRequest Request(string number, DialPlan? plan = null, OutdialingRestrictions? restrictions = null,
        OutdialingTargetSource source = OutdialingTargetSource.Entered, string? user = null) => new()
    {
        Configuration = Configuration(plan),
        DialPlan = plan ?? Plan,
        Restrictions = restrictions,
        Number = number,
        Source = source,
        User = user,
    };
}
