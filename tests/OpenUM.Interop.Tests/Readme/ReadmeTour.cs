using System.Text;
using System.Text.RegularExpressions;

namespace OpenUM.Interop.Tests.Readme;

/// <summary>One command of the README, as a reader would type it (continuation lines joined).</summary>
/// <param name="Text">The command line, comments included: bash ignores them as the reader's shell does.</param>
/// <param name="Section">The heading it appears under, to say where a failing command comes from.</param>
public sealed partial record ReadmeCommand(string Text, string Section)
{
    /// <summary>The placeholders the reader fills in (<c>&lt;thumbprint&gt;</c>), in order.</summary>
    public IReadOnlyList<string> Placeholders => [.. Placeholder().Matches(Text).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("<([a-z][a-z -]*)>")]
    private static partial Regex Placeholder();
}

/// <summary>The shell commands of README.md, in the order a reader meets them (every <c>```sh</c> block).</summary>
public static class ReadmeTour
{
    /// <summary>Reads the commands of <paramref name="markdown"/>.</summary>
    public static IReadOnlyList<ReadmeCommand> Parse(string markdown)
    {
        var commands = new List<ReadmeCommand>();
        string section = "(top)";
        bool inFence = false, inShell = false;
        var pending = new StringBuilder();
        foreach (string raw in markdown.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (!inFence && line.StartsWith('#'))
                section = line.TrimStart('#').Trim();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                inShell = inFence && line.Trim() == "```sh";
                continue;
            }
            if (!inShell || line.Trim().Length == 0) continue;
            if (line.EndsWith('\\'))
            {
                pending.Append(line.AsSpan(0, line.Length - 1).Trim()).Append(' ');
                continue;
            }
            pending.Append(line.Trim());
            commands.Add(new ReadmeCommand(pending.ToString(), section));
            pending.Clear();
        }
        return commands;
    }
}
