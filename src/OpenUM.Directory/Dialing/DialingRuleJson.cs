using System.Text.Json;

namespace OpenUM.Directory.Dialing;

/// <summary>How stores keep a list of dialing rule entries: a JSON array of objects with the CSV column names.</summary>
public static class DialingRuleJson
{
    /// <summary>Reads a stored list; throws <see cref="FormatException"/> on anything else.</summary>
    public static IReadOnlyList<DialingRuleEntry> Parse(string json)
    {
        var entries = JsonSerializer.Deserialize<DialingRuleEntry[]>(json) ?? throw new FormatException("a dialing rule column holds null");
        return entries.Any(e => e is null) ? throw new FormatException("a dialing rule column holds a null entry") : entries;
    }

    /// <summary>Writes a list for storage.</summary>
    public static string Format(IReadOnlyList<DialingRuleEntry> entries) => JsonSerializer.Serialize(entries.ToArray());
}
