using OpenUM.Calls.Outdialing;
using OpenUM.Directory.Dialing;

namespace OpenUM.Calls.Tests.Outdialing;

/// <summary>
/// Exchange's mask semantics, one row per form and dialed-number form (reference §1.5; the
/// 91425xxxxxxx mask is the Exchange 2007 help example, 011*/9011* the Set-UMDialPlan one).
/// </summary>
public class DialingRuleMatcherTests
{
    [Theory]
    // Mask "*": any number; "*" sends it unchanged, digits are sent literally, "+*" makes it E.164.
    [InlineData("*", "*", "4420794601", "4420794601", 10)]
    [InlineData("*", "+*", "4420794601", "+4420794601", 10)]
    [InlineData("*", "9123", "4420794601", "9123", 10)]
    [InlineData("*", "*", "5", "5", 1)]
    // Mask digits*: the rest after the prefix replaces the * of the dialed number.
    [InlineData("011*", "9011*", "01144207946", "901144207946", 3)]
    [InlineData("011*", "*", "01144207946", "44207946", 3)]
    [InlineData("011*", "+*", "01144207946", "+44207946", 3)]
    [InlineData("011*", "90114420", "01144207946", "90114420", 3)]
    [InlineData("011*", "*", "0119", "9", 3)]
    // Mask digits then x: same length, caller's digits from where the mask's x run begins.
    [InlineData("91425xxxxxxx", "91425xxxxxxx", "914255550100", "914255550100", 5)]
    [InlineData("91425xxxxxxx", "9xxx", "914255550100", "95550100", 5)]
    [InlineData("91425xxxxxxx", "+1425xxxxxxx", "914255550100", "+14255550100", 5)]
    [InlineData("91425xxxxxxx", "*", "914255550100", "914255550100", 5)]
    [InlineData("91425xxxxxxx", "4000", "914255550100", "4000", 5)]
    [InlineData("0xxxxxxxxx", "90xxxxxxxxx", "0612345678", "90612345678", 1)]
    [InlineData("0xxxxxxxxx", "+33xxxxxxxxx", "0612345678", "+33612345678", 1)]
    // Mask of only x: any number of exactly that length.
    [InlineData("xxxx", "9xxxx", "1234", "91234", 0)]
    [InlineData("XXXX", "8XXXX", "1234", "81234", 0)]
    // Mask of only digits: exact match, dialed number sent literally.
    [InlineData("911", "911", "911", "911", 3)]
    [InlineData("112", "9112", "112", "9112", 3)]
    [InlineData("3699", "+33123456789", "3699", "+33123456789", 4)]
    public void EveryMaskFormMatchesAndRewritesAsExchangeDid(string mask, string dialed, string number, string expected, int prefix)
    {
        var match = DialingRuleMatcher.Match("g", new DialingRuleEntry("g", mask, dialed), number);
        Assert.NotNull(match);
        Assert.Equal(expected, match.DialedNumber);
        Assert.Equal(prefix, match.LiteralPrefixLength);
    }

    [Theory]
    [InlineData("011*", "011")]            // fewer digits than the mask: the * needs at least one digit
    [InlineData("011*", "012345")]         // other prefix
    [InlineData("91425xxxxxxx", "91425555010")]   // one digit short
    [InlineData("91425xxxxxxx", "9142555501000")] // one digit long
    [InlineData("91425xxxxxxx", "914265550100")]  // prefix differs
    [InlineData("xxxx", "123")]
    [InlineData("xxxx", "12345")]
    [InlineData("911", "9110")]
    [InlineData("911", "91")]
    [InlineData("911", "912")]
    public void NumbersOutsideTheMaskDoNotMatch(string mask, string number)
    {
        Assert.Null(DialingRuleMatcher.Match("g", new DialingRuleEntry("g", mask, "*" == mask ? "*" : mask), number));
    }

    [Theory]
    [InlineData("9*", "9xxx")]   // a mask with * cannot copy x digits
    [InlineData("911", "*")]     // a digits mask needs a digits dialed number
    [InlineData("9xx*x", "9")]   // malformed mask
    public void AnInvalidEntryNeverMatches(string mask, string dialed)
    {
        // Validation refuses these; an entry that reached the engine anyway (a store edited by hand) fails closed.
        Assert.Null(DialingRuleMatcher.Match("g", new DialingRuleEntry("g", mask, dialed), "9123"));
    }

    public static TheoryData<string, string[], string, string> LongestPrefixCases => new()
    {
        // number, entries as Name,NumberMask,DialedNumber, expected winning mask, expected dial string
        // A "*" mask counts as matching the whole number, so it beats any prefix (Exchange's rule).
        { "0612345678", ["Mob,06xxxxxxxx,906xxxxxxxx", "Any,*,*"], "*", "0612345678" },
        { "0612345678", ["Nat,0*,90*", "Mob,06xxxxxxxx,806xxxxxxxx", "Mob7,061*,7*"], "061*", "72345678" },
        { "0612345678", ["Nat,0*,90*", "Mob,06xxxxxxxx,806xxxxxxxx"], "06xxxxxxxx", "80612345678" },
        { "0112", ["Nat,0*,90*", "Exact,0112,0112"], "0112", "0112" },
        { "0145", ["A,01*,1*", "B,01*,2*"], "01*", "145" },
        { "0145", ["B,01*,2*", "A,01*,1*"], "01*", "245" },
        { "0145", ["Short,0*,9*", "All,xxxx,8xxxx"], "0*", "9145" },
    };

    [Theory]
    [MemberData(nameof(LongestPrefixCases))]
    public void TheLongestLiteralPrefixWinsAndTiesGoToTheFirst(string number, string[] entries, string mask, string dialed)
    {
        var groups = new DialingGroups(entries.Select(e => DialingRuleEntry.TryParse(e, out _)!));
        var best = DialingRuleMatcher.Best(groups.Groups, number);
        Assert.NotNull(best);
        Assert.Equal(mask, best.Entry.NumberMask);
        Assert.Equal(dialed, best.DialedNumber);
    }
}
