using System.Reflection;

namespace OpenUM.Cli.Tests;

/// <summary>
/// Runs `openum` in this process through its entry point, standard streams captured and standard input empty:
/// the same command tree and output as the executable, fast enough to walk every command. One run at a time
/// (the console is the process's); the tests using it are in <see cref="InProcessCliCollection"/>.
/// </summary>
internal static class InProcessCli
{
    private static readonly Lock Gate = new();
    private static readonly MethodInfo Entry = Assembly.Load("openum").EntryPoint
        ?? throw new InvalidOperationException("openum has no entry point");

    public static (int Code, string Out, string Err) Run(string dataDirectory, params string[] args)
    {
        lock (Gate)
        {
            var (stdout, stderr, stdin) = (Console.Out, Console.Error, Console.In);
            var output = new StringWriter();
            var error = new StringWriter();
            Console.SetOut(output);
            Console.SetError(error);
            Console.SetIn(new StringReader(""));
            try
            {
                // On a pool thread, as in the real process: no test framework synchronization context for its awaits to wait on.
                int code = Task.Run(() => Entry.Invoke(null, [args.Concat(["--data-dir", dataDirectory]).ToArray()]) switch
                {
                    int c => c,
                    Task<int> task => task.GetAwaiter().GetResult(),
                    _ => throw new InvalidOperationException("unexpected entry point result"),
                }).WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
                return (code, output.ToString(), error.ToString());
            }
            finally
            {
                Console.SetOut(stdout);
                Console.SetError(stderr);
                Console.SetIn(stdin);
            }
        }
    }
}

/// <summary>The tests that replace the console: never run beside another test of this assembly.</summary>
[CollectionDefinition(nameof(InProcessCliCollection), DisableParallelization = true)]
public sealed class InProcessCliCollection;
