using OpenUM.Directory.Dialing;

namespace OpenUM.Calls.Outdialing;

/// <summary>A rule that matched a number: where it came from, how strongly it matched, and the dial string it gives.</summary>
public sealed record DialingRuleMatch(string Group, DialingRuleEntry Entry, int LiteralPrefixLength, string DialedNumber);

/// <summary>
/// Exchange's mask semantics (reference §1.5, DialPermissions.CheckAgainstDialGroupEntry) and the
/// longest-literal-prefix choice among all entries of the allowed groups.
/// </summary>
public static class DialingRuleMatcher
{
    /// <summary>
    /// Matches one entry against a digits-only number; null when it does not match or the entry is
    /// malformed (a store edited behind validation must fail closed, never dial a guess).
    /// </summary>
    public static DialingRuleMatch? Match(string group, DialingRuleEntry entry, string number)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(number);
        if (entry.Validate() is not null
            || !DialingPattern.TryParse(entry.NumberMask, allowPlus: false, out var mask, out _)
            || !DialingPattern.TryParse(entry.DialedNumber, allowPlus: true, out var dialed, out _)
            || number.Length < mask.Length)
        {
            return null;
        }

        var plus = dialed.Plus ? "+" : "";
        switch (mask.Form)
        {
            case DialingPatternForm.Any:
                // A '*' mask counts as matching the whole number when choosing the longest prefix.
                return new DialingRuleMatch(group, entry, number.Length,
                    dialed.Form == DialingPatternForm.Any ? plus + number : plus + dialed.Literal);

            case DialingPatternForm.PrefixAny when number.StartsWith(mask.Literal, StringComparison.Ordinal):
                var rest = number[mask.Literal.Length..];
                return new DialingRuleMatch(group, entry, mask.Literal.Length, dialed.Form switch
                {
                    DialingPatternForm.Any => plus + rest,
                    DialingPatternForm.PrefixAny => plus + dialed.Literal + rest,
                    _ => plus + dialed.Literal,
                });

            case DialingPatternForm.PrefixX when number.Length == mask.Length && number.StartsWith(mask.Literal, StringComparison.Ordinal):
                return new DialingRuleMatch(group, entry, mask.Literal.Length, dialed.Form switch
                {
                    DialingPatternForm.PrefixX => plus + dialed.Literal + number[mask.Literal.Length..],
                    DialingPatternForm.Any => plus + number,
                    _ => plus + dialed.Literal,
                });

            case DialingPatternForm.Digits when number.Length == mask.Length && number == mask.Literal:
                return new DialingRuleMatch(group, entry, mask.Length, plus + dialed.Literal);

            default:
                return null;
        }
    }

    /// <summary>
    /// Tests every entry of every group and returns the match with the longest literal prefix; on a tie
    /// the first in order (allowed groups in their listed order, entries in configured order) wins.
    /// </summary>
    public static DialingRuleMatch? Best(IEnumerable<DialingGroup> groups, string number)
    {
        ArgumentNullException.ThrowIfNull(groups);
        DialingRuleMatch? best = null;
        foreach (var group in groups)
        {
            foreach (var entry in group.Entries)
            {
                if (Match(group.Name, entry, number) is { } match && (best is null || match.LiteralPrefixLength > best.LiteralPrefixLength))
                {
                    best = match;
                }
            }
        }

        return best;
    }
}
