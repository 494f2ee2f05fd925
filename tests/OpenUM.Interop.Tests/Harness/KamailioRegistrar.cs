using System.Globalization;
using System.Net.Sockets;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// Debian's Kamailio 5.6 as the registrar and proxy in front of OpenUM, over plain TCP on 127.0.0.1 (an Unsecured dial
/// plan): phones register at it, their SUBSCRIBE to message-summary goes on to OpenUM record-routed (so the in-dialog
/// NOTIFYs and re-SUBSCRIBEs pass through it), and it answers the unsolicited NOTIFYs OpenUM sends the gateway itself.
/// It tells the phone a short subscription expiry (<see cref="PhoneExpires"/>) in the 200 and NOTIFYs it relays — as a
/// session border controller may — so the phone's refresh comes within seconds; OpenUM still grants what the phone asked.
/// Its configuration is generated into a private temporary directory; Dispose stops exactly its process.
/// </summary>
public sealed class KamailioRegistrar : IAsyncDisposable
{
    /// <summary>Where the registrar listens (TCP).</summary>
    public const string Address = "127.0.0.1";

    /// <summary>The subscription expiry, in seconds, the phone is told (it refreshes at 90 % of it).</summary>
    public const int PhoneExpires = 4;

    /// <summary>What Kamailio logs for each answered in-dialog SUBSCRIBE: "{RefreshLine} STATUS".</summary>
    public const string RefreshLine = "openum-registrar: re-SUBSCRIBE answered";

    private static readonly TimeSpan StartGuard = TimeSpan.FromSeconds(20);
    private readonly ChildProcess _process;
    private readonly string _work;
    private readonly ITestOutputHelper? _log;

    private KamailioRegistrar(ChildProcess process, string work, int port, ITestOutputHelper? log) =>
        (_process, _work, Port, _log) = (process, work, port, log);

    /// <summary>The TCP port.</summary>
    public int Port { get; }

    /// <summary>Kamailio's log so far (stderr; one line per request it routed and per SUBSCRIBE answer).</summary>
    public string Log => _process.StdErr + _process.StdOut;

    /// <summary>Starts the registrar forwarding message-summary SUBSCRIBEs to OpenUM on 127.0.0.1:<paramref name="umSipPort"/> (TCP) and waits until it accepts connections (hang guard 20 s).</summary>
    public static async Task<KamailioRegistrar> StartAsync(int umSipPort, ITestOutputHelper? log = null)
    {
        string kamailio = Peers.Require("kamailio", "kamailio");
        int port = PickPort();
        string work = System.IO.Directory.CreateTempSubdirectory("openum-registrar-").FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(work, "run"));
        string cfg = Path.Combine(work, "kamailio.cfg");
        File.WriteAllText(cfg, Config(port, umSipPort));
        // -DD: stays in the foreground, so the process started is the one Dispose stops; -E: log to stderr.
        var process = ChildProcess.Start(kamailio, ["-f", cfg, "-Y", Path.Combine(work, "run"), "-w", work, "-m", "64", "-M", "8", "-DD", "-E"], work);
        var registrar = new KamailioRegistrar(process, work, port, log);
        try
        {
            await registrar.WaitListeningAsync();
        }
        catch
        {
            await registrar.DisposeAsync();
            throw;
        }
        log?.WriteLine($"kamailio pid {process.Id}: registrar on tcp {Address}:{port}, message-summary to 127.0.0.1:{umSipPort}");
        return registrar;
    }

    /// <summary>Stops the registrar (SIGTERM, then kill) and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Terminate();
            if (!await _process.WaitForExitAsync(TimeSpan.FromSeconds(10)))
                _log?.WriteLine("kamailio ignored SIGTERM for 10 s: killed");
        }
        _log?.WriteLine("--- kamailio registrar log ---\n" + ProcessResult.Tail(Log));
        await _process.DisposeAsync();
        if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
            System.IO.Directory.Delete(_work, recursive: true);
    }

    private async Task WaitListeningAsync()
    {
        var deadline = DateTime.UtcNow + StartGuard;
        while (true)
        {
            using (var probe = new TcpClient())
            {
                try
                {
                    await probe.ConnectAsync(Address, Port);
                    return;
                }
                catch (SocketException) { }
            }
            if (_process.HasExited)
                throw new InvalidOperationException($"kamailio exited with {_process.ExitCode} before listening\n{Log}");
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"kamailio not listening on {Address}:{Port} within {StartGuard.TotalSeconds:0} s\n{Log}");
            await Task.Delay(100);
        }
    }

    // Interop tests with Kamailio use 38000-38999 (KamailioProxy picks at random there too; a taken port is skipped).
    private static int PickPort()
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            int port = 38000 + Random.Shared.Next(0, 1000);
            if (TestPorts.ListenerFree(port)) return port;
        }
        throw new InvalidOperationException("no free port in 38000-38999");
    }

    // REGISTER is saved in memory (no authentication: loopback only); a new SUBSCRIBE to message-summary is record-routed
    // to OpenUM; in-dialog requests follow their Route; an out-of-dialog NOTIFY (OpenUM's unsolicited one for the gateway)
    // is answered here; anything else goes to the registered contact.
    private static string Config(int port, int umSipPort) => string.Create(CultureInfo.InvariantCulture, $$"""
        #!KAMAILIO
        debug=2
        log_stderror=yes
        children=1
        tcp_children=1
        auto_aliases=no
        listen=tcp:{{Address}}:{{port}}
        tcp_accept_no_cl=yes
        dns=no
        rev_dns=no
        use_dns_cache=off

        loadmodule "sl.so"
        loadmodule "tm.so"
        loadmodule "rr.so"
        loadmodule "siputils.so"
        loadmodule "pv.so"
        loadmodule "xlog.so"
        loadmodule "textops.so"
        loadmodule "usrloc.so"
        loadmodule "registrar.so"

        modparam("usrloc", "db_mode", 0)

        request_route {
            xlog("L_NOTICE", "openum-registrar: $rm $ru cseq=$cs from $si:$sp\n");
            if (is_method("REGISTER")) {
                if (!save("location")) sl_reply_error();
                exit;
            }
            if (has_totag()) {
                if (loose_route()) {
                    if (is_method("SUBSCRIBE")) t_on_reply("REFRESHED");
                    if (is_method("NOTIFY")) subst_hf("Subscription-State", "/expires=[0-9]+/expires={{PhoneExpires}}/", "a");
                    t_relay();
                    exit;
                }
                if (is_method("ACK")) exit;
                sl_send_reply("404", "Not Here");
                exit;
            }
            if (is_method("SUBSCRIBE") && $hdr(Event) =~ "^message-summary") {
                # The phone's own Route to this proxy (its outbound proxy) is not passed on.
                remove_hf("Route");
                record_route();
                $du = "sip:127.0.0.1:{{umSipPort}};transport=tcp";
                t_on_reply("SUBSCRIBED");
                if (!t_relay()) sl_reply_error();
                exit;
            }
            if (is_method("NOTIFY")) {
                sl_send_reply("200", "OK");
                exit;
            }
            if (!lookup("location")) {
                sl_send_reply("404", "Not Found");
                exit;
            }
            t_relay();
        }

        onreply_route[SUBSCRIBED] {
            xlog("L_NOTICE", "openum-registrar: SUBSCRIBE answered $rs\n");
            if (status =~ "^2") {
                remove_hf("Expires");
                append_hf("Expires: {{PhoneExpires}}\r\n");
            }
        }

        onreply_route[REFRESHED] {
            xlog("L_NOTICE", "{{RefreshLine}} $rs\n");
            if (status =~ "^2") {
                remove_hf("Expires");
                append_hf("Expires: {{PhoneExpires}}\r\n");
            }
        }
        """);
}
