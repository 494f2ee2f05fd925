using OpenUM.Calls.Languages;

namespace OpenUM.Calls.Tests.Languages;

/// <summary>How each language says numbers and message counts, as the prompt names it plays.</summary>
public class PromptLanguageTests
{
    private static readonly IPromptLanguage English = new EnglishLanguage();
    private static readonly IPromptLanguage French = new FrenchLanguage();

    [Theory]
    [InlineData(0, "no-new-messages")]
    [InlineData(1, "you-have digit-1 new-message")]
    [InlineData(2, "you-have digit-2 new-messages")]
    [InlineData(13, "you-have number-13 new-messages")]
    [InlineData(21, "you-have number-20 digit-1 new-messages")]
    [InlineData(71, "you-have number-70 digit-1 new-messages")]
    [InlineData(80, "you-have number-80 new-messages")]
    [InlineData(91, "you-have number-90 digit-1 new-messages")]
    [InlineData(100, "you-have digit-1 number-hundred new-messages")]
    [InlineData(105, "you-have digit-1 number-hundred digit-5 new-messages")]
    [InlineData(999, "you-have digit-9 number-hundred number-90 digit-9 new-messages")]
    [InlineData(1000, "you-have digit-1 number-thousand new-messages")]
    [InlineData(2021, "you-have digit-2 number-thousand number-20 digit-1 new-messages")]
    [InlineData(12345, "you-have number-12 number-thousand digit-3 number-hundred number-40 digit-5 new-messages")]
    public void EnglishCountsJoinTensAndDigits(int count, string expected) =>
        Assert.Equal(expected, string.Join(' ', English.MessageCount(count)));

    [Theory]
    [InlineData(0, "no-new-messages")] // « Vous n'avez aucun nouveau message. »
    [InlineData(1, "you-have digit-1 new-message")] // « Vous avez un nouveau message. »
    [InlineData(2, "you-have digit-2 new-messages")] // « Vous avez deux nouveaux messages. »
    [InlineData(17, "you-have number-17 new-messages")] // dix-sept
    [InlineData(21, "you-have number-21 new-messages")] // vingt et un nouveaux messages: plural, one prompt
    [InlineData(22, "you-have number-22 new-messages")] // vingt-deux, with its liaison
    [InlineData(71, "you-have number-71 new-messages")] // soixante et onze
    [InlineData(80, "you-have number-80 new-messages")] // quatre-vingts
    [InlineData(91, "you-have number-91 new-messages")] // quatre-vingt-onze
    [InlineData(100, "you-have number-hundred new-messages")] // cent, not « un cent »
    [InlineData(101, "you-have number-hundred digit-1 new-messages")] // cent un
    [InlineData(180, "you-have number-hundred number-80 new-messages")] // cent quatre-vingts
    [InlineData(200, "you-have digit-2 number-hundred new-messages")] // deux cents
    [InlineData(271, "you-have digit-2 number-hundred number-71 new-messages")] // deux cent soixante et onze
    [InlineData(1000, "you-have number-thousand new-messages")] // mille, not « un mille »
    [InlineData(1001, "you-have number-thousand digit-1 new-messages")] // mille un
    [InlineData(2000, "you-have digit-2 number-thousand new-messages")] // deux mille
    [InlineData(80000, "you-have number-80 number-thousand new-messages")] // quatre-vingt mille
    public void FrenchCountsAgreeAndSayNumbersWhole(int count, string expected) =>
        Assert.Equal(expected, string.Join(' ', French.MessageCount(count)));

    [Fact]
    public void NumbersPastTheLargestAreReadDigitByDigit()
    {
        foreach (IPromptLanguage language in new IPromptLanguage[] { English, French })
            Assert.Equal("digit-1 digit-0 digit-0 digit-0 digit-0 digit-0 digit-0", string.Join(' ', language.Number(1_000_000)));
        Assert.Equal("digit-9 number-hundred number-90 digit-9 number-thousand digit-9 number-hundred number-90 digit-9",
            string.Join(' ', English.Number(PromptNames.MaxNumber)));
    }

    [Fact]
    public void NegativeCountsAreAProgrammingError()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => English.MessageCount(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => French.Number(-1));
    }

    public static TheoryData<string> Languages => [.. PromptLanguages.Installed];

    [Theory]
    [MemberData(nameof(Languages))]
    public void EveryPromptAGrammarNamesShipsInItsOwnPack(string language)
    {
        var grammar = PromptLanguages.Shipped.For(language).Grammar;
        Assert.Equal(language, grammar.Name);
        var shipped = ShippedPrompts.Names(language);
        var counts = Enumerable.Range(0, 2100).Concat([9_999, 10_001, 71_071, 99_999, 100_000, 123_456, 999_999, 1_000_000]);
        var missing = counts.SelectMany(grammar.MessageCount).Distinct().Where(name => !shipped.Contains(name)).ToList();
        Assert.Empty(missing);
    }
}
