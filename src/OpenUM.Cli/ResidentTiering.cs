using System.Collections;
using System.Runtime.InteropServices;

namespace OpenUM.Cli;

/// <summary>
/// Keeps tiered compilation's background thread alive for the whole life of `openum serve`, by starting the process
/// again, once, with the runtime setting that says so.
/// </summary>
/// <remarks>
/// Tiered compilation recompiles hot methods optimized (and with profile guidance) on one background thread; on the
/// persistent mutual-TLS path it makes a call cost about a third less CPU than compiling every method once without
/// it. That thread exits after 4 s idle and is started again by whichever thread next makes a method hot. On Linux a
/// thread needs a pipe(2) to start (OpenUM.Server's PoolThreads), so at the descriptor limit that start fails and the
/// runtime throws "Out of memory." into the call, which can end the process. The runtime reads how long the thread
/// may idle only from the environment (DOTNET_TC_BackgroundWorkerTimeoutMs, hexadecimal; a runtimeconfig.json
/// property is not read), before any managed code runs: hence the new image. FFFFFFFF is an infinite wait: the thread
/// starts in the first second, while descriptors are plenty, and never has to start again.
/// </remarks>
internal static class ResidentTiering
{
    /// <summary>The runtime's setting: how long tiered compilation's thread may idle, in hexadecimal milliseconds.</summary>
    public const string Variable = "DOTNET_TC_BackgroundWorkerTimeoutMs";

    /// <summary>An infinite wait (INFINITE): the thread never exits.</summary>
    public const string Forever = "FFFFFFFF";

    /// <summary>
    /// Replaces the process with itself (same PID, arguments and descriptors) with <see cref="Variable"/> set to
    /// <see cref="Forever"/>, unless it already is; any other value is overridden, since it would let the thread exit.
    /// Returns only when no new image is needed or execve(2) failed (then the server runs on, and says so).
    /// </summary>
    public static void Ensure()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) == Forever) return;
        // Only the openum executable itself: a host running the command tree in its own process keeps its image.
        if (System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name != "openum") return;
        string[] argv;
        try
        {
            // The command line as the kernel has it (the host's own, `dotnet openum.dll ...` or `openum ...`).
            argv = File.ReadAllText("/proc/self/cmdline").TrimEnd('\0').Split('\0');
        }
        catch (IOException)
        {
            return;
        }
        var environment = new List<string>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            if ((string)entry.Key != Variable) environment.Add($"{entry.Key}={entry.Value}");
        environment.Add($"{Variable}={Forever}");
        // Only returns on failure.
        int error = Exec("/proc/self/exe", argv, environment);
        Console.Error.WriteLine($"warning: openum serve could not start again with {Variable}={Forever} (errno {error}); " +
            "tiered compilation's thread may then have to start at the descriptor limit. Set it in the service's environment.");
    }

    private static int Exec(string path, IReadOnlyList<string> argv, IReadOnlyList<string> environment)
    {
        var pointers = new List<IntPtr>();
        IntPtr[] Terminated(IReadOnlyList<string> strings)
        {
            var array = new IntPtr[strings.Count + 1];
            for (int i = 0; i < strings.Count; i++) pointers.Add(array[i] = Marshal.StringToCoTaskMemUTF8(strings[i]));
            return array;
        }
        try
        {
            _ = execve(path, Terminated(argv), Terminated(environment));
            return Marshal.GetLastPInvokeError();
        }
        finally
        {
            foreach (var pointer in pointers) Marshal.FreeCoTaskMem(pointer);
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which the solution keeps off.
    [DllImport("libc", SetLastError = true)]
    private static extern int execve([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr[] argv, IntPtr[] envp);
#pragma warning restore SYSLIB1054
}
