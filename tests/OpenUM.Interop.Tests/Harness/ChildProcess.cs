using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>Exit code and captured output of a finished child process.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string StdOut, string StdErr, bool HungAndKilled)
{
    /// <summary>Command line, exit status and output, for failure messages.</summary>
    public string Describe() =>
        $"$ {Command}\nexit={(HungAndKilled ? "KILLED (hang guard)" : ExitCode.ToString())}\n--- stdout ---\n{Tail(StdOut)}\n--- stderr ---\n{Tail(StdErr)}";

    internal static string Tail(string text, int max = 6000) =>
        text.Length <= max ? text : "...(truncated)...\n" + text[^max..];
}

/// <summary>A started child process whose output is captured; killed on dispose if still running.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private ChildProcess(Process process, string command)
    {
        _process = process;
        Command = command;
    }

    /// <summary>The command line, for messages.</summary>
    public string Command { get; }

    /// <summary>Process id.</summary>
    public int Id => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Exit code (only valid after exit).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Output captured so far.</summary>
    public string StdOut { get { lock (_gate) return _stdout.ToString(); } }

    /// <summary>Error output captured so far.</summary>
    public string StdErr { get { lock (_gate) return _stderr.ToString(); } }

    /// <summary>Starts <paramref name="file"/> with arguments (no shell), stdin closed.</summary>
    public static ChildProcess Start(string file, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment)
                psi.Environment[k] = v;
        string command = file + " " + string.Join(' ', psi.ArgumentList.Select(Quote));
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var child = new ChildProcess(process, command);
        process.OutputDataReceived += (_, e) => child.Append(child._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(child._stderr, e.Data);
        if (!process.Start())
            throw new InvalidOperationException($"could not start {command}");
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Append(StringBuilder sb, string? line)
    {
        if (line is null)
            return;
        lock (_gate)
        {
            // A flooding peer must not exhaust memory: keep the head and the newest output.
            if (sb.Length > 4_000_000)
                sb.Remove(200_000, 1_000_000);
            sb.AppendLine(line);
        }
    }

    /// <summary>Waits for exit; on hang guard expiry kills the process tree and returns false.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan hangGuard)
    {
        using var cts = new CancellationTokenSource(hangGuard);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            // The parameterless wait drains the redirected streams after exit.
            await _process.WaitForExitAsync(CancellationToken.None);
            return true;
        }
        catch (OperationCanceledException)
        {
            Kill();
            return false;
        }
    }

    /// <summary>Sends SIGTERM (graceful stop request).</summary>
    public void Terminate()
    {
        if (!_process.HasExited)
            Posix.Signal(_process.Id, Posix.SIGTERM);
    }

    /// <summary>SIGKILL to the process and its descendants.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // exited in between
        }
    }

    /// <summary>Snapshot of the result (after exit).</summary>
    public ProcessResult ToResult(bool hung) => new(Command, hung ? -1 : _process.ExitCode, StdOut, StdErr, hung);

    /// <summary>Kills the process if it is still running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { }
        }
        _process.Dispose();
    }

    /// <summary>Runs a command to completion; kills it when the hang guard expires.</summary>
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, TimeSpan hangGuard,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var child = Start(file, args, workingDirectory, environment);
        bool exited = await child.WaitForExitAsync(hangGuard);
        return child.ToResult(!exited);
    }

    private static string Quote(string a) =>
        a.Length > 0 && a.All(c => char.IsLetterOrDigit(c) || "-_./:=@,+%".Contains(c)) ? a : "'" + a.Replace("'", "'\\''") + "'";
}

/// <summary>POSIX signals (the Process class only offers SIGKILL).</summary>
public static class Posix
{
    /// <summary>SIGTERM.</summary>
    public const int SIGTERM = 15;

    /// <summary>SIGHUP (what <c>systemctl reload</c> sends through ExecReload=kill -HUP).</summary>
    public const int SIGHUP = 1;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int NativeKill(int pid, int signal);

    /// <summary>Sends a signal; false if the process does not exist.</summary>
    public static bool Signal(int pid, int signal) => NativeKill(pid, signal) == 0;
}

/// <summary>Locates the third-party tools the interop tests drive.</summary>
public static class Peers
{
    /// <summary>Full path of an executable on PATH, or a failure naming the Debian package to install.</summary>
    public static string Require(string executable, string debianPackage)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            string candidate = Path.Combine(dir, executable);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException(
            $"'{executable}' is not installed: the interop tests need it. Install it with: " +
            $"apt-get install -y --no-install-recommends {debianPackage}");
    }

    /// <summary>SIPp.</summary>
    public static string Sipp => Require("sipp", "sip-tester");

    /// <summary>baresip softphone.</summary>
    public static string Baresip => Require("baresip", "baresip-core");

    /// <summary>espeak-ng speech synthesiser.</summary>
    public static string EspeakNg => Require("espeak-ng", "espeak-ng");

    /// <summary>sox audio converter.</summary>
    public static string Sox => Require("sox", "sox");
}
