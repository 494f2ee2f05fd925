using System.Globalization;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Hostile;

/// <summary>
/// The server at its descriptor limit must keep running the work it has, which needs no new descriptor. On Linux
/// every thread the .NET runtime starts first waits on a pipe(2) of its own, so at the limit no thread can start:
/// a server that needs a new thread pool thread then dies with "Out of memory." (the thread pool lets the
/// OutOfMemoryException of the failed start out of the runtime's timer thread). Here the limit is cut to the lowest
/// free descriptor of an idle server, whose idle pool threads would normally have retired, while the configuration
/// store is polled every second.
/// </summary>
public sealed class DescriptorLimitTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task At_its_descriptor_limit_an_idle_server_keeps_running_its_timers_and_lives()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync(serverCertificate: null);
        // Idle thread pool threads retire after 20 s; 200 ms lets a server whose threads may retire be caught needing
        // a new one within this test (the store poll, once a second, runs on the pool).
        await server.StartAsync("TLS", variables: new Dictionary<string, string> { ["DOTNET_ThreadPool_ThreadTimeoutMs"] = "200" });
        await Task.Delay(TimeSpan.FromSeconds(2));
        int pid = server.ServerPid;
        var (soft, hard) = OpenFilesLimit(pid);
        int lowestFree = LowestFreeDescriptor(pid);
        int before = server.Um.ReadEvents().Count;

        // From now on every open(2), socket(2), accept(2) and pipe(2) of the server fails with EMFILE.
        await PrlimitAsync(pid, $"{lowestFree}:{hard}");
        try
        {
            // The poll cannot open the store (2008, written to events.jsonl, which is open already): the server ran
            // timer work on its thread pool at the limit.
            var deadline = DateTime.UtcNow + HangGuard;
            while (!server.EventsSince(before, 2008).Any())
            {
                Assert.True(server.Running, "openum serve died at its descriptor limit\n" + server.Diagnostics);
                Assert.True(DateTime.UtcNow < deadline, $"no event 2008 (store poll failed) within {HangGuard.TotalSeconds:0} s at the limit\n{server.Diagnostics}");
                await Task.Delay(200);
            }
            // A few more polls at the limit.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.True(server.Running, "openum serve died at its descriptor limit\n" + server.Diagnostics);
        }
        finally
        {
            if (server.Running) await PrlimitAsync(pid, $"{soft}:{hard}");
        }
        output.WriteLine($"limit cut from {soft} to {lowestFree} (hard {hard}); event: {server.EventsSince(before, 2008)[0].Raw}");
        await server.AssertCleanStopAsync();
    }

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
