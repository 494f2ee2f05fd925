namespace OpenUM.Management;

/// <summary>
/// Where a command writes, what it reads and who runs it: the process's console and user, unless a caller (the admin
/// API) gives one run its own with <see cref="Use"/>. Ambient (AsyncLocal) so concurrent runs never see each other's
/// output, and the commands need no parameter for it.
/// </summary>
internal sealed class CommandConsole
{
    private static readonly AsyncLocal<CommandConsole?> Ambient = new();

    private readonly TextWriter? _out;
    private readonly TextWriter? _error;
    private readonly TextReader? _in;
    private readonly string? _actor;
    private readonly List<CommandError> _errors = [];

    /// <summary>A console for one run; null members fall back to the process's.</summary>
    public CommandConsole(TextWriter? output = null, TextWriter? error = null, TextReader? input = null, string? actor = null) =>
        (_out, _error, _in, _actor) = (output, error, input, actor);

    /// <summary>Standard output of the run in progress.</summary>
    public static TextWriter Out => Ambient.Value?._out ?? Console.Out;

    /// <summary>Standard error of the run in progress.</summary>
    public static TextWriter Error => Ambient.Value?._error ?? Console.Error;

    /// <summary>Standard input of the run in progress.</summary>
    public static TextReader In => Ambient.Value?._in ?? Console.In;

    /// <summary>Who makes the change, for audit events (CFG-2): the user running `openum`, or the admin API's client.</summary>
    public static string Actor => Ambient.Value?._actor ?? Environment.UserName;

    /// <summary>The errors this run reported, each with the option it names (for the admin API's problem details).</summary>
    public IReadOnlyList<CommandError> Errors => _errors;

    /// <summary>Makes <paramref name="console"/> the console of the current flow until the result is disposed.</summary>
    public static IDisposable Use(CommandConsole console)
    {
        var previous = Ambient.Value;
        Ambient.Value = console;
        return new Restore(previous);
    }

    /// <summary>Writes "error: OPTION: message" (or "error: message" without an option) to <see cref="Error"/> and records it.</summary>
    public static void Fail(string? option, string message, bool notFound = false)
    {
        Error.WriteLine(option is null ? $"error: {message}" : $"error: {option}: {message}");
        Record(option, message, notFound);
    }

    /// <summary>Records an error written by other means (the usage errors' own lines).</summary>
    public static void Record(string? option, string message, bool notFound = false) =>
        Ambient.Value?._errors.Add(new CommandError(option, message, notFound));

    private sealed class Restore(CommandConsole? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}

/// <summary>One error a command reported: the option it is about (as typed, "--number-of-digits-in-extension"), and the message.</summary>
/// <param name="NotFound">The error says the object named does not exist.</param>
internal sealed record CommandError(string? Option, string Message, bool NotFound = false);
