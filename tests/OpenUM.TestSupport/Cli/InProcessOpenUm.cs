using System.Reflection;

namespace OpenUM.TestSupport.Cli;

/// <summary>
/// Runs `openum` in this process through its entry point, standard streams captured and standard input empty:
/// the same command tree and output as the executable, fast enough to run hundreds of commands. One run at a time
/// (the console is the process's). The test project must reference src/OpenUM.Cli, whose assembly is "openum".
/// </summary>
public static class InProcessOpenUm
{
    private static readonly Lock Gate = new();
    private static readonly Lazy<MethodInfo> Entry = new(() => Assembly.Load("openum").EntryPoint
        ?? throw new InvalidOperationException("openum has no entry point"));

    /// <summary>Runs `openum ARGS --data-dir DATA`; its exit code, standard output and standard error.</summary>
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
                int code = Task.Run(() => Entry.Value.Invoke(null, [args.Concat(["--data-dir", dataDirectory]).ToArray()]) switch
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
