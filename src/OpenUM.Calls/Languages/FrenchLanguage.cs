namespace OpenUM.Calls.Languages;

/// <summary>
/// fr-FR: « vous avez un nouveau message », « vous avez deux nouveaux messages » (the plural from 2 on, 21 too:
/// « vingt et un nouveaux messages »), « vous n'avez aucun nouveau message ». Every number from 10 to 99 has its own
/// prompt, since French does not join them word by word (« vingt et un », « soixante et onze », « quatre-vingts »,
/// « quatre-vingt-onze », the liaison of « vingt-deux »); « cent » and « mille » take no « un » before them.
/// </summary>
public sealed class FrenchLanguage : IPromptLanguage
{
    /// <inheritdoc />
    public string Name => "fr-FR";

    /// <inheritdoc />
    public IReadOnlyList<string> Number(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        if (value > PromptNames.MaxNumber) return PromptNames.Digits(value);
        var parts = new List<string>(6);
        if (value >= 1000)
        {
            // « mille », « deux mille »: never « un mille ».
            if (value / 1000 > 1) Below1000(value / 1000, parts);
            parts.Add(PromptNames.Thousand);
            value %= 1000;
            if (value == 0) return parts;
        }
        Below1000(value, parts);
        return parts;
    }

    private static void Below1000(int value, List<string> parts)
    {
        if (value >= 100)
        {
            // « cent », « deux cents », « deux cent un »: never « un cent ».
            if (value / 100 > 1) parts.Add(PromptNames.Digit(value / 100));
            parts.Add(PromptNames.Hundred);
            value %= 100;
            if (value == 0) return;
        }
        parts.Add(value < 10 ? PromptNames.Digit(value) : PromptNames.Whole(value));
    }
}
