namespace OpenUM.Calls.Languages;

/// <summary>
/// en-US: "You have one new message", "You have twenty one new messages"; numbers as US English says them
/// ("one hundred five", no "and"): 0-9 and 10-19 have their own prompts, tens are followed by a digit.
/// </summary>
public sealed class EnglishLanguage : IPromptLanguage
{
    /// <inheritdoc />
    public string Name => "en-US";

    /// <inheritdoc />
    public IReadOnlyList<string> Number(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        if (value > PromptNames.MaxNumber) return PromptNames.Digits(value);
        var parts = new List<string>(6);
        if (value >= 1000)
        {
            Below1000(value / 1000, parts);
            parts.Add(PromptNames.Thousand);
            value %= 1000;
            if (value == 0) return parts;
        }
        Below1000(value, parts);
        return parts;
    }

    // "one hundred five", "twenty one"; 0 only when the whole number is 0 (callers skip a zero remainder).
    private static void Below1000(int value, List<string> parts)
    {
        if (value >= 100)
        {
            parts.Add(PromptNames.Digit(value / 100));
            parts.Add(PromptNames.Hundred);
            value %= 100;
            if (value == 0) return;
        }
        if (value < 10) parts.Add(PromptNames.Digit(value));
        else if (value < 20) parts.Add(PromptNames.Whole(value));
        else
        {
            parts.Add(PromptNames.Whole(value / 10 * 10));
            if (value % 10 != 0) parts.Add(PromptNames.Digit(value % 10));
        }
    }
}
