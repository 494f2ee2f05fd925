using System.Net.Sockets;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// One private Debian Kamailio: a port picked from the interop block 38000-38999, its configuration written into a
/// temporary directory, the process in the foreground (so Dispose stops exactly it) and a wait until it accepts TCP
/// connections. <see cref="KamailioProxy"/> and <see cref="KamailioRegistrar"/> differ only in the configuration.
/// </summary>
public sealed class KamailioProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartGuard = TimeSpan.FromSeconds(20);
    private readonly ChildProcess _process;
    private readonly string _work;
    private readonly string _name;
    private readonly ITestOutputHelper? _log;

    private KamailioProcess(ChildProcess process, string work, int port, string name, ITestOutputHelper? log) =>
        (_process, _work, Port, _name, _log) = (process, work, port, name, log);

    /// <summary>The port the configuration listens on.</summary>
    public int Port { get; }

    /// <summary>Kamailio's log so far (stderr; one line per request it routed).</summary>
    public string Log => _process.StdErr + _process.StdOut;

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>
    /// Starts Kamailio with the configuration <paramref name="config"/> writes for a port and a working directory (it
    /// returns the main file), and waits until <paramref name="probeAddress"/>:port accepts connections (hang guard 20 s).
    /// </summary>
    public static async Task<KamailioProcess> StartAsync(string name, string packages, string probeAddress, Func<int, string, string> config,
        ITestOutputHelper? log)
    {
        string kamailio = Peers.Require("kamailio", packages);
        int port = PickPort();
        string work = System.IO.Directory.CreateTempSubdirectory($"openum-{name}-").FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(work, "run"));
        string cfg = config(port, work);
        // -DD: stays in the foreground, so the process started is the one Dispose stops; -E: log to stderr.
        var process = ChildProcess.Start(kamailio, ["-f", cfg, "-Y", Path.Combine(work, "run"), "-w", work, "-m", "64", "-M", "8", "-DD", "-E"], work);
        var started = new KamailioProcess(process, work, port, name, log);
        try
        {
            await started.WaitListeningAsync(probeAddress);
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
        return started;
    }

    /// <summary>Stops Kamailio (SIGTERM, then kill), writes the end of its log, and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Terminate();
            if (!await _process.WaitForExitAsync(TimeSpan.FromSeconds(10)))
                _log?.WriteLine("kamailio ignored SIGTERM for 10 s: killed");
        }
        _log?.WriteLine($"--- kamailio {_name} log ---\n" + ProcessResult.Tail(Log));
        await _process.DisposeAsync();
        if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
            System.IO.Directory.Delete(_work, recursive: true);
    }

    private async Task WaitListeningAsync(string address)
    {
        var deadline = DateTime.UtcNow + StartGuard;
        while (true)
        {
            using (var probe = new TcpClient())
            {
                try
                {
                    await probe.ConnectAsync(address, Port);
                    return;
                }
                catch (SocketException) { }
            }
            if (_process.HasExited)
                throw new InvalidOperationException($"kamailio exited with {_process.ExitCode} before listening\n{Log}");
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"kamailio not listening on {address}:{Port} within {StartGuard.TotalSeconds:0} s\n{Log}");
            await Task.Delay(100);
        }
    }

    // Interop tests with Kamailio use 38000-38999 (a taken port is skipped, a picked one claimed).
    private static int PickPort() => TestPorts.ClaimBlock(38000, 38999);
}
