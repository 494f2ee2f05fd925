using System.Text.Json;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Tls;

/// <summary>One entry of <c>openum cert list --json</c>.</summary>
public sealed record CertEntry(string Thumbprint, string Subject, string Store, bool InUse, string Raw);

/// <summary>
/// The real <c>openum serve</c> with a TLS listener (and optionally TCP), on a private data directory.
/// CLI commands, events and the maildir come from an <see cref="OpenUmProcess"/> that is never started
/// itself; this class owns the serve process. Dispose stops it (SIGTERM, then kill) and removes the data.
/// </summary>
public sealed class TlsUmServer : IAsyncDisposable
{
    /// <summary>Dial plan of the secured configuration.</summary>
    public const string DialPlan = "Secure";

    /// <summary>Mailbox 1000's address.</summary>
    public const string MailboxAddress = OpenUmProcess.MailboxAddress;

    private static readonly TimeSpan StartHangGuard = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper? _log;
    private ChildProcess? _serve;

    private TlsUmServer(ITestOutputHelper? log, TestPki pki)
    {
        _log = log;
        Pki = pki;
        Um = new OpenUmProcess(log);
        var block = TlsPorts.Block(2);
        TcpPort = block.First;
        TlsPort = block.Last;
        RtpPorts = TlsPorts.Block(100);
    }

    /// <summary>CLI, events and maildir of this server's data directory.</summary>
    public OpenUmProcess Um { get; }

    /// <summary>The test PKI.</summary>
    public TestPki Pki { get; }

    /// <summary>SIP TCP port given to serve.</summary>
    public int TcpPort { get; }

    /// <summary>SIP TLS port given to serve.</summary>
    public int TlsPort { get; }

    /// <summary>RTP port range given to serve.</summary>
    public (int First, int Last) RtpPorts { get; }

    /// <summary>Event 1114 of the current run.</summary>
    public ServerEvent? Listening { get; private set; }

    /// <summary>Output of serve so far.</summary>
    public string ServerOutput => _serve is null ? "(server not started)" :
        $"--- openum serve stdout ---\n{ProcessResult.Tail(_serve.StdOut)}\n--- stderr ---\n{ProcessResult.Tail(_serve.StdErr)}";

    /// <summary>Events and server output, for failure messages.</summary>
    public string Diagnostics => Um.EventsText() + "\n" + ServerOutput;

    /// <summary>A fresh data directory and ports; nothing configured or started yet.</summary>
    public static async Task<TlsUmServer> CreateAsync(ITestOutputHelper? log) => new(log, await TestPki.GetAsync());

    /// <summary>
    /// The secured configuration: CA and its CRL trusted, dial plan Secure (<paramref name="voipSecurity"/>,
    /// SipSecured unless given; 4 digits), gateway gw1 (gw1.example.test), mailbox 1000; with
    /// <paramref name="serverCertificate"/> that certificate of the PKI is imported and enabled.
    /// </summary>
    public Task ConfigureSecuredAsync(string? serverCertificate = "um", string voipSecurity = "SipSecured") =>
        ConfiguredDataTemplates.ApplyAsync($"secured|{serverCertificate}|{voipSecurity}", Um,
            um => ConfigureSecuredByCliAsync(um, Pki, serverCertificate, voipSecurity), _log);

    // The secured configuration command by command (made once per run, then copied: ConfiguredDataTemplates).
    internal static async Task ConfigureSecuredByCliAsync(OpenUmProcess um, TestPki pki, string? serverCertificate, string voipSecurity)
    {
        await um.CliOkAsync("cert", "trust", pki.CaCrt);
        await um.CliOkAsync("cert", "trust", "--crl", pki.CaCrl);
        if (serverCertificate is not null)
            await ImportAndEnableAsync(um, pki, serverCertificate);
        await um.CliOkAsync("dialplan", "new", "--name", DialPlan, "--number-of-digits-in-extension", "4", "--voip-security", voipSecurity);
        await um.CliOkAsync("gateway", "new", "--name", "gw1", "--address", TestPki.GatewayName, "--dial-plan", DialPlan);
        await um.CliOkAsync("mailbox", "new", "--extension", "1000", "--dial-plan", DialPlan,
            "--email", MailboxAddress, "--display-name", "User 1000");
    }

    /// <summary><c>cert import NAME.crt --key NAME.key</c> then <c>cert enable</c>; returns the thumbprint.</summary>
    public Task<string> ImportAndEnableAsync(string name) => ImportAndEnableAsync(Um, Pki, name);

    /// <summary><c>cert import NAME.crt --key NAME.key</c> then <c>cert enable</c> in <paramref name="um"/>'s data; returns the thumbprint.</summary>
    internal static async Task<string> ImportAndEnableAsync(OpenUmProcess um, TestPki pki, string name)
    {
        await um.CliOkAsync("cert", "import", pki.Crt(name), "--key", pki.Key(name));
        string thumbprint = await ThumbprintInListAsync(um, pki.Crt(name));
        await um.CliOkAsync("cert", "enable", thumbprint);
        return thumbprint;
    }

    /// <summary>The thumbprint <c>cert list --json</c> shows for the certificate in <paramref name="crtFile"/>.</summary>
    public Task<string> ThumbprintInListAsync(string crtFile) => ThumbprintInListAsync(Um, crtFile);

    private static async Task<string> ThumbprintInListAsync(OpenUmProcess um, string crtFile)
    {
        using var cert = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(crtFile);
        var list = await ListAsync(um);
        var entry = list.FirstOrDefault(e => string.Equals(e.Thumbprint.Replace(":", ""), cert.Thumbprint, StringComparison.OrdinalIgnoreCase));
        Assert.True(entry is not null, $"cert list --json has no entry with thumbprint {cert.Thumbprint} ({cert.Subject}, serial {cert.SerialNumber}):\n" +
            string.Join('\n', list.Select(e => e.Raw)));
        return entry.Thumbprint;
    }

    /// <summary><c>cert list --json</c>.</summary>
    public Task<IReadOnlyList<CertEntry>> ListAsync() => ListAsync(Um);

    private static async Task<IReadOnlyList<CertEntry>> ListAsync(OpenUmProcess um)
    {
        var result = await um.CliOkAsync("cert", "list", "--json");
        try
        {
            using var doc = JsonDocument.Parse(result.StdOut);
            return doc.RootElement.EnumerateArray().Select(e => new CertEntry(
                Str(e, "thumbprint"), Str(e, "subject"), Str(e, "store"),
                e.TryGetProperty("inUse", out var u) && u.ValueKind == JsonValueKind.True, e.GetRawText())).ToList();
        }
        catch (JsonException ex)
        {
            Assert.Fail($"cert list --json is not a JSON array ({ex.Message}):\n{result.Describe()}");
            throw;
        }
    }

    /// <summary>Process id of <c>openum serve</c> (0 before start).</summary>
    public int ServerPid => _serve?.Id ?? 0;

    /// <summary>True while <c>openum serve</c> runs.</summary>
    public bool Running => _serve is { HasExited: false };

    /// <summary>
    /// Starts <c>openum serve --sip-tcp-port T --sip-tls-port S --fqdn um.example.test</c> and waits for event
    /// 1114; its mode must be <paramref name="expectedMode"/> (TCP, TLS or Dual) and its ports must match.
    /// <paramref name="environment"/> gives it names that resolve and a descriptor limit of its own;
    /// <paramref name="variables"/> are added to its environment.
    /// </summary>
    public async Task StartAsync(string expectedMode = "TLS", ServeEnvironment? environment = null,
        IReadOnlyDictionary<string, string>? variables = null)
    {
        if (_serve is not null)
            throw new InvalidOperationException("already started");
        string dll = Path.Combine(AppContext.BaseDirectory, "openum.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        string[] command =
        [
            dotnet, dll, "serve", "--sip-tcp-port", TcpPort.ToString(), "--sip-tls-port", TlsPort.ToString(), "--fqdn", TestPki.UmName,
            "--rtp-ports", $"{RtpPorts.First}-{RtpPorts.Last}", "--listen-address", "127.0.0.1", "--data-dir", Um.DataDir,
        ];
        var (file, args) = (environment ?? new ServeEnvironment()).Wrap(command, Um.DataDir);
        _serve = ChildProcess.Start(file, args, environment: variables);
        _log?.WriteLine($"started pid {_serve.Id}: {_serve.Command}");
        var deadline = DateTime.UtcNow + StartHangGuard;
        while (true)
        {
            var listening = Um.ReadEvents().FirstOrDefault(e => e.Id == 1114);
            if (listening is not null)
            {
                Listening = listening;
                string mode = listening.Property("mode");
                Assert.True(string.Equals(mode, expectedMode, StringComparison.OrdinalIgnoreCase),
                    $"event 1114 says mode '{mode}', expected {expectedMode}: {listening.Raw}\n{Diagnostics}");
                bool tls = !string.Equals(expectedMode, "TCP", StringComparison.OrdinalIgnoreCase);
                bool tcp = !string.Equals(expectedMode, "TLS", StringComparison.OrdinalIgnoreCase);
                Assert.True(listening.Property("tlsPort") == (tls ? TlsPort : 0).ToString(),
                    $"event 1114 tlsPort '{listening.Property("tlsPort")}', expected {(tls ? TlsPort : 0)}: {listening.Raw}");
                Assert.True(listening.Property("tcpPort") == (tcp ? TcpPort : 0).ToString(),
                    $"event 1114 tcpPort '{listening.Property("tcpPort")}', expected {(tcp ? TcpPort : 0)}: {listening.Raw}");
                return;
            }
            if (_serve.HasExited)
                Assert.Fail($"openum serve exited with {_serve.ExitCode} before event 1114 (listening)\n{Diagnostics}");
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"openum serve wrote no event 1114 within the {StartHangGuard.TotalSeconds:0} s hang guard\n{Diagnostics}");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGTERM must end the server cleanly: exit code 0 and event 1039.</summary>
    public async Task AssertCleanStopAsync()
    {
        Assert.NotNull(_serve);
        _serve.Terminate();
        bool exited = await _serve.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exited, "openum serve did not exit within 30 s of SIGTERM (killed)\n" + ServerOutput);
        Assert.True(_serve.ExitCode == 0, $"openum serve exited with {_serve.ExitCode} after SIGTERM\n{Diagnostics}");
        Assert.True(Um.ReadEvents().Any(e => e.Id == 1039), $"no event 1039 (stopped) after SIGTERM\n{Diagnostics}");
    }

    /// <summary>Events with this id written after the first <paramref name="skip"/> events.</summary>
    public IReadOnlyList<ServerEvent> EventsSince(int skip, int id) => Um.ReadEvents().Skip(skip).Where(e => e.Id == id).ToList();

    /// <summary>Waits (hang guard) for an event with this id after the first <paramref name="skip"/> events.</summary>
    public async Task<ServerEvent> WaitForEventSinceAsync(int skip, int id, Func<ServerEvent, bool>? match, TimeSpan hangGuard, string context)
    {
        var deadline = DateTime.UtcNow + hangGuard;
        while (true)
        {
            var found = Um.ReadEvents().Skip(skip).FirstOrDefault(e => e.Id == id && (match is null || match(e)));
            if (found is not null)
                return found;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"no matching event {id} within the {hangGuard.TotalSeconds:0} s hang guard ({context})\n{Diagnostics}");
            await Task.Delay(200);
        }
    }

    /// <summary>Waits (hang guard) for <paramref name="count"/> messages to mailbox 1000.</summary>
    public async Task<string[]> WaitForDeliveriesAsync(int count, TimeSpan hangGuard)
    {
        var deadline = DateTime.UtcNow + hangGuard;
        while (true)
        {
            string[] files = Um.DeliveredFiles(MailboxAddress);
            if (files.Length >= count)
                return files;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{files.Length} of {count} messages delivered after the {hangGuard.TotalSeconds:0} s hang guard\n{Diagnostics}");
            await Task.Delay(250);
        }
    }

    /// <summary>Stops serve if running, logs its output, removes the data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_serve is not null)
        {
            if (!_serve.HasExited)
            {
                _serve.Terminate();
                if (!await _serve.WaitForExitAsync(TimeSpan.FromSeconds(15)))
                    _log?.WriteLine("openum serve ignored SIGTERM for 15 s: killed");
            }
            _log?.WriteLine(ServerOutput);
            await _serve.DisposeAsync();
        }
        await Um.DisposeAsync();
    }

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
