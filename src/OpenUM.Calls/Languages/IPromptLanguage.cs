namespace OpenUM.Calls.Languages;

/// <summary>
/// What one language says in pieces: numbers and the message count, as the names of the pack's prompts to play in
/// turn. The pieces differ by language (English joins "twenty" and "one"; French has "vingt et un", "soixante et
/// onze" and "quatre-vingts" whole, and agrees "nouveau message" with the count), so each language builds its own.
/// </summary>
public interface IPromptLanguage
{
    /// <summary>The language pack's name (a culture name: "en-US", "fr-FR").</summary>
    string Name { get; }

    /// <summary>A cardinal number (0 and up), as prompt names.</summary>
    IReadOnlyList<string> Number(int value);

    /// <summary>
    /// "You have N new messages" for <paramref name="count"/> new messages, as prompt names: the same pieces in every
    /// pack so far (the number is the language's, "new message" agrees with it; zero is one sentence).
    /// </summary>
    IReadOnlyList<string> MessageCount(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0) return [PromptNames.NoNewMessages];
        return [PromptNames.YouHave, .. Number(count), count == 1 ? PromptNames.NewMessage : PromptNames.NewMessages];
    }
}

/// <summary>The prompt names the languages share (each pack's prompts.txt gives their wording).</summary>
public static class PromptNames
{
    /// <summary>"You have" / "Vous avez".</summary>
    public const string YouHave = "you-have";
    /// <summary>"new message." after the number one.</summary>
    public const string NewMessage = "new-message";
    /// <summary>"new messages." after other numbers.</summary>
    public const string NewMessages = "new-messages";
    /// <summary>"You have no new messages." as one sentence.</summary>
    public const string NoNewMessages = "no-new-messages";
    /// <summary>"hundred" / "cent".</summary>
    public const string Hundred = "number-hundred";
    /// <summary>"thousand" / "mille".</summary>
    public const string Thousand = "number-thousand";

    /// <summary>The largest number spoken as a number; larger ones are read digit by digit.</summary>
    public const int MaxNumber = 999_999;

    /// <summary>A digit read alone ("digit-7"), also the numbers 0 to 9.</summary>
    public static string Digit(int digit) => DigitNames[digit];

    /// <summary>A number with a prompt of its own ("number-21").</summary>
    public static string Whole(int value) => "number-" + value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Digit by digit, for numbers past <see cref="MaxNumber"/>.</summary>
    public static IReadOnlyList<string> Digits(int value) =>
        [.. value.ToString(System.Globalization.CultureInfo.InvariantCulture).Select(c => DigitNames[c - '0'])];

    private static readonly string[] DigitNames = [.. Enumerable.Range(0, 10).Select(d => "digit-" + d.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
