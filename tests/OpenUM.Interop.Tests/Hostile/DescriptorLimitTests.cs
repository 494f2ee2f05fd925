using System.Globalization;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Hostile;

/// <summary>
/// The server at its descriptor limit must keep running the work it has, which needs no new descriptor. On Linux
/// every thread the .NET runtime starts first waits on a pipe(2) of its own, so at the limit no thread can start:
/// a server that then needs a new thread pool thread, or tiered compilation's background thread, dies with
/// "Out of memory." (the OutOfMemoryException of the failed start reaches the runtime's timer thread, or whichever
/// call wanted the thread). So the server starts its pool threads at once and keeps them, and keeps tiered
/// compilation's thread for good. Here the limit is cut to the lowest free descriptor of an idle server, whose idle
/// threads would normally have exited, while its timers go on (the store poll every second, the outbox worker's
/// retry every 2 s).
/// </summary>
public sealed class DescriptorLimitTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task At_its_descriptor_limit_an_idle_server_keeps_running_its_timers_and_lives()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync(serverCertificate: null);
        // Idle thread pool threads exit after 20 s, tiered compilation's after 4 s; these make a server that lets them
        // exit need new ones within this test (timer work runs on the pool, and new code paths get compiled).
        await server.StartAsync("TLS", variables: new Dictionary<string, string>
        {
            ["DOTNET_ThreadPool_ThreadTimeoutMs"] = "200",
            ["DOTNET_TC_BackgroundWorkerTimeoutMs"] = "50",
        });
        await Task.Delay(TimeSpan.FromSeconds(2));
        int pid = server.ServerPid;
        // Tiered compilation's thread is still there, though the environment given said it could exit after 50 ms idle:
        // `openum serve` started again with it kept for good, so it never has to start at the limit.
        Assert.Contains(".NET Tiered Com", ThreadNames(pid));
        Assert.Contains("DOTNET_TC_BackgroundWorkerTimeoutMs=FFFFFFFF", File.ReadAllText($"/proc/{pid}/environ").Split('\0'));
        var (soft, hard) = OpenFilesLimit(pid);
        int lowestFree = LowestFreeDescriptor(pid);
        int before = server.Um.ReadEvents().Count;

        // From now on every open(2), socket(2), accept(2) and pipe(2) of the server fails with EMFILE.
        await PrlimitAsync(pid, $"{lowestFree}:{hard}");
        try
        {
            // The outbox worker cannot open its queue (2025 with EMFILE, written to events.jsonl, which is open
            // already): the server ran timer work on its thread pool at the limit.
            var deadline = DateTime.UtcNow + HangGuard;
            while (!AtTheLimit(server, before).Any())
            {
                Assert.True(server.Running, "openum serve died at its descriptor limit\n" + server.Diagnostics);
                Assert.True(DateTime.UtcNow < deadline, $"no event 2025 (outbox worker: too many open files) within {HangGuard.TotalSeconds:0} s at the limit\n{server.Diagnostics}");
                await Task.Delay(200);
            }
            // A few more rounds of timer work at the limit.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.True(server.Running, "openum serve died at its descriptor limit\n" + server.Diagnostics);
        }
        finally
        {
            if (server.Running) await PrlimitAsync(pid, $"{soft}:{hard}");
        }
        output.WriteLine($"limit cut from {soft} to {lowestFree} (hard {hard}); {AtTheLimit(server, before).Count()} events 2025 at the limit");
        await server.AssertCleanStopAsync();
    }

    private static IEnumerable<ServerEvent> AtTheLimit(TlsUmServer server, int before) =>
        server.EventsSince(before, 2025).Where(e => e.Raw.Contains("Too many open files", StringComparison.Ordinal));

    private static string[] ThreadNames(int pid) =>
        [.. new DirectoryInfo($"/proc/{pid}/task").EnumerateDirectories().Select(t => File.ReadAllText(Path.Combine(t.FullName, "comm")).Trim())];

    // Soft and hard RLIMIT_NOFILE of a process.
    private static (long Soft, long Hard) OpenFilesLimit(int pid)
    {
        string line = File.ReadLines($"/proc/{pid}/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        string[] fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    // The descriptor the process's next open would get: with the limit there, no descriptor can be opened.
    private static int LowestFreeDescriptor(int pid)
    {
        var open = new DirectoryInfo($"/proc/{pid}/fd").EnumerateFileSystemInfos()
            .Select(f => int.Parse(f.Name, CultureInfo.InvariantCulture)).ToHashSet();
        int fd = 0;
        while (open.Contains(fd)) fd++;
        return fd;
    }

    private static async Task PrlimitAsync(int pid, string nofile)
    {
        var result = await ChildProcess.RunAsync(Peers.Require("prlimit", "util-linux"),
            ["--pid", pid.ToString(CultureInfo.InvariantCulture), $"--nofile={nofile}"], TimeSpan.FromSeconds(10));
        Assert.True(result.ExitCode == 0, "prlimit failed\n" + result.Describe());
    }
}
