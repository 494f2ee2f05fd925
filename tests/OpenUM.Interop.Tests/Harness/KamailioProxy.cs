using System.Globalization;
using System.Net.Sockets;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// Debian's Kamailio 5.6 as a gateway in front of a phone: a stateful proxy that accepts SIP only over mutual TLS
/// (a client certificate from the test PKI required and verified) and relays every call over TLS to one phone.
/// It listens on the same port of two loopback addresses: <see cref="Address"/> presents gw1.crt
/// (gw1.example.test), <see cref="WrongNameAddress"/> presents wrongname.crt (a valid chain naming another host),
/// so one process serves both a good gateway and one whose certificate does not carry its name.
/// Its configuration is generated into a private temporary directory; Dispose stops exactly its process.
/// </summary>
public sealed class KamailioProxy : IAsyncDisposable
{
    /// <summary>Where the gateway with the right certificate listens.</summary>
    public const string Address = "127.0.0.20";

    /// <summary>Where the same proxy presents a certificate naming another host.</summary>
    public const string WrongNameAddress = "127.0.0.21";

    /// <summary>The user part every new call is relayed to (the account of <see cref="BaresipPhone"/>).</summary>
    public const string PhoneUser = "interop";

    private static readonly TimeSpan StartGuard = TimeSpan.FromSeconds(20);
    private readonly ChildProcess _process;
    private readonly string _work;
    private readonly ITestOutputHelper? _log;

    private KamailioProxy(ChildProcess process, string work, int port, ITestOutputHelper? log) =>
        (_process, _work, Port, _log) = (process, work, port, log);

    /// <summary>The TLS port (on both addresses).</summary>
    public int Port { get; }

    /// <summary>Kamailio's log so far (stderr; one line per request it routed).</summary>
    public string Log => _process.StdErr + _process.StdOut;

    /// <summary>
    /// Starts the proxy relaying to the phone at sip:interop@127.0.0.1:<paramref name="phoneTlsPort"/> over TLS and waits until it
    /// accepts connections (hang guard 20 s).
    /// </summary>
    public static async Task<KamailioProxy> StartAsync(TestPki pki, int phoneTlsPort, ITestOutputHelper? log = null)
    {
        string kamailio = Peers.Require("kamailio", "kamailio kamailio-tls-modules");
        int port = PickPort();
        string work = System.IO.Directory.CreateTempSubdirectory("openum-kamailio-").FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(work, "run"));
        string tlsCfg = Path.Combine(work, "tls.cfg");
        File.WriteAllText(tlsCfg, TlsConfig(pki, port));
        string cfg = Path.Combine(work, "kamailio.cfg");
        File.WriteAllText(cfg, Config(port, phoneTlsPort, tlsCfg));
        // -DD: stays in the foreground, so the process started is the one Dispose stops; -E: log to stderr.
        // One TCP/TLS worker: Debian's 5.6.3 with OpenSSL 3 crashes with more (kamailio issue #3791).
        var process = ChildProcess.Start(kamailio, ["-f", cfg, "-Y", Path.Combine(work, "run"), "-w", work, "-m", "64", "-M", "8", "-DD", "-E"], work);
        var proxy = new KamailioProxy(process, work, port, log);
        try
        {
            await proxy.WaitListeningAsync();
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }
        log?.WriteLine($"kamailio pid {process.Id}: TLS {Address}:{port} (gw1.example.test), {WrongNameAddress}:{port} (wrongname), relaying to 127.0.0.1:{phoneTlsPort}");
        return proxy;
    }

    /// <summary>Stops the proxy (SIGTERM, then kill) and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Terminate();
            if (!await _process.WaitForExitAsync(TimeSpan.FromSeconds(10)))
                _log?.WriteLine("kamailio ignored SIGTERM for 10 s: killed");
        }
        _log?.WriteLine("--- kamailio log ---\n" + ProcessResult.Tail(Log));
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

    // Interop tests with Kamailio use 38000-38999.
    private static int PickPort()
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            int port = 38000 + Random.Shared.Next(0, 1000);
            if (TestPorts.ListenerFree(port)) return port;
        }
        throw new InvalidOperationException("no free port in 38000-38999");
    }

    // Stateful relay: INVITEs are record-routed so the ACK and BYE of the dialog come back through the proxy (and its TLS
    // connection); everything else in a dialog follows its Route; new requests go to the phone.
    private static string Config(int port, int phoneTlsPort, string tlsCfg) => string.Create(CultureInfo.InvariantCulture, $$"""
        #!KAMAILIO
        debug=2
        log_stderror=yes
        children=1
        tcp_children=1
        auto_aliases=no
        listen=tls:{{Address}}:{{port}}
        listen=tls:{{WrongNameAddress}}:{{port}}
        enable_tls=yes
        tcp_accept_no_cl=yes
        dns=no
        rev_dns=no
        use_dns_cache=off

        loadmodule "tls.so"
        loadmodule "sl.so"
        loadmodule "tm.so"
        loadmodule "rr.so"
        loadmodule "siputils.so"
        loadmodule "pv.so"
        loadmodule "xlog.so"

        modparam("tls", "config", "{{tlsCfg}}")

        request_route {
            xlog("L_NOTICE", "openum-proxy: $rm $ru from $si:$sp over $pr\n");
            if (has_totag()) {
                if (loose_route() || method == "ACK") {
                    t_relay();
                    exit;
                }
                sl_send_reply("404", "Not Here");
                exit;
            }
            if (method == "CANCEL") {
                if (t_check_trans()) t_relay();
                exit;
            }
            if (method == "INVITE") record_route();
            # The phone answers calls to its own account; a gateway maps the dialed number to it.
            $rU = "{{PhoneUser}}";
            $du = "sip:127.0.0.1:{{phoneTlsPort}};transport=tls";
            if (!t_relay()) sl_reply_error();
        }
        """);

    private static string TlsConfig(TestPki pki, int port) => string.Create(CultureInfo.InvariantCulture, $"""
        [server:default]
        method = TLSv1.2+
        verify_certificate = yes
        require_certificate = yes
        certificate = {pki.Crt("gw1")}
        private_key = {pki.Key("gw1")}
        ca_list = {pki.CaCrt}

        [server:{Address}:{port}]
        method = TLSv1.2+
        verify_certificate = yes
        require_certificate = yes
        certificate = {pki.Crt("gw1")}
        private_key = {pki.Key("gw1")}
        ca_list = {pki.CaCrt}

        [server:{WrongNameAddress}:{port}]
        method = TLSv1.2+
        verify_certificate = yes
        require_certificate = yes
        certificate = {pki.Crt("wrongname")}
        private_key = {pki.Key("wrongname")}
        ca_list = {pki.CaCrt}

        [client:default]
        method = TLSv1.2+
        verify_certificate = yes
        require_certificate = yes
        certificate = {pki.Crt("gw1")}
        private_key = {pki.Key("gw1")}
        ca_list = {pki.CaCrt}

        """);
}
