using System.Net.Sockets;
using System.Text;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Systemd;

/// <summary>
/// What systemd sees of the real server under <c>Type=notify</c>, <c>WatchdogSec=</c> and <c>ExecReload=kill -HUP</c>,
/// through the socket systemd would give it (NOTIFY_SOCKET, sd_notify(3)): CI has no running systemd, so the test plays
/// its part. READY=1 comes once the TLS listener accepts connections, WATCHDOG=1 keeps coming, SIGHUP (systemctl reload)
/// is RELOADING=1 … READY=1 and serves a certificate imported meanwhile to the next handshake, and SIGTERM is STOPPING=1
/// then a clean exit.
/// </summary>
public sealed class ServiceManagerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task NotifiesReadyWatchdogReloadAndStoppingAndReloadServesANewCertificate()
    {
        string work = System.IO.Directory.CreateTempSubdirectory("openum-notify-").FullName;
        try
        {
            string socketPath = Path.Combine(work, "notify");
            using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            systemd.Bind(new UnixDomainSocketEndPoint(socketPath));

            await using var server = await TlsUmServer.CreateAsync(output);
            // No certificate of its own: the server generates a self-signed one at start.
            await server.ConfigureSecuredAsync(serverCertificate: null);
            // Whoever takes the first datagram connects at once: READY must mean the listener is there.
            var ready = ReadyAndConnectAsync(systemd, server.TlsPort, server.Um);
            await server.StartAsync("TLS", variables: new Dictionary<string, string>
            {
                ["NOTIFY_SOCKET"] = socketPath,
                ["WATCHDOG_USEC"] = "400000", // 0.4 s: a ping every 0.2 s
            });
            var (first, connected, listeningLogged) = await ready;
            Assert.StartsWith("READY=1\n", first);
            Assert.Contains($"MAINPID={server.ServerPid}", first);
            Assert.Contains("STATUS=TLS mode", first);
            Assert.True(connected, $"READY=1 came before the TLS listener accepted a connection:\n{first}\n{server.Diagnostics}");
            // Events are written synchronously and 1114 follows the bind: a READY sent before it would find no 1114.
            Assert.True(listeningLogged, $"READY=1 came before event 1114 (listening) was written:\n{first}\n{server.Diagnostics}");

            // The watchdog keeps being fed (two pings after READY, whatever else arrives).
            int pings = 0;
            while (pings < 2)
                if (await ReceiveAsync(systemd, "WATCHDOG=1") == "WATCHDOG=1") pings++;

            string selfSigned = (await ProbeAsync(server, verify: false)).Thumbprint;
            using (var um = server.Pki.Load("um"))
                Assert.NotEqual(um.Thumbprint, selfSigned);

            // A CA-issued certificate arrives in the store (no configuration change); systemctl reload takes it now
            // rather than at the next minute's housekeeping.
            await server.Um.CliOkAsync("cert", "import", server.Pki.Crt("um"), "--key", server.Pki.Key("um"));
            int before = server.Um.ReadEvents().Count;
            Assert.True(Posix.Signal(server.ServerPid, Posix.SIGHUP), "SIGHUP could not be sent");
            string reloading = await ReceiveNotWatchdogAsync(systemd);
            Assert.StartsWith("RELOADING=1\nMONOTONIC_USEC=", reloading);
            string reloaded = await ReceiveNotWatchdogAsync(systemd);
            Assert.StartsWith("READY=1\n", reloaded);
            var reload = await server.WaitForEventSinceAsync(before, 2090, null, HangGuard, "reload after SIGHUP");
            using (var um = server.Pki.Load("um"))
            {
                Assert.Contains(um.Thumbprint, reload.Property("certificate"), StringComparison.OrdinalIgnoreCase);
                var probe = await ProbeAsync(server, verify: true);
                Assert.Equal(um.Thumbprint, probe.Thumbprint);
            }
            Assert.True(server.Running, "SIGHUP ended the server\n" + server.Diagnostics);

            await server.AssertCleanStopAsync();
            Assert.StartsWith("STOPPING=1\n", await ReceiveNotWatchdogAsync(systemd));
            Assert.Contains(server.Um.ReadEvents(), e => e.Id == 2091 && e.Property("activeCalls") == "0");
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<(string Message, bool Connected, bool ListeningLogged)> ReadyAndConnectAsync(Socket systemd, int port, OpenUmProcess um)
    {
        string message = await ReceiveAsync(systemd, "READY=1");
        bool logged = um.ReadEvents().Any(e => e.Id == 1114);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return (message, true, logged);
        }
        catch (SocketException)
        {
            return (message, false, logged);
        }
    }

    private static async Task<string> ReceiveNotWatchdogAsync(Socket systemd)
    {
        while (true)
        {
            string message = await ReceiveAsync(systemd, "a state other than WATCHDOG=1");
            if (message != "WATCHDOG=1") return message;
        }
    }

    private static async Task<string> ReceiveAsync(Socket systemd, string waitingFor)
    {
        var buffer = new byte[4096];
        using var guard = new CancellationTokenSource(HangGuard);
        try
        {
            int n = await systemd.ReceiveAsync(buffer, SocketFlags.None, guard.Token);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no datagram on NOTIFY_SOCKET within {HangGuard.TotalSeconds:0} s (waiting for {waitingFor})");
            throw;
        }
    }

    private async Task<(string Thumbprint, ProbeResult Probe)> ProbeAsync(TlsUmServer server, bool verify)
    {
        var probe = await OpenSslProbe.OptionsAsync(server.TlsPort, server.Pki, server.Pki.Crt("gw1"), server.Pki.Key("gw1"),
            verifyServer: verify, log: output);
        Assert.True(probe.ServerCertificate is not null, $"no server certificate from the TLS port\n{probe.Describe()}\n{server.Diagnostics}");
        return (probe.ServerCertificate.Thumbprint, probe);
    }
}
