using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Tls;

/// <summary>
/// stunnel in client mode, in the foreground under this process: every plain-TCP connection to
/// 127.0.0.1:<see cref="AcceptPort"/> becomes a new mutual-TLS connection to the server, presenting a
/// client certificate and checking the server's against the CA and um.example.test. This is how Debian's
/// SIPp (no TLS) talks to the TLS port. Dispose stops it.
/// </summary>
public sealed class StunnelClient : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _work;

    private StunnelClient(ChildProcess process, string work, int acceptPort)
    {
        _process = process;
        _work = work;
        AcceptPort = acceptPort;
    }

    /// <summary>Where the plain-TCP client connects.</summary>
    public int AcceptPort { get; }

    /// <summary>stunnel's log so far.</summary>
    public string Log => $"--- stunnel ---\n{ProcessResult.Tail(_process.StdOut + _process.StdErr, 4000)}";

    /// <summary>
    /// Starts stunnel and waits until its accept port takes connections; with <paramref name="source"/> its TLS
    /// connections come from that loopback address (a gateway's own address, or a stranger's).
    /// </summary>
    public static async Task<StunnelClient> StartAsync(int targetPort, string certFile, string keyFile, string caFile, string? source = null)
    {
        string stunnel = Peers.Require("stunnel4", "stunnel4");
        string work = System.IO.Directory.CreateTempSubdirectory("openum-stunnel-").FullName;
        int accept = TlsPorts.One();
        string conf = Path.Combine(work, "stunnel.conf");
        File.WriteAllText(conf, string.Join('\n',
            "foreground = yes",
            "pid =",
            "debug = 5",
            "syslog = no",
            "[sip-tls]",
            "client = yes",
            $"accept = 127.0.0.1:{accept}",
            $"connect = 127.0.0.1:{targetPort}",
            source is null ? "" : $"local = {source}",
            $"cert = {certFile}",
            $"key = {keyFile}",
            $"CAfile = {caFile}",
            "verifyChain = yes",
            $"checkHost = {TestPki.UmName}",
            $"sni = {TestPki.UmName}",
            "sslVersionMin = TLSv1.2",
            ""));
        var process = ChildProcess.Start(stunnel, [conf], work);
        var client = new StunnelClient(process, work, accept);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        // Bound = the port can no longer be bound here (no test connection: that would open a TLS session).
        while (TestPorts.ListenerFree(accept))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                string log = client.Log;
                await client.DisposeAsync();
                throw new InvalidOperationException($"stunnel did not listen on 127.0.0.1:{accept} (exited={process.HasExited})\n{log}");
            }
            await Task.Delay(100);
        }
        return client;
    }

    /// <summary>Stops stunnel (SIGTERM, then kill) and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Terminate();
            await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        await _process.DisposeAsync();
        if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
            try { System.IO.Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }
}
