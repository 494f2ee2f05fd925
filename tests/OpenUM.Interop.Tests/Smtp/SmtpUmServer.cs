using System.Diagnostics;
using System.Text.Json;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Smtp;

/// <summary>
/// <c>openum serve</c> delivering through a <see cref="PostfixSmartHost"/>: standard configuration, the test
/// CA trusted, um.crt bound (the client certificate Postfix verifies), smart host localhost:PORT with
/// STARTTLS and 1-2 s retries. Owns its serve processes so a test can kill -9 one and start another on the
/// same data directory; CLI and events come from an <see cref="OpenUmProcess"/> that is never started.
/// </summary>
public sealed class SmtpUmServer : IAsyncDisposable
{
    private readonly ITestOutputHelper _log;
    private ChildProcess? _serve;
    private int _starts;

    private SmtpUmServer(ITestOutputHelper log) => (_log, Um) = (log, new OpenUmProcess(log));

    /// <summary>CLI, events and data directory.</summary>
    public OpenUmProcess Um { get; }
    /// <summary>SIP TCP port.</summary>
    public int SipPort { get; } = TestPorts.FreeListenerPort();
    private readonly (int First, int Last) _rtp = TestPorts.RtpRange(300);

    /// <summary>Configures the server for <paramref name="smartHost"/>; extra `server set` options may follow.</summary>
    public static async Task<SmtpUmServer> CreateAsync(ITestOutputHelper log, TestPki pki, PostfixSmartHost smartHost, params string[] serverSet)
    {
        var s = new SmtpUmServer(log);
        // The part every smart-host test shares is made by the CLI once per run and copied (ConfiguredDataTemplates).
        await ConfiguredDataTemplates.ApplyAsync("smtp-client", s.Um, async data =>
        {
            await data.ConfigureStandardByCliAsync();
            await data.CliOkAsync("cert", "trust", pki.CaCrt);
            await data.CliOkAsync("cert", "import", pki.Crt("um"), "--key", pki.Key("um"));
            using var um = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(pki.Crt("um"));
            var list = await data.CliOkAsync("cert", "list", "--json");
            using var doc = JsonDocument.Parse(list.StdOut);
            string thumbprint = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("thumbprint").GetString() ?? "")
                .First(t => string.Equals(t.Replace(":", ""), um.Thumbprint, StringComparison.OrdinalIgnoreCase));
            await data.CliOkAsync("cert", "enable", thumbprint);
        }, log);
        await s.Um.CliOkAsync(["server", "set", "--smart-host", $"localhost:{smartHost.Port}", "--smart-host-tls", "StartTls",
            "--smart-host-retry-interval", "1", "--smart-host-max-retry-interval", "2", .. serverSet]);
        return s;
    }

    /// <summary>Starts a serve process and waits for its event 1114.</summary>
    public async Task StartAsync()
    {
        int before = Um.ReadEvents().Count(e => e.Id == 1114);
        _serve = ChildProcess.Start(OpenUmProcessDotNet, [OpenUmDll, "serve", "--sip-tcp-port", SipPort.ToString(), "--rtp-ports", $"{_rtp.First}-{_rtp.Last}",
            "--listen-address", "127.0.0.1", "--fqdn", TestPki.UmName, "--data-dir", Um.DataDir]);
        _starts++;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Um.ReadEvents().Count(e => e.Id == 1114) <= before)
        {
            if (_serve.HasExited || DateTime.UtcNow > deadline)
                Assert.Fail($"openum serve (start {_starts}) did not reach event 1114\n{Diagnostics}");
            await Task.Delay(100);
        }
    }

    /// <summary>kill -9 of the serve process.</summary>
    public async Task KillAsync()
    {
        Assert.NotNull(_serve);
        Process.GetProcessById(_serve.Id).Kill();
        Assert.True(await _serve.WaitForExitAsync(TimeSpan.FromSeconds(10)), "openum serve survived SIGKILL");
        _log.WriteLine($"killed openum serve pid {_serve.Id}");
    }

    /// <summary>SIGTERM; the exit code must be 0.</summary>
    public async Task StopAsync()
    {
        Assert.NotNull(_serve);
        _serve.Terminate();
        Assert.True(await _serve.WaitForExitAsync(TimeSpan.FromSeconds(30)), "openum serve ignored SIGTERM\n" + Diagnostics);
        Assert.True(_serve.ExitCode == 0, $"openum serve exited with {_serve.ExitCode}\n{Diagnostics}");
    }

    /// <summary>`openum outbox list --json`.</summary>
    public async Task<JsonElement[]> OutboxAsync()
    {
        var r = await Um.CliOkAsync("outbox", "list", "--json");
        using var doc = JsonDocument.Parse(r.StdOut);
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    /// <summary>Events and server output, for failure messages.</summary>
    public string Diagnostics => Um.EventsText() + "\n" + (_serve is null ? "" :
        $"--- serve stdout ---\n{ProcessResult.Tail(_serve.StdOut)}\n--- stderr ---\n{ProcessResult.Tail(_serve.StdErr)}");

    private static string OpenUmDll => Path.Combine(AppContext.BaseDirectory, "openum.dll");

    private static string OpenUmProcessDotNet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_serve is not null)
        {
            if (!_serve.HasExited)
            {
                _serve.Terminate();
                await _serve.WaitForExitAsync(TimeSpan.FromSeconds(15));
            }
            _log.WriteLine(Diagnostics);
            await _serve.DisposeAsync();
        }
        TestPorts.Release(_rtp);
        await Um.DisposeAsync();
    }
}
