using OpenUM.Directory.Dialing;

namespace OpenUM.Directory.Tests.Dialing;

/// <summary>Field and cross-field rules of reference §1.5 (Exchange's DialGroupEntry), one row per rule.</summary>
public class DialingRuleEntryTests
{
    [Theory]
    // Every mask form, with the dialed-number forms each accepts.
    [InlineData("*", "*")]
    [InlineData("*", "9123")]
    [InlineData("*", "+*")]
    [InlineData("011*", "9011*")]
    [InlineData("011*", "*")]
    [InlineData("011*", "90114420")]
    [InlineData("011*", "+*")]
    [InlineData("91425xxxxxxx", "91425xxxxxxx")]
    [InlineData("91425xxxxxxx", "9xxx")]
    [InlineData("91425xxxxxxx", "*")]
    [InlineData("91425xxxxxxx", "914255550100")]
    [InlineData("xxxx", "9xxxx")]
    [InlineData("XXXX", "9XXXX")]
    [InlineData("0xxxxxxxxx", "+33xxxxxxxxx")]
    [InlineData("911", "911")]
    [InlineData("112", "+112")]
    public void ValidEntriesPass(string mask, string dialed)
    {
        Assert.Null(new DialingRuleEntry("Local", mask, dialed).Validate());
    }

    [Theory]
    // Field rules: forms of NumberMask and DialedNumber.
    [InlineData("Local", "9xx*x", "9", "NumberMask '9xx*x'")]
    [InlineData("Local", "**", "9", "NumberMask '**'")]
    [InlineData("Local", "x9", "9", "NumberMask 'x9'")]
    [InlineData("Local", "9*9", "9", "NumberMask '9*9'")]
    [InlineData("Local", "9x*", "9", "NumberMask '9x*'")]
    [InlineData("Local", "+44*", "*", "NumberMask '+44*'")]
    [InlineData("Local", "9a", "9", "NumberMask '9a'")]
    [InlineData("Local", "", "9", "NumberMask ''")]
    [InlineData("Local", "*", "9*9", "DialedNumber '9*9'")]
    [InlineData("Local", "*", "", "DialedNumber ''")]
    [InlineData("Local", "*", "++1", "DialedNumber '++1'")]
    [InlineData("Local", "*", "1+", "DialedNumber '1+'")]
    [InlineData("", "*", "*", "Name ''")]
    [InlineData(" Local", "*", "*", "Name ' Local'")]
    [InlineData("a,b", "*", "*", "Name 'a,b'")]
    // Cross-field rules.
    [InlineData("Local", "9*", "9xxx", "a mask containing * cannot have x")]
    [InlineData("Local", "*", "9xxx", "a mask containing * cannot have x")]
    [InlineData("Local", "*", "9*", "the mask * needs a dialed number of only digits or exactly *")]
    [InlineData("Local", "911", "*", "a mask of only digits needs a dialed number of only digits")]
    [InlineData("Local", "911", "9*", "a mask of only digits needs a dialed number of only digits")]
    [InlineData("Local", "911", "9xx", "a mask of only digits needs a dialed number of only digits")]
    [InlineData("Local", "9xxx", "9*", "needs a mask ending in *")]
    public void InvalidEntriesNameTheField(string name, string mask, string dialed, string expected)
    {
        var error = new DialingRuleEntry(name, mask, dialed).Validate();
        Assert.NotNull(error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void LengthLimitsFollowExchange()
    {
        Assert.Null(new DialingRuleEntry(new string('n', 32), new string('1', 64), "+" + new string('1', 63), new string('c', 96)).Validate());
        Assert.Contains("Name", new DialingRuleEntry(new string('n', 33), "*", "*").Validate());
        Assert.Contains("NumberMask", new DialingRuleEntry("n", new string('1', 65), "1").Validate());
        Assert.Contains("DialedNumber", new DialingRuleEntry("n", "*", new string('1', 65)).Validate());
        Assert.Contains("Comment", new DialingRuleEntry("n", "*", "*", new string('c', 97)).Validate());
    }

    [Theory]
    [InlineData("Local,9xxxxxxx,9xxxxxxx", "Local", "9xxxxxxx", "9xxxxxxx", null)]
    [InlineData(" Local , 011* , 9011* , calls abroad, via trunk ", "Local", "011*", "9011*", "calls abroad, via trunk")]
    [InlineData("Local,*,*,", "Local", "*", "*", null)]
    public void CommandLineFormIsParsedAndTrimmed(string text, string name, string mask, string dialed, string? comment)
    {
        var entry = DialingRuleEntry.TryParse(text, out var error);
        Assert.Equal(new DialingRuleEntry(name, mask, dialed, comment), entry);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("Local")]
    [InlineData("Local,9xxx")]
    [InlineData("")]
    public void TooFewFieldsAreRefused(string text)
    {
        Assert.Null(DialingRuleEntry.TryParse(text, out var error));
        Assert.Contains("Name,NumberMask,DialedNumber[,Comment]", error);
    }

    [Fact]
    public void ToStringRoundTrips()
    {
        var entry = new DialingRuleEntry("Intl", "00*", "900*", "abroad, all");
        Assert.Equal(entry, DialingRuleEntry.TryParse(entry.ToString(), out _));
    }

    [Fact]
    public void EntriesWithTheSameNameFormOneGroupIgnoringCase()
    {
        var groups = new DialingGroups(
        [
            new DialingRuleEntry("Local", "9xxx", "9xxx"),
            new DialingRuleEntry("Mobile", "06xxxxxxxx", "906xxxxxxxx"),
            new DialingRuleEntry("LOCAL", "8xxx", "8xxx"),
        ]);
        Assert.Equal(["Local", "Mobile"], groups.Groups.Select(g => g.Name));
        Assert.Equal(["9xxx", "8xxx"], groups.Find("local")!.Entries.Select(e => e.NumberMask));
        Assert.Null(groups.Find("Intl"));
    }
}
