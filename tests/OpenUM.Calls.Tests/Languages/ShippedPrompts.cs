using System.Reflection;
using OpenUM.Calls.Languages;

namespace OpenUM.Calls.Tests.Languages;

/// <summary>What the build ships: the prompts of each pack in OpenUM.Calls, and each pack's prompts.txt (embedded in this assembly).</summary>
internal static class ShippedPrompts
{
    /// <summary>The names of the WAVs of one shipped pack.</summary>
    public static HashSet<string> Names(string language)
    {
        string prefix = $"Prompts/{language}/";
        return [.. typeof(PromptLanguages).Assembly.GetManifestResourceNames()
            .Where(r => r.StartsWith(prefix, StringComparison.Ordinal) && r.EndsWith(".wav", StringComparison.Ordinal))
            .Select(r => r[prefix.Length..^4])];
    }

    /// <summary>The lines of a pack's prompts.txt: directives (@voice, @speed) and prompts, name then text.</summary>
    public static (Dictionary<string, string> Directives, List<(string Name, string Text)> Prompts) Text(string language)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"PromptTexts/{language}/prompts.txt")
            ?? throw new InvalidOperationException($"src/OpenUM.Calls/Prompts/{language}/prompts.txt is not embedded");
        using var reader = new StreamReader(stream);
        var directives = new Dictionary<string, string>(StringComparer.Ordinal);
        var prompts = new List<(string, string)>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            Assert.True(space > 0, $"{language}/prompts.txt: '{line}' has no text");
            if (line.StartsWith('@')) directives[line[1..space]] = line[(space + 1)..];
            else prompts.Add((line[..space], line[(space + 1)..]));
        }
        return (directives, prompts);
    }
}
