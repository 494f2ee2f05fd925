using OpenUM.Calls.Outdialing;
using OpenUM.Directory;

namespace OpenUM.Calls.Tests.Outdialing;

/// <summary>The classification rules of issue 5, with a French-style plan (country 33, international 00, trunk 0, 4-digit extensions).</summary>
public class NumberClassifierTests
{
    private static readonly DialPlan Plan = new()
    {
        Name = "Paris", NumberOfDigitsInExtension = 4, CountryOrRegionCode = "33", InternationalAccessCode = "00", NationalNumberPrefix = "0",
    };

    [Theory]
    [InlineData("1234", NumberKind.Extension, "1234")]
    [InlineData("0012", NumberKind.Extension, "0012")]               // extension length wins over the access code
    [InlineData("+33612345678", NumberKind.National, "612345678")]    // own country code: the rest
    [InlineData("+33 6 12 34 56 78", NumberKind.National, "612345678")]
    [InlineData("+442079460000", NumberKind.International, "442079460000")] // other +: country code kept
    [InlineData("+3", NumberKind.International, "3")]
    [InlineData("+33", NumberKind.International, "33")]              // nothing after the country code
    [InlineData("00442079460000", NumberKind.International, "442079460000")] // access code: the rest
    [InlineData("0612345678", NumberKind.National, "0612345678")]     // other digits
    [InlineData("06-12.34(56)78", NumberKind.National, "0612345678")]
    [InlineData("112", NumberKind.National, "112")]
    [InlineData("00", NumberKind.National, "00")]
    [InlineData("sip:alice@example.test", NumberKind.SipUri, "sip:alice@example.test")]
    public void ClassifiesByExtensionLengthAndAccessCodes(string target, NumberKind kind, string number)
    {
        Assert.Equal(new ClassifiedNumber(kind, number), NumberClassifier.Classify(target, Plan, out var error));
        Assert.Equal("", error);
    }

    [Fact]
    public void WithoutAccessCodesOnlyPlusNumbersAreInternational()
    {
        var bare = new DialPlan { Name = "Bare", NumberOfDigitsInExtension = 5 };
        Assert.Equal(NumberKind.National, NumberClassifier.Classify("00442079460000", bare, out _)!.Value.Kind);
        Assert.Equal(NumberKind.International, NumberClassifier.Classify("+33612345678", bare, out _)!.Value.Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("+")]
    [InlineData("12a4")]
    [InlineData("1+2")]
    [InlineData("++33")]
    [InlineData("*123")]
    [InlineData("123;phone-context=x")]
    [InlineData("123456789012345678901234567890123")] // 33 digits
    public void NonNumbersAreRefused(string target)
    {
        Assert.Null(NumberClassifier.Classify(target, Plan, out var error));
        Assert.NotEqual("", error);
    }

    [Theory]
    [InlineData("0899123456", "+33899123456", "0899123456")]
    [InlineData("+33899123456", "+33899123456", "0899123456")]
    [InlineData("899123456", "+33899123456", "0899123456")]
    public void NationalNumbersHaveOneE164AndOneTrunkForm(string target, string e164, string trunk)
    {
        var number = NumberClassifier.Classify(target, Plan, out _)!.Value;
        Assert.Equal(e164, NumberClassifier.ToE164(number, Plan));
        Assert.Equal(trunk, NumberClassifier.WithTrunkPrefix(number, Plan));
    }
}
