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
    /// Replaces the process with itself (same PID, arguments, environment and descriptors) with <see cref="Variable"/> set to
    /// <see cref="Forever"/>, unless it already is; any other value is overridden, since it would let the thread exit.
    /// Returns only when no new image is needed or execve(2) failed (then the server runs on, and says so).
    /// </summary>
    public static void Ensure()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) == Forever) return;
        // Only the openum executable itself: a host running the command tree in its own process keeps its image.
        if (System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name != "openum") return;
        byte[][] argv;
        try
        {
            // The command line as the kernel has it (the host's own, `dotnet openum.dll ...` or `openum ...`), as bytes:
            // an argument that is not UTF-8 goes through unchanged. Each argument ends in a NUL; an empty one stays.
            var cmdline = File.ReadAllBytes("/proc/self/cmdline").AsSpan();
            if (cmdline.EndsWith((byte)0)) cmdline = cmdline[..^1];
            var parts = new List<byte[]>();
            foreach (var range in cmdline.Split((byte)0)) parts.Add(cmdline[range].ToArray());
            argv = [.. parts];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        // A response file (@FILE) was read by this image already; a pipe would be empty for the next one.
        string why = "a response file (@FILE) is on the command line";
        if (!argv.Any(a => a.Length > 0 && a[0] == (byte)'@'))
        {
            // libc's own environment, byte for byte, with the one setting changed; execv(3) passes it on.
            int error = setenv(Variable, Forever, 1) == 0 ? Exec("/proc/self/exe", argv) : Marshal.GetLastPInvokeError();
            why = $"errno {error}";
        }
        Console.Error.WriteLine($"warning: openum serve did not start again with {Variable}={Forever} ({why}); " +
            "tiered compilation's thread may then have to start at the descriptor limit. Set it in the service's environment.");
    }

    // Only returns on failure, with errno.
    private static int Exec(string path, byte[][] argv)
    {
        var pointers = new IntPtr[argv.Length + 1];
        try
        {
            for (int i = 0; i < argv.Length; i++)
            {
                pointers[i] = Marshal.AllocHGlobal(argv[i].Length + 1);
                Marshal.Copy(argv[i], 0, pointers[i], argv[i].Length);
                Marshal.WriteByte(pointers[i], argv[i].Length, 0);
            }
            _ = execv(path, pointers);
            return Marshal.GetLastPInvokeError();
        }
        finally
        {
            foreach (var pointer in pointers) if (pointer != IntPtr.Zero) Marshal.FreeHGlobal(pointer);
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which the solution keeps off.
    [DllImport("libc", SetLastError = true)]
    private static extern int execv([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr[] argv);

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
#pragma warning restore SYSLIB1054
}
