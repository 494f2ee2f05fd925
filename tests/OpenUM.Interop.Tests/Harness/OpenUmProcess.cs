using System.Text.Json;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>One line of the server's events.jsonl.</summary>
public sealed record ServerEvent(int Id, string Level, string Name, string Message, JsonElement Properties, string Raw)
{
    /// <summary>A property value as text ("" when absent).</summary>
    public string Property(string name)
    {
        if (Properties.ValueKind != JsonValueKind.Object)
            return "";
        foreach (var p in Properties.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                return p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText();
        return "";
    }
}

/// <summary>
/// The real <c>openum</c> executable on a private temp data directory: CLI commands and one
/// <c>serve</c> process on free loopback ports. Dispose always stops the server (SIGTERM, then kill).
/// </summary>
public sealed class OpenUmProcess : IAsyncDisposable
{
    private static readonly TimeSpan CliHangGuard = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StartHangGuard = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper? _log;
    private ChildProcess? _server;

    /// <summary>Creates a fresh data directory; nothing is started yet.</summary>
    public OpenUmProcess(ITestOutputHelper? log = null)
    {
        _log = log;
        DataDir = System.IO.Directory.CreateTempSubdirectory("openum-interop-").FullName;
    }

    /// <summary>The server's --data-dir.</summary>
    public string DataDir { get; }

    /// <summary>SIP TCP port of the running server (after <see cref="StartAsync"/>).</summary>
    public int SipPort { get; private set; }

    /// <summary>RTP port range given to the server.</summary>
    public (int First, int Last) RtpPorts { get; private set; }

    /// <summary>Process id of <c>openum serve</c>.</summary>
    public int ServerPid => _server?.Id ?? 0;

    /// <summary>Output of <c>openum serve</c> so far.</summary>
    public string ServerOutput => _server is null ? "(server not started)" :
        $"--- openum serve stdout ---\n{ProcessResult.Tail(_server.StdOut)}\n--- stderr ---\n{ProcessResult.Tail(_server.StdErr)}";

    /// <summary>
    /// Moves the whole data directory (store, events, spool, maildir) to <paramref name="path"/>, a small filesystem of
    /// the storage tests: the data directory becomes a link to it. Before anything is configured.
    /// </summary>
    public void PutDataDirectoryOn(string path)
    {
        System.IO.Directory.Delete(DataDir);
        System.IO.Directory.CreateSymbolicLink(DataDir, path);
    }

    /// <summary>Everything <c>openum serve</c> wrote to standard error so far (its events), not shortened.</summary>
    public string ServerStdErr => _server?.StdErr ?? "";

    private static string OpenUmDll => Path.Combine(AppContext.BaseDirectory, "openum.dll");

    private static string DotNet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
        ? host : "dotnet";

    /// <summary>Runs <c>openum ARGS --data-dir DIR</c> to completion.</summary>
    public async Task<ProcessResult> CliAsync(params string[] args)
    {
        if (!File.Exists(OpenUmDll))
            throw new InvalidOperationException($"{OpenUmDll} is missing: the test project must reference src/OpenUM.Cli");
        var result = await ChildProcess.RunAsync(DotNet, [OpenUmDll, .. args, "--data-dir", DataDir], CliHangGuard);
        _log?.WriteLine(result.Describe());
        return result;
    }

    /// <summary>Runs a CLI command and fails the test unless it exits 0.</summary>
    public async Task<ProcessResult> CliOkAsync(params string[] args)
    {
        var result = await CliAsync(args);
        Assert.True(result.ExitCode == 0 && !result.HungAndKilled, "openum CLI command failed:\n" + result.Describe());
        return result;
    }

    /// <summary>
    /// The configuration most tests use: dial plan Test (4 digits), gateway for 127.0.0.1, mailbox 1000 (made by the
    /// CLI once per run and copied into a fresh data directory: <see cref="ConfiguredDataTemplates"/>).
    /// </summary>
    public Task ConfigureStandardAsync() => ConfiguredDataTemplates.ApplyAsync("standard", this, um => um.ConfigureStandardByCliAsync(), _log);

    /// <summary>The standard configuration, command by command.</summary>
    internal async Task ConfigureStandardByCliAsync()
    {
        await CliOkAsync("dialplan", "new", "--name", "Test", "--number-of-digits-in-extension", "4");
        await CliOkAsync("gateway", "new", "--name", "sipp", "--address", "127.0.0.1", "--dial-plan", "Test");
        await CliOkAsync("mailbox", "new", "--extension", "1000", "--dial-plan", "Test",
            "--email", MailboxAddress, "--display-name", "User 1000");
    }

    /// <summary>E-mail address of mailbox 1000 in the standard configuration.</summary>
    public const string MailboxAddress = "user1000@example.test";

    /// <summary>
    /// Starts <c>openum serve</c> (inside <paramref name="network"/> when given) and waits until it has written
    /// event 1114 (listening). <paramref name="extraArgs"/> go on the serve command line after the standard ones.
    /// </summary>
    public async Task StartAsync(PrivateNetwork? network = null, IReadOnlyList<string>? extraArgs = null)
    {
        if (_server is not null)
            throw new InvalidOperationException("already started");
        SipPort = TestPorts.FreeListenerPort();
        RtpPorts = TestPorts.RtpRange(200);
        string[] args =
        [
            OpenUmDll, "serve", "--sip-tcp-port", SipPort.ToString(), "--rtp-ports", $"{RtpPorts.First}-{RtpPorts.Last}",
            "--listen-address", "127.0.0.1", "--data-dir", DataDir, .. extraArgs ?? [],
        ];
        var (file, wrapped) = network is null ? (DotNet, (IReadOnlyList<string>)args) : network.Wrap(DotNet, args);
        _server = ChildProcess.Start(file, wrapped);
        _log?.WriteLine($"started pid {_server.Id}: {_server.Command}");
        var deadline = DateTime.UtcNow + StartHangGuard;
        while (true)
        {
            var listening = ReadEvents().FirstOrDefault(e => e.Id == 1114);
            if (listening is not null)
            {
                string port = listening.Property("tcpPort");
                Assert.True(port == SipPort.ToString(),
                    $"event 1114 names tcpPort '{port}', expected {SipPort}: {listening.Raw}\n{ServerOutput}");
                return;
            }
            if (_server.HasExited)
                Assert.Fail($"openum serve exited with {_server.ExitCode} before event 1114 (listening)\n{ServerOutput}\n{EventsText()}");
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"openum serve wrote no event 1114 within the {StartHangGuard.TotalSeconds:0} s hang guard\n{ServerOutput}\n{EventsText()}");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGTERM and wait for exit; returns the exit code (the process is killed after 30 s).</summary>
    public async Task<int> StopAsync()
    {
        if (_server is null)
            throw new InvalidOperationException("not started");
        _server.Terminate();
        bool exited = await _server.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exited, "openum serve did not exit within 30 s of SIGTERM (killed)\n" + ServerOutput);
        return _server.ExitCode;
    }

    /// <summary>SIGTERM must end the server cleanly: exit code 0 and event 1039 (stopped).</summary>
    public async Task AssertCleanStopAsync()
    {
        int code = await StopAsync();
        Assert.True(code == 0, $"openum serve exited with {code} after SIGTERM\n{ServerOutput}\n{EventsText()}");
        Assert.True(ReadEvents().Any(e => e.Id == 1039), $"no event 1039 (stopped) after SIGTERM\n{EventsText()}");
    }

    /// <summary>Files left in &lt;data-dir&gt;/spool (recordings not yet delivered).</summary>
    public string[] SpoolFiles()
    {
        string spool = Path.Combine(DataDir, "spool");
        return System.IO.Directory.Exists(spool) ? System.IO.Directory.GetFiles(spool, "*", SearchOption.AllDirectories) : [];
    }

    /// <summary>Events written so far (a partially written last line is skipped).</summary>
    public IReadOnlyList<ServerEvent> ReadEvents()
    {
        string path = Path.Combine(DataDir, "events.jsonl");
        var list = new List<ServerEvent>();
        if (!File.Exists(path))
            return list;
        string text;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(fs))
            text = reader.ReadToEnd();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                list.Add(new ServerEvent(
                    root.TryGetProperty("id", out var id) && id.TryGetInt32(out int n) ? n : -1,
                    Str(root, "level"), Str(root, "name"), Str(root, "message"),
                    root.TryGetProperty("properties", out var p) ? p.Clone() : default, line));
            }
            catch (JsonException)
            {
                // line still being written
            }
        }
        return list;
    }

    /// <summary>events.jsonl as text, for failure messages.</summary>
    public string EventsText()
    {
        var events = ReadEvents();
        return "--- events.jsonl ---\n" + ProcessResult.Tail(string.Join('\n', events.Select(e => e.Raw)));
    }

    /// <summary>Waits (hang guard) until an event matching the predicate has been written.</summary>
    public async Task<ServerEvent> WaitForEventAsync(int id, Func<ServerEvent, bool>? match, TimeSpan hangGuard)
    {
        var deadline = DateTime.UtcNow + hangGuard;
        while (true)
        {
            var found = ReadEvents().FirstOrDefault(e => e.Id == id && (match is null || match(e)));
            if (found is not null)
                return found;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"no event {id} within the {hangGuard.TotalSeconds:0} s hang guard\n{EventsText()}\n{ServerOutput}");
            await Task.Delay(200);
        }
    }

    /// <summary>Waits (hang guard) until at least <paramref name="count"/> events <paramref name="id"/> have been written; returns them.</summary>
    public async Task<ServerEvent[]> WaitForEventCountAsync(int id, int count, TimeSpan hangGuard)
    {
        var deadline = DateTime.UtcNow + hangGuard;
        while (true)
        {
            var found = ReadEvents().Where(e => e.Id == id).ToArray();
            if (found.Length >= count)
                return found;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{found.Length} of {count} events {id} within the {hangGuard.TotalSeconds:0} s hang guard\n{EventsText()}\n{ServerOutput}");
            await Task.Delay(200);
        }
    }

    /// <summary>&lt;data-dir&gt;/maildir/&lt;address&gt;/new.</summary>
    public string MaildirNew(string address) => Path.Combine(DataDir, "maildir", address.ToLowerInvariant(), "new");

    /// <summary>Files in a recipient's maildir new/ (empty when the folder does not exist).</summary>
    public string[] DeliveredFiles(string address) =>
        System.IO.Directory.Exists(MaildirNew(address)) ? System.IO.Directory.GetFiles(MaildirNew(address)).Order().ToArray() : [];

    /// <summary>All files anywhere under maildir/ (to prove nothing was delivered).</summary>
    public string[] AllMaildirFiles()
    {
        string root = Path.Combine(DataDir, "maildir");
        return System.IO.Directory.Exists(root) ? System.IO.Directory.GetFiles(root, "*", SearchOption.AllDirectories) : [];
    }

    /// <summary>Waits (hang guard) until at least <paramref name="count"/> messages are in new/.</summary>
    public async Task<string[]> WaitForDeliveriesAsync(string address, int count, TimeSpan hangGuard)
    {
        var deadline = DateTime.UtcNow + hangGuard;
        while (true)
        {
            string[] files = DeliveredFiles(address);
            if (files.Length >= count)
                return files;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{files.Length} of {count} messages in {MaildirNew(address)} after the {hangGuard.TotalSeconds:0} s hang guard\n{EventsText()}\n{ServerOutput}");
            await Task.Delay(250);
        }
    }

    /// <summary>Stops the server if running, logs its output and removes the data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            if (!_server.HasExited)
            {
                _server.Terminate();
                if (!await _server.WaitForExitAsync(TimeSpan.FromSeconds(15)))
                    _log?.WriteLine("openum serve ignored SIGTERM for 15 s: killed");
            }
            _log?.WriteLine(ServerOutput);
            _log?.WriteLine(EventsText());
            await _server.DisposeAsync();
            TestPorts.Release(RtpPorts);
        }
        if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") == "1")
            _log?.WriteLine($"kept data dir {DataDir}");
        else
            try { System.IO.Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
