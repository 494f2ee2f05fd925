using System.CommandLine;
using System.Runtime.CompilerServices;
using OpenUM.Directory;

namespace OpenUM.Management;

/// <summary>
/// Which option of the command being run a configuration error is about. Validation names fields by their
/// configuration name ("startup-mode", a hunt group's "ip-gateway"); the error must name the option the user
/// typed (`--um-startup-mode`, the gateway's `--address`), and never one the command does not have.
/// </summary>
internal static class OptionFields
{
    private static readonly ConditionalWeakTable<Option, string> Declared = new();

    private static readonly ConditionalWeakTable<Option, Func<string, bool>> ServerPaths = new();

    /// <summary>A value that names a file on the server, for options whose values may: the admin API refuses such values.</summary>
    public static readonly Func<string, bool> AnyValue = value => value.Length > 0;

    /// <summary>Says that values of <paramref name="option"/> for which <paramref name="namesFile"/> is true name a file the command reads on the server.</summary>
    public static void DeclareServerPath(Option option, Func<string, bool> namesFile) => ServerPaths.AddOrUpdate(option, namesFile);

    /// <summary>Whether <paramref name="value"/> given to <paramref name="option"/> names a file on the server (a greeting WAV, a CSV to import).</summary>
    public static bool NamesServerFile(Option option, string value) => ServerPaths.TryGetValue(option, out var namesFile) && namesFile(value);

    /// <summary>Whether some value of <paramref name="option"/> may name a file on the server.</summary>
    public static bool TakesServerPath(Option option) => ServerPaths.TryGetValue(option, out _);

    /// <summary>Says that <paramref name="option"/> sets the validation field <paramref name="field"/> (besides its own name).</summary>
    public static void Declare(Option option, string field) => Declared.AddOrUpdate(option, field);

    /// <summary>The option (or argument) of the command being run that <paramref name="field"/> stands for; null when it has none.</summary>
    public static string? Find(ParseResult result, string field)
    {
        var options = Available(result.CommandResult.Command).ToList();
        return options.FirstOrDefault(o => Matches(o.Name, field) || o.Aliases.Any(a => Matches(a, field)))?.Name
            ?? options.FirstOrDefault(o => Declared.TryGetValue(o, out var declared) && declared == field)?.Name
            ?? result.CommandResult.Command.Arguments.FirstOrDefault(a => string.Equals(a.Name, field, StringComparison.OrdinalIgnoreCase))?.Name;
    }

    /// <summary>The one-line error for a refused configuration change: "error: --option: message", naming only an option the command has.</summary>
    public static string Describe(ParseResult result, ConfigurationValidationException e) =>
        Find(result, e.Field) is { } name ? $"error: {name}: {e.Message}" : $"error: {e.Message}";

    /// <summary>The options a command accepts: its own and the recursive ones of the commands above it (--data-dir, --json, ...).</summary>
    public static IEnumerable<Option> Available(Command command)
    {
        foreach (var option in command.Options) yield return option;
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
            foreach (var option in parent.Options.Where(o => o.Recursive)) yield return option;
    }

    private static bool Matches(string option, string field) => string.Equals(option, "--" + field, StringComparison.OrdinalIgnoreCase);
}
