using System.Globalization;
using System.Text;

namespace OpenUM.Delivery.Tests;

/// <summary>The cleaning rules for caller names and numbers taken from SIP signalling.</summary>
public class CallerTextTests
{
    [Theory]
    [InlineData("Bob Caller", "Bob Caller")]
    [InlineData("  Bob   Caller  ", "Bob Caller")]
    [InlineData("J\u00FCrgen M\u00FCller", "J\u00FCrgen M\u00FCller")]
    [InlineData("=?utf-8?q?Boss=0D=0ABcc:_victim@evil.example?=", "=?utf-8?q?Boss=0D=0ABcc:_victim@evil.example?=")] // literal, never decoded
    [InlineData("%00 and \\0", "%00 and \\0")]                                     // escapes stay the characters they are
    [InlineData("Eve\r\nBcc: victim@evil.example", "Eve Bcc: victim@evil.example")] // CR LF: a space, no line break
    [InlineData("Eve\0Mallory", "Eve Mallory")]                                     // NUL
    [InlineData("Eve\tX\u0085Y\u007FZ", "Eve X Y Z")]                               // TAB, C1 NEL, DEL
    [InlineData("Line\u2028Two\u2029Three", "Line Two Three")]                      // line and paragraph separators
    [InlineData("\u202Egnp.exe", "gnp.exe")]                                        // RIGHT-TO-LEFT OVERRIDE
    [InlineData("Ad\u200Bmin\u200D\uFEFF\u2066x\u2069", "Adminx")]                 // zero-width, BOM, isolates (Cf)
    [InlineData("CEO \"<ceo@corp.example>\"", "CEO ceo@corp.example")]             // no address syntax
    [InlineData("\uE000Private\uFFFF", "Private")]                                  // private use, noncharacter
    [InlineData("\u00A0\u3000", "")]                                                // nothing but spaces
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Name(string? input, string expected) => Assert.Equal(expected, CallerText.Name(input));

    [Theory]
    [InlineData("Bob Caller", true)]
    [InlineData("J\u00FCrgen M\u00FCller", true)]
    [InlineData("\U0001F600 emoji", true)]         // a surrogate pair is one kept scalar value
    [InlineData(" Bob", false)]
    [InlineData("Bob ", false)]
    [InlineData("Bob  Caller", false)]
    [InlineData("Bob\u00A0Caller", false)]         // another space becomes U+0020
    [InlineData("Bob\uD800Caller", false)]         // a lone surrogate is removed
    [InlineData("Bob\uFFFDCaller", false)]
    public void A_clean_value_is_returned_as_it_is_and_any_other_copied(string input, bool same)
    {
        string cleaned = CallerText.Name(input);
        Assert.Equal(same, ReferenceEquals(input, cleaned));
        Assert.Equal(cleaned, CallerText.Name(new string(cleaned.AsSpan())));  // and cleaning is idempotent
    }

    [Fact]
    public void LongNameIsCutAtTheCapWithAMarker()
    {
        string name = CallerText.Name(new string('A', 8192));
        Assert.Equal(CallerText.MaxNameLength, name.Length);
        Assert.Equal(new string('A', CallerText.MaxNameLength - 3) + CallerText.Truncated, name);

        // Exactly at the cap: whole, no marker.
        string exact = new('B', CallerText.MaxNameLength);
        Assert.Equal(exact, CallerText.Name(exact));
    }

    [Fact]
    public void TheCapCountsCharactersNotUtf16Units()
    {
        // U+1F600 is two UTF-16 units: 64 of them are 64 characters, kept whole; a 65th is cut.
        string faces = string.Concat(Enumerable.Repeat("\U0001F600", CallerText.MaxNameLength));
        Assert.Equal(faces, CallerText.Name(faces));
        string cut = CallerText.Name(faces + "\U0001F600");
        Assert.Equal(CallerText.MaxNameLength, cut.EnumerateRunes().Count());
        Assert.EndsWith(CallerText.Truncated, cut);
        Assert.DoesNotContain(cut.EnumerateRunes(), r => Rune.GetUnicodeCategory(r) == UnicodeCategory.Surrogate);
    }

    [Fact]
    public void RemovedCharactersDoNotHideTheRestOfAHugeValue()
    {
        // 2000 format characters then a name: the value is longer than what is looked at, so it is marked as cut.
        string value = new string('\u200B', 2000) + "Mallory";
        Assert.Equal(CallerText.Truncated, CallerText.Name(value));
        // A long value cut inside a surrogate pair leaves no replacement character behind.
        string pairs = string.Concat(Enumerable.Repeat("\U0001F600", 600));
        Assert.DoesNotContain('\uFFFD', CallerText.Name(pairs));
    }

    [Theory]
    [InlineData("5551234", "5551234")]
    [InlineData("+49 30 1234-5678", "+49 30 1234-5678")]
    [InlineData("555\r\nBcc: victim@evil.example", "555 Bcc: victim@evil.example")]
    [InlineData("5551234\0", "5551234")]
    [InlineData("<sip:ceo@corp.example>", "sip:ceo@corp.example")]
    [InlineData("+4930123456789012345678901234567890", "+4930123456789012345678901234...")]
    public void Number(string input, string expected)
    {
        string number = CallerText.Number(input);
        Assert.Equal(expected, number);
        Assert.True(number.Length <= CallerText.MaxNumberLength);
    }

    [Fact]
    public void NothingInvisibleOrLineBreakingSurvivesAnyCharacter()
    {
        // Every BMP code point, one after the other in groups: whatever is kept is visible text or a plain space.
        for (int start = 0; start < 0x10000; start += 48)
        {
            var value = new StringBuilder();
            for (int c = start; c < Math.Min(start + 48, 0x10000); c++)
                value.Append((char)c);
            foreach (var rune in CallerText.Clean(value.ToString(), 200).EnumerateRunes())
            {
                var category = Rune.GetUnicodeCategory(rune);
                Assert.False(category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                    or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                    or UnicodeCategory.Surrogate, $"U+{rune.Value:X4} ({category}) kept from the block at U+{start:X4}");
                Assert.False(category == UnicodeCategory.SpaceSeparator && rune.Value != ' ', $"U+{rune.Value:X4} kept as a space");
                Assert.False(rune.Value is '"' or '<' or '>', $"'{rune}' kept");
            }
        }
    }
}
