using System.CommandLine;
using System.CommandLine.Parsing;

namespace OpenUM.Management;

/// <summary>
/// Command-line mistakes reported as one "error:" line each, naming the option as typed and the fix: a missing
/// required option says "missing", an unknown option suggests the closest one, a bad value says what is expected.
/// No help dump: the last line says where the help is. Exit code 2, as for a refused configuration change.
/// </summary>
internal static class UsageErrors
{
    /// <summary>Runs the parsed command, or reports its usage errors.</summary>
    public static Task<int> InvokeAsync(ParseResult result, InvocationConfiguration? invocation = null) =>
        (result.Errors.Count == 0 || result.Action is not System.CommandLine.Invocation.ParseErrorAction) && OptionAsArgument(result) is null
            ? result.InvokeAsync(invocation)
            : Task.FromResult(Report(result, CommandConsole.Error));

    // An optional argument takes any word, "--jsn" included: a word that looks like an option is a mistyped
    // option, not the name of an object (System.CommandLine would look up a gateway called "--jsn").
    private static Token? OptionAsArgument(ParseResult result) =>
        result.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).FirstOrDefault(LooksLikeOption);

    private static bool LooksLikeOption(Token token) =>
        token.Value.Length > 1 && token.Value[0] == '-' && !char.IsAsciiDigit(token.Value[1]);

    /// <summary>Writes the errors of <paramref name="result"/>; returns the exit code.</summary>
    public static int Report(ParseResult result, TextWriter output)
    {
        var command = result.CommandResult.Command;
        string path = Path(result.CommandResult.Command);
        var lines = new List<string>();
        Unmatched(result, command, path, lines);
        if (OptionAsArgument(result) is { } stray) UnknownOption(stray.Value, command, path, lines);
        foreach (var option in command.Options.Where(o => o.Required && result.GetResult(o) is not { IdentifierToken: not null }))
            lines.Add($"error: {option.Name}: missing; `{path}` requires it ({FirstLine(option.Description)}).");
        foreach (var argument in command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0 && result.GetResult(a) is not { Tokens.Count: > 0 }))
            lines.Add($"error: <{argument.Name}> missing: `{path} <{argument.Name}>`{(argument.Description is { } d ? $" ({FirstLine(d)})" : "")}.");
        foreach (var error in result.Errors)
        {
            switch (error.SymbolResult)
            {
                case OptionResult { IdentifierToken: null }:
                    break; // a required option not given: reported above as missing
                case OptionResult option:
                    lines.Add($"error: {option.IdentifierToken?.Value ?? option.Option.Name}: {Value(option.Option, option.Tokens, error.Message)}");
                    break;
                case ArgumentResult { Parent: OptionResult option }:
                    lines.Add($"error: {option.IdentifierToken?.Value ?? option.Option.Name}: {Value(option.Option, option.Tokens, error.Message)}");
                    break;
                case ArgumentResult argument when argument.Tokens.Count > 0:
                    lines.Add($"error: <{argument.Argument.Name}>: {error.Message}");
                    break;
            }
        }
        if (lines.Count == 0 && command.Subcommands.Count > 0)
            lines.Add($"error: `{path}` needs a command: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}.");
        if (lines.Count == 0)
            lines.AddRange(result.Errors.Select(e => "error: " + e.Message));
        foreach (var line in lines.Distinct())
        {
            output.WriteLine(line);
            Record(line);
        }
        output.WriteLine($"See: {path} --help");
        return 2;
    }

    // Each line is "error: --option: message", "error: <argument>: message" or "error: message": recorded with the option
    // it names, so a caller that is not a terminal (the admin API) can say which field is wrong.
    private static void Record(string line)
    {
        string text = line.StartsWith("error: ", StringComparison.Ordinal) ? line["error: ".Length..] : line;
        int colon = text.IndexOf(": ", StringComparison.Ordinal);
        bool named = colon > 0 && (text.StartsWith("--", StringComparison.Ordinal) || text.StartsWith('<')) && !text.AsSpan(0, colon).Contains(' ');
        if (!named && text.StartsWith('<') && text.IndexOf("> ", StringComparison.Ordinal) is > 0 and var close)
            CommandConsole.Record(text[..(close + 1)], text[(close + 2)..]); // "<name> missing: ..."
        else
            CommandConsole.Record(named ? text[..colon] : null, named ? text[(colon + 2)..] : text);
    }

    // Unknown words: an option-like one gets the closest option of this command; the value after it is its value,
    // not another mistake. A word where a command is expected gets the closest command.
    private static void Unmatched(ParseResult result, Command command, string path, List<string> lines)
    {
        var tokens = result.UnmatchedTokens;
        var all = result.Tokens.Select(t => t.Value).ToList();
        var options = OptionFields.Available(command).ToList();
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i];
            int at = all.IndexOf(token);
            var before = at > 0 ? options.FirstOrDefault(o => o.Name == all[at - 1] || o.Aliases.Contains(all[at - 1])) : null;
            if (token.StartsWith('-'))
            {
                UnknownOption(token, command, path, lines);
                if (i + 1 < tokens.Count && !tokens[i + 1].StartsWith('-') && !token.Contains('=')) i++;
            }
            else if (before is not null && (Nullable.GetUnderlyingType(before.ValueType) ?? before.ValueType) == typeof(bool))
            {
                lines.Add($"error: {all[at - 1]}: '{token}' is not true or false.");
            }
            else if (at > 1 && options.Any(o => o.Name == all[at - 1]) && options.Any(o => o.Name == all[at - 2]))
            {
                // "--a --b value": --a took "--b" as its value (reported with --a), and this word was --b's.
            }
            else if (command.Subcommands.Count > 0)
            {
                lines.Add(Closest(token, command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)) is { } near
                    ? $"error: '{token}': `{path}` has no such command; did you mean `{path} {near}`?"
                    : $"error: '{token}': `{path}` has no such command; it has {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}.");
                return; // the words after an unknown command are its arguments, not further mistakes
            }
            else
            {
                lines.Add($"error: '{token}': unexpected; `{path}` takes {(command.Arguments.Count == 0 ? "no arguments, only options" : string.Join(" ", command.Arguments.Select(a => $"<{a.Name}>")))}.");
            }
        }
    }

    private static void UnknownOption(string token, Command command, string path, List<string> lines)
    {
        string name = token.Split('=', ':')[0];
        var candidates = OptionFields.Available(command).Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Distinct();
        lines.Add(Closest(name, candidates) is { } near
            ? $"error: {name}: `{path}` has no such option; did you mean {near}?"
            : $"error: {name}: `{path}` has no such option.");
    }

    // What is wrong with an option's value, in words: the type's expectation rather than .NET's type name.
    private static string Value(Option option, IReadOnlyList<Token> tokens, string message)
    {
        if (tokens.Count == 0) return "missing its value.";
        if (tokens.Any(t => t.Value.StartsWith("--", StringComparison.Ordinal)))
            return $"missing its value (the next word, {tokens.First(t => t.Value.StartsWith("--", StringComparison.Ordinal)).Value}, is an option).";
        string given = string.Join(" ", tokens.Select(t => $"'{t.Value}'"));
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        if (type.IsArray) type = type.GetElementType()!;
        return type switch
        {
            _ when type == typeof(int) || type == typeof(long) => $"{given} is not a whole number.",
            _ when type == typeof(bool) => $"{given} is not true or false.",
            { IsEnum: true } => $"{given} is not one of {string.Join(", ", Enum.GetNames(type))}.",
            _ => message,
        };
    }

    /// <summary>The candidate nearest to <paramref name="typed"/> (edit distance, case-insensitive), when near enough to be a typo.</summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        string bare = typed.TrimStart('-').ToLowerInvariant();
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            string other = candidate.TrimStart('-').ToLowerInvariant();
            int distance = other.StartsWith(bare, StringComparison.Ordinal) && bare.Length >= 3 ? 0 : Distance(bare, other);
            if (distance < bestDistance) (best, bestDistance) = (candidate, distance);
        }
        return best is not null && bestDistance <= Math.Max(2, bare.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static string Path(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
            names.Insert(0, c is RootCommand ? "openum" : c.Name);
        return string.Join(" ", names);
    }

    private static string FirstLine(string? text) => (text ?? "").Split('\n')[0].TrimEnd('.');
}
