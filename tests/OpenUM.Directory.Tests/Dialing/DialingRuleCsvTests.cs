using OpenUM.Directory.Dialing;

namespace OpenUM.Directory.Tests.Dialing;

/// <summary>CSV import with the column headers Exchange admins used with Import-Csv.</summary>
public class DialingRuleCsvTests
{
    [Fact]
    public void ReadsHeadersInAnyOrderWithQuotingAndPowerShellTypeLine()
    {
        const string csv = "\uFEFF#TYPE System.Management.Automation.PSCustomObject\r\n"
            + "\"NumberMask\",\"Name\",\"DialedNumber\",\"Comment\"\r\n"
            + "\"9xxxxxxx\",\"Local\",\"9xxxxxxx\",\"\"\r\n"
            + "\"06xxxxxxxx\",\"Mobile\",\"906xxxxxxxx\",\"mobiles, \"\"cheap\"\"\"\r\n"
            + "\r\n";
        Assert.True(DialingRuleCsv.TryParse(csv, out var entries, out var error), error);
        Assert.Equal(
            [new DialingRuleEntry("Local", "9xxxxxxx", "9xxxxxxx"), new DialingRuleEntry("Mobile", "06xxxxxxxx", "906xxxxxxxx", "mobiles, \"cheap\"")],
            entries);
    }

    [Fact]
    public void CommentColumnIsOptional()
    {
        Assert.True(DialingRuleCsv.TryParse("name,numbermask,dialednumber\nIntl,00*,900*\n", out var entries, out _));
        Assert.Equal([new DialingRuleEntry("Intl", "00*", "900*")], entries);
    }

    [Theory]
    [InlineData("Name,NumberMask\nLocal,9xxx\n", "no DialedNumber column")]
    [InlineData("Name,Mask,DialedNumber\n", "column 'Mask' is unknown")]
    [InlineData("Name,Name,NumberMask,DialedNumber\n", "given twice")]
    [InlineData("Name,NumberMask,DialedNumber\nLocal,9xxx\n", "line 2: 2 fields where the header has 3")]
    [InlineData("Name,NumberMask,DialedNumber\n\"Local,9xxx,9xxx\n", "not closed")]
    [InlineData("", "no header")]
    public void MalformedCsvIsRefusedNamingTheLine(string csv, string expected)
    {
        Assert.False(DialingRuleCsv.TryParse(csv, out _, out var error));
        Assert.Contains(expected, error);
    }
}
