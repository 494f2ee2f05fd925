using System.Diagnostics;

namespace OpenUM.Fuzz;

/// <summary>
/// Runs saved inputs (seed corpus, crash regressions, AFL findings) through a target in-process, without AFL:
/// prints every crash with its stack trace and stops at the first hang. Last line:
/// "replay TARGET: N inputs, N crashes, N hangs"; the exit code is non-zero when either count is.
/// </summary>
internal static class Replay
{
    // Far above any honest execution (a few milliseconds), low enough for CI to report instead of stalling.
    private static readonly TimeSpan HangAfter = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("FUZZ_REPLAY_HANG_SECONDS"), out var s) && s > 0 ? s : 10);

    // The parsers catch their own exceptions as a last line of defence (SipParser reports InternalError), so the
    // exception behind such a verdict is only visible when it is thrown: keep the last one for the report.
    [ThreadStatic] private static string? _lastThrown;

    public static int Run(string name, FuzzTarget target, string[] paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(IsInput).Order(StringComparer.Ordinal));
            else if (File.Exists(path))
                files.Add(path);
            else
            {
                Console.Error.WriteLine($"replay {name}: no such file or directory: {path}");
                return 66;
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += (_, e) =>
        {
            if (e.Exception is not InvariantException)
                _lastThrown = $"{e.Exception.GetType().FullName}: {e.Exception.Message}\n{new StackTrace(1, true)}";
        };

        int crashes = 0, done = 0;
        var current = -1;
        var started = Stopwatch.StartNew();
        var worker = new Thread(() =>
        {
            for (var i = 0; i < files.Count; i++)
            {
                Volatile.Write(ref current, i);
                started.Restart();
                if (!RunOne(target, files[i]))
                    crashes++;
                Volatile.Write(ref done, i + 1);
            }
        }, 64 * 1024 * 1024) { IsBackground = true, Name = "replay" };
        worker.Start();
        while (!worker.Join(100))
        {
            var i = Volatile.Read(ref current);
            if (i >= 0 && Volatile.Read(ref done) == i && started.Elapsed > HangAfter)
            {
                Console.WriteLine($"HANG {files[i]}: still running after {HangAfter.TotalSeconds:0} s");
                Console.WriteLine($"replay {name}: {i + 1} inputs, {crashes} crashes, 1 hangs");
                Console.Out.Flush();
                Environment.Exit(3);
            }
        }
        Console.WriteLine($"replay {name}: {files.Count} inputs, {crashes} crashes, 0 hangs");
        return crashes == 0 ? 0 : 1;
    }

    // AFL writes a README.txt into its crashes directory; dot files are editor or AFL state.
    private static bool IsInput(string path) =>
        !Path.GetFileName(path).StartsWith('.') && Path.GetFileName(path) != "README.txt" && !path.Contains("/.", StringComparison.Ordinal);

    private static bool RunOne(FuzzTarget target, string file)
    {
        var data = File.ReadAllBytes(file);
        _lastThrown = null;
        try
        {
            target(data);
            return true;
        }
        catch (Exception ex)
        {
            Console.WriteLine($"CRASH {file}: {ex}");
            if (ex is InvariantException && _lastThrown is { } inner)
                Console.WriteLine($"  last exception thrown inside the target before it:\n  {inner.Replace("\n", "\n  ", StringComparison.Ordinal)}");
            Console.WriteLine($"  input ({data.Length} bytes, hex): {Convert.ToHexString(data.AsSpan(0, Math.Min(data.Length, 512)))}{(data.Length > 512 ? "..." : "")}");
            return false;
        }
    }
}
