using System.CommandLine;
using System.CommandLine.Invocation;
using OpenUM.Management;

namespace OpenUM.AdminApi;

/// <summary>What one replayed command did: its exit code, what it printed, and the errors it reported with their options.</summary>
internal sealed record CommandRun(int ExitCode, string Output, string Error, IReadOnlyList<CommandError> Errors);

/// <summary>
/// Runs management commands from token lists, each with its own captured console and actor. One at a time: the
/// commands were written for a process that runs one, and a configuration change is quick (a SQLite transaction).
/// </summary>
internal sealed class CommandRunner(RootCommand root)
{
    // '@file' must never be read as a response file: a value is a value.
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The exit code of a command that threw instead of answering (the API answers 500).</summary>
    public const int Failed = -1;

    /// <summary>The command tree requests are replayed through.</summary>
    public RootCommand Root => root;

    /// <summary>Parses and runs <paramref name="tokens"/> as `openum` would, as <paramref name="actor"/>.</summary>
    public async Task<CommandRun> RunAsync(IReadOnlyList<string> tokens, string actor, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var console = new CommandConsole(output, error, TextReader.Null, actor);
            int code;
            using (CommandConsole.Use(console))
            {
                // No signal handlers (the server owns SIGTERM), the console of this run for anything the parser prints, and
                // no default exception handler: it would print a stack trace, which is no answer for a client.
                var invocation = new InvocationConfiguration
                {
                    Output = output, Error = error, ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false,
                };
                try
                {
                    code = await UsageErrors.InvokeAsync(root.Parse(tokens, Parsing), invocation).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    return new CommandRun(Failed, "", $"error: the command failed ({e.GetType().Name}); the server's events may say more.", []);
                }
            }
            return new CommandRun(code, output.ToString(), error.ToString(), console.Errors);
        }
        finally
        {
            _gate.Release();
        }
    }
}
