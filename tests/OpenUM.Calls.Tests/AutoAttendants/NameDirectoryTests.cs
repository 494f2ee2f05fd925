using OpenUM.Calls.AutoAttendants;
using OpenUM.Directory;

namespace OpenUM.Calls.Tests.AutoAttendants;

/// <summary>Dial by name: E.161 letters, last name first, accents dropped, prefix matches.</summary>
public sealed class NameDirectoryTests
{
    private static Mailbox Box(string extension, string name) => new() { Extension = extension, DialPlan = "Main", DisplayName = name, EmailAddress = $"u{extension}@example.test" };

    private static readonly Mailbox[] Boxes =
    [
        Box("1003", "Alice Martin"), Box("1001", "Bruno Martinez"), Box("1002", "Zoé Éluard"), Box("1004", "Jean-Paul Dupont"),
        Box("1005", ""), Box("1006", "Marc"),
    ];

    [Theory]
    [InlineData("Alice Martin", "62784625423")]      // MARTIN ALICE
    [InlineData("Zoé Éluard", "358273963")]          // ELUARD ZOE, without accents
    [InlineData("Jean-Paul Dupont", "38766853267285")] // DUPONT JEANPAUL: the hyphen has no key
    [InlineData("Marc", "6272")]
    [InlineData("  ", "")]
    public void KeysSpellTheLastNameFirst(string displayName, string keys) => Assert.Equal(keys, NameDirectory.KeysOf(displayName));

    [Theory]
    [InlineData("627846", new[] { "1001", "1003" })]  // MARTIN: Martin and Martinez, in extension order
    [InlineData("6278462", new[] { "1003" })]         // MARTIN A
    [InlineData("6278463", new[] { "1001" })]         // MARTINE(Z)
    [InlineData("358", new[] { "1002" })]
    [InlineData("627", new[] { "1001", "1003", "1006" })] // MAR: Martin, Martinez, Marc
    [InlineData("6272", new[] { "1006" })]
    [InlineData("999", new string[0])]
    [InlineData("", new string[0])]
    [InlineData("62*", new string[0])]                // not a letter key
    [InlineData("1", new string[0])]
    public void PrefixOfTheSpelledNameMatches(string keys, string[] extensions) =>
        Assert.Equal(extensions, NameDirectory.Find(Boxes, keys).Select(m => m.Extension));

    [Fact]
    public void EveryLetterHasItsPhoneKey()
    {
        Assert.Equal("22233344455566677778889999", string.Concat("ABCDEFGHIJKLMNOPQRSTUVWXYZ".Select(NameDirectory.KeyOf)));
        Assert.Equal('\0', NameDirectory.KeyOf('-'));
    }
}
