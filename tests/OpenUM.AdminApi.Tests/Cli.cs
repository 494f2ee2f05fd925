using System.Reflection;

namespace OpenUM.AdminApi.Tests;

/// <summary>
/// `openum` run in this process through its entry point, standard streams captured: the CLI the API is compared with.
/// One run at a time (the console is the process's).
/// </summary>
internal static class Cli
{
    private static readonly Lock Gate = new();
    private static readonly MethodInfo Entry = Assembly.Load("openum").EntryPoint ?? throw new InvalidOperationException("openum has no entry point");

    public static (int Code, string Out, string Err) Run(string dataDirectory, params string[] args)
    {
        lock (Gate)
        {
            var (stdout, stderr) = (Console.Out, Console.Error);
            var output = new StringWriter();
            var error = new StringWriter();
            Console.SetOut(output);
            Console.SetError(error);
            try
            {
                int code = Task.Run(() => Entry.Invoke(null, [args.Concat(["--data-dir", dataDirectory]).ToArray()]) switch
                {
                    int c => c,
                    Task<int> task => task.GetAwaiter().GetResult(),
                    _ => throw new InvalidOperationException("unexpected entry point result"),
                }).WaitAsync(TimeSpan.FromSeconds(120)).GetAwaiter().GetResult();
                return (code, output.ToString(), error.ToString());
            }
            finally
            {
                Console.SetOut(stdout);
                Console.SetError(stderr);
            }
        }
    }
}
