using System.Text.Json;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Logging;

/// <summary>
/// The real systemd-journald in a mount namespace of its own: tmpfs on /run/systemd (its sockets), a temp
/// directory bind-mounted on /run/log (the runtime journal lands there, readable from outside with
/// journalctl -D) and tmpfs on /var/log/journal, so the host's journal, sockets and /etc are never
/// touched. Programs run inside with nsenter see this journald at the usual socket path; this process
/// reaches it through /proc/PID/root. Needs root (unshare -m). Dispose stops journald and removes the directory.
/// </summary>
public sealed class PrivateJournald : IAsyncDisposable
{
    private static readonly TimeSpan StartHangGuard = TimeSpan.FromSeconds(30);
    private readonly ChildProcess _namespace;
    private readonly ITestOutputHelper? _log;

    private PrivateJournald(ChildProcess ns, string dir, ITestOutputHelper? log)
    {
        _namespace = ns;
        Directory = dir;
        _log = log;
    }

    /// <summary>The temp directory (runtime journal under run-log/journal/).</summary>
    public string Directory { get; }

    /// <summary>Pid of a process inside the namespace (for nsenter).</summary>
    public int NamespacePid => _namespace.Id;

    /// <summary>journald's native socket as this (outside) process reaches it.</summary>
    public string SocketFromOutside => $"/proc/{NamespacePid}/root/run/systemd/journal/socket";

    /// <summary>Starts journald in its namespace and waits for its socket.</summary>
    public static async Task<PrivateJournald> StartAsync(ITestOutputHelper? log)
    {
        if (Environment.UserName != "root")
            throw new InvalidOperationException("the journald interop tests need root: journald runs in a private mount namespace (unshare -m)");
        string unshare = Peers.Require("unshare", "util-linux");
        Peers.Require("nsenter", "util-linux");
        Peers.Require("journalctl", "systemd");
        string journald = new[] { "/lib/systemd/systemd-journald", "/usr/lib/systemd/systemd-journald" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("systemd-journald is not installed. Install it with: apt-get install -y --no-install-recommends systemd");
        string dir = System.IO.Directory.CreateTempSubdirectory("openum-journald-").FullName;
        string runLog = System.IO.Directory.CreateDirectory(Path.Combine(dir, "run-log")).FullName;
        string script = Path.Combine(dir, "namespace.sh");
        // Runs inside the new namespace: the mounts vanish with it. journald stops with SIGTERM to the shell.
        await File.WriteAllTextAsync(script, """
            set -e
            mount -t tmpfs -o mode=0755 tmpfs /run/systemd
            mount --bind "$1" /run/log
            if [ -d /var/log/journal ]; then mount -t tmpfs tmpfs /var/log/journal; fi
            "$2" &
            journald=$!
            trap 'kill -TERM $journald; wait $journald; exit 0' TERM INT
            wait $journald
            """);
        var ns = ChildProcess.Start(unshare, ["-m", "--propagation", "private", "sh", script, runLog, journald]);
        var journal = new PrivateJournald(ns, dir, log);
        var deadline = DateTime.UtcNow + StartHangGuard;
        while (!File.Exists(journal.SocketFromOutside) || journal.JournalDirectory() is null)
        {
            if (ns.HasExited || DateTime.UtcNow > deadline)
            {
                string why = ns.HasExited ? $"exited with {ns.ExitCode}" : $"made no socket within {StartHangGuard.TotalSeconds:0} s";
                string output = $"{ns.StdOut}\n{ns.StdErr}";
                await journal.DisposeAsync();
                throw new InvalidOperationException($"journald in its namespace {why}:\n{output}");
            }
            await Task.Delay(50);
        }
        log?.WriteLine($"journald running in the mount namespace of pid {ns.Id}, journal in {journal.JournalDirectory()}");
        return journal;
    }

    /// <summary>run-log/journal/&lt;machine-id&gt;, once journald has created it.</summary>
    public string? JournalDirectory()
    {
        string root = Path.Combine(Directory, "run-log", "journal");
        return System.IO.Directory.Exists(root) ? System.IO.Directory.GetDirectories(root).FirstOrDefault() : null;
    }

    /// <summary>The nsenter arguments that run <paramref name="args"/> inside the namespace.</summary>
    public string[] Inside(params string[] args) => ["-t", NamespacePid.ToString(), "-m", "--", .. args];

    /// <summary>Runs a command inside the namespace to completion.</summary>
    public async Task<ProcessResult> RunInsideAsync(TimeSpan hangGuard, params string[] args)
    {
        var result = await ChildProcess.RunAsync(Peers.Require("nsenter", "util-linux"), Inside(args), hangGuard);
        _log?.WriteLine(result.Describe());
        return result;
    }

    /// <summary>Entries with SYSLOG_IDENTIFIER=openum (and the given journalctl matches), read from the journal files.</summary>
    public async Task<List<JsonElement>> ReadAsync(params string[] matches)
    {
        string dir = JournalDirectory() ?? throw new InvalidOperationException("journald has no journal directory");
        var result = await ChildProcess.RunAsync(Peers.Require("journalctl", "systemd"),
            ["-D", dir, "-t", "openum", "-o", "json", "--all", "--no-pager", "-q", .. matches], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, "journalctl failed:\n" + result.Describe());
        var entries = new List<JsonElement>();
        foreach (string line in result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            entries.Add(JsonDocument.Parse(line).RootElement.Clone());
        return entries;
    }

    /// <summary>Waits (hang guard) until an openum entry with EVENT_ID=<paramref name="id"/> is in the journal.</summary>
    public async Task<JsonElement> WaitForAsync(int id, TimeSpan hangGuard, Func<JsonElement, bool>? match = null)
    {
        var deadline = DateTime.UtcNow + hangGuard;
        while (true)
        {
            var found = (await ReadAsync($"EVENT_ID={id}")).Where(e => match is null || match(e)).ToList();
            if (found.Count > 0)
                return found[^1];
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"no journal entry with EVENT_ID={id} within {hangGuard.TotalSeconds:0} s; openum entries:\n" +
                    string.Join('\n', (await ReadAsync()).Select(e => Field(e, "MESSAGE"))));
            await Task.Delay(200);
        }
    }

    /// <summary>A field of a journalctl JSON entry as text ("" when absent).</summary>
    public static string Field(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    /// <summary>Stops journald (SIGTERM, then kill), which ends the namespace and its mounts, and removes the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        _namespace.Terminate();
        if (!await _namespace.WaitForExitAsync(TimeSpan.FromSeconds(15)))
            _log?.WriteLine("journald's namespace ignored SIGTERM for 15 s: killed");
        await _namespace.DisposeAsync();
        if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") == "1")
            _log?.WriteLine($"kept journal directory {Directory}");
        else
            try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
