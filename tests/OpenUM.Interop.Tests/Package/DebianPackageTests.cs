using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Logging;
using OpenUM.Interop.Tests.Tls;
using OpenUM.Media.Audio;

namespace OpenUM.Interop.Tests.Package;

/// <summary>
/// Issue 14, checks 1 and 2: packaging/build-deb.sh builds the package, lintian finds nothing that is not overridden
/// with a reason, apt installs it (user openum, /var/lib/openum 0700, /usr/bin/openum, the unit, openum(8), the
/// completions), systemd-analyze verifies the unit and rates its sandbox "OK" or better; then the service's own
/// command line, read from the installed unit and its environment file, runs as user openum with only
/// CAP_NET_BIND_SERVICE, binds 5060, answers a SIPp call and delivers the voice mail under /var/lib/openum;
/// purge keeps /var/lib/openum unless OPENUM_PURGE_DATA=yes. Needs root and a machine whose packages it may change (CI's throwaway one):
/// it installs and purges the openum package, and removes the user and data it created.
/// </summary>
// Runs alone (RunAloneCollection): it changes the machine (user openum, /var/lib/openum, /usr/bin/openum, the unit), its
// serve binds the fixed port 5060, and its package build and lintian take both cores for a minute: a baresip
// neighbour was seen to receive a third of its audio beside such a load.
[Collection(RunAloneCollection.Name)]
public sealed partial class DebianPackageTests(ITestOutputHelper output)
{
    private const string Unit = "/lib/systemd/system/openum.service";
    private const string DataDir = "/var/lib/openum";
    private const string Mailbox = "user1000@example.test";
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task PackageBuildsInstallsServesAsOpenUmAndPurgeKeepsTheData()
    {
        Assert.True(Environment.UserName == "root", "the package test installs a package: run it as root (CI does)");
        Assert.False((await RunAsync("dpkg-query", ["-W", "-f=${Status}", "openum"])).StdOut.Contains("installed", StringComparison.Ordinal),
            "the openum package is installed on this machine: the test would replace it. Remove it first: apt-get purge openum");
        Assert.False(System.IO.Directory.Exists(DataDir), $"{DataDir} exists: the test would use someone's data. Move it away first");

        string work = System.IO.Directory.CreateTempSubdirectory("openum-package-").FullName;
        File.SetUnixFileMode(work, (UnixFileMode)0b111_101_101);   // the greeting is read by user openum
        bool userExisted = (await RunAsync("getent", ["passwd", "openum"])).ExitCode == 0;
        try
        {
            string deb = await BuildAsync(work);
            await LintianAsync(deb);
            await OkAsync("apt-get", ["-o", "DPkg::Lock::Timeout=600", "install", "-y", "--no-install-recommends", "./" + Path.GetFileName(deb)], work);

            await CheckInstalledFilesAsync();
            await CheckUnitAsync();
            await ServiceCommandLineAnswersACallAsync(work);

            // The installed postrm, kept to show what it does when asked to delete the data too.
            string postrm = Path.Combine(work, "openum.postrm");
            File.Copy("/var/lib/dpkg/info/openum.postrm", postrm);
            await OkAsync("apt-get", ["-o", "DPkg::Lock::Timeout=600", "purge", "-y", "openum"], work);
            Assert.False(File.Exists("/usr/bin/openum"), "purge left /usr/bin/openum");
            Assert.False(File.Exists(Unit), "purge left the unit");
            Assert.True(System.IO.Directory.Exists(Path.Combine(DataDir, "maildir")),
                $"purge (without OPENUM_PURGE_DATA=yes) removed {DataDir}: the store, keys and voice mail must stay");
            await OkAsync("env", ["OPENUM_PURGE_DATA=yes", "sh", postrm, "purge"], work);
            Assert.False(System.IO.Directory.Exists(DataDir), $"purge with OPENUM_PURGE_DATA=yes left {DataDir}");
        }
        finally
        {
            // Whatever happened: the package, the data and (when this test made it) the user go.
            await RunAsync("apt-get", ["-o", "DPkg::Lock::Timeout=600", "purge", "-y", "openum"], work,
                new Dictionary<string, string> { ["OPENUM_PURGE_DATA"] = "yes", ["DEBIAN_FRONTEND"] = "noninteractive" });
            if (System.IO.Directory.Exists(DataDir)) System.IO.Directory.Delete(DataDir, recursive: true);
            if (!userExisted) await RunAsync("deluser", ["--system", "openum"]);
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    private async Task<string> BuildAsync(string work)
    {
        string script = TestPki.RepoFile("packaging/build-deb.sh");
        var clock = Stopwatch.StartNew();
        // gzip: xz takes about a minute more on 2 cores for the same contents.
        var built = await OkAsync("bash", [script, "--out", work, "--compression", "gzip"], work);
        output.WriteLine($"build-deb.sh: {clock.Elapsed.TotalSeconds:0.0} s\n{built.StdErr}");
        string deb = built.StdOut.Trim().Split('\n')[^1];
        Assert.True(File.Exists(deb) && Path.GetFileName(deb).StartsWith("openum_", StringComparison.Ordinal), $"no package at '{deb}'");
        output.WriteLine($"{Path.GetFileName(deb)}: {new FileInfo(deb).Length / 1e6:0.0} MB");
        return deb;
    }

    // Every tag lintian still reports must be fixed or overridden in packaging/lintian-overrides with its reason.
    private async Task LintianAsync(string deb)
    {
        var clock = Stopwatch.StartNew();
        var lintian = await RunAsync(Peers.Require("lintian", "lintian"), ["--pedantic", "--info", deb]);
        output.WriteLine($"lintian: {clock.Elapsed.TotalSeconds:0.0} s, exit {lintian.ExitCode}\n{lintian.StdOut}");
        var tags = lintian.StdOut.Split('\n').Where(l => LintianTag().IsMatch(l)).ToList();
        Assert.True(tags.Count == 0 && lintian.ExitCode == 0,
            "lintian tags neither fixed nor overridden (packaging/lintian-overrides):\n" + lintian.Describe());
    }

    private async Task CheckInstalledFilesAsync()
    {
        var data = new DirectoryInfo(DataDir);
        Assert.True(data.Exists, $"{DataDir} was not created");
        Assert.Equal((UnixFileMode)0b111_000_000, data.UnixFileMode);
        Assert.Equal(await OwnerAsync(), (await RunAsync("stat", ["-c", "%u:%g", DataDir])).StdOut.Trim());

        Assert.Equal("/usr/lib/openum/openum", new FileInfo("/usr/bin/openum").ResolveLinkTarget(returnFinalTarget: true)?.FullName);
        var version = await OkAsync("/usr/bin/openum", ["--version"]);
        var package = await OkAsync("dpkg-query", ["-W", "-f=${Version}", "openum"]);
        Assert.StartsWith(version.StdOut.Trim().Split('+')[0] + "-", package.StdOut.Trim(), StringComparison.Ordinal);

        // openum(8): gzip'd roff that groff reads without a warning, with the commands and their options.
        string page = (await OkAsync("zcat", ["/usr/share/man/man8/openum.8.gz"])).StdOut;
        Assert.Contains(".SS \"openum serve\"", page, StringComparison.Ordinal);
        Assert.Contains("\\fB\\-\\-log\\-target\\fR", page, StringComparison.Ordinal);
        Assert.Contains(".SS \"openum gateway new\"", page, StringComparison.Ordinal);
        Peers.Require("groff", "groff-base");
        var groff = await OkAsync("sh", ["-c", "zcat /usr/share/man/man8/openum.8.gz | groff -man -Tutf8 -ww -z"]);
        Assert.True(groff.StdErr.Length == 0, "groff warns about openum(8):\n" + groff.StdErr);

        Assert.Contains("complete -o default -F _openum_complete openum",
            await File.ReadAllTextAsync("/usr/share/bash-completion/completions/openum"), StringComparison.Ordinal);
        Assert.StartsWith("#compdef openum", await File.ReadAllTextAsync("/usr/share/zsh/vendor-completions/_openum"), StringComparison.Ordinal);
        // What the completion asks the installed binary on TAB.
        const string line = "openum mailboxp";
        var suggest = await OkAsync("/usr/bin/openum", [$"[suggest:{line.Length}]", line]);
        Assert.Contains("mailboxpolicy", suggest.StdOut.Split('\n', StringSplitOptions.TrimEntries));
        Assert.Contains("/etc/openum/openum.env", await File.ReadAllTextAsync("/var/lib/dpkg/info/openum.conffiles"), StringComparison.Ordinal);
    }

    private async Task CheckUnitAsync()
    {
        string analyze = Peers.Require("systemd-analyze", "systemd");
        var verify = await RunAsync(analyze, ["verify", Unit]);
        Assert.True(verify.ExitCode == 0 && !verify.StdErr.Contains("openum", StringComparison.Ordinal),
            "systemd-analyze verify:\n" + verify.Describe());
        var security = await OkAsync(analyze, ["security", "--offline=true", Unit]);
        var score = Exposure().Match(security.StdOut);
        Assert.True(score.Success, "no exposure level in:\n" + security.StdOut);
        double exposure = double.Parse(score.Groups[1].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"systemd-analyze security --offline=true: exposure {exposure} {score.Groups[2].Value}");
        Assert.True(exposure <= 4.9, $"exposure {exposure} is above 4.9 (\"OK\"):\n{security.StdOut}");
    }

    private async Task ServiceCommandLineAnswersACallAsync(string work)
    {
        var unit = InstalledUnit.Read(Unit);
        Assert.Equal("openum", unit.Get("User"));
        Assert.Equal("CAP_NET_BIND_SERVICE", unit.Get("AmbientCapabilities"));

        // The administrator's serve options go in the environment file: loopback only and ports no other test uses.
        var rtp = TestPorts.RtpRange(100);
        int tls = TestPorts.FreeListenerPort();
        string envFile = unit.Get("EnvironmentFile")!.TrimStart('-');
        await File.WriteAllTextAsync(envFile,
            $"OPENUM_SERVE_OPTIONS=\"--listen-address 127.0.0.1 --sip-tls-port {tls} --rtp-ports {rtp.First}-{rtp.Last}\"\n");
        var env = unit.Environment();
        var exec = unit.ExecStart(env);
        output.WriteLine("ExecStart: " + string.Join(' ', exec));
        Assert.Contains(DataDir, exec);

        // Configured as the service's user would: a short greeting keeps the call short.
        string greeting = Path.Combine(work, "greeting.wav");
        PcmWav.WriteMono(greeting, Tone(0.4, 0), 8000);
        File.SetUnixFileMode(greeting, (UnixFileMode)0b110_100_100);
        string ulaw = Path.Combine(work, "caller.ulaw");
        await File.WriteAllBytesAsync(ulaw, Tone(2, 6000).Select(G711.LinearToMuLaw).ToArray());
        foreach (var args in new[]
        {
            new[] { "dialplan", "new", "--name", "Test", "--number-of-digits-in-extension", "4" },
            ["gateway", "new", "--name", "sipp", "--address", "127.0.0.1", "--dial-plan", "Test"],
            ["mailbox", "new", "--extension", "1000", "--dial-plan", "Test", "--email", Mailbox],
            ["mailbox", "set", "1000", "--dial-plan", "Test", "--greeting", greeting],
        })
            await OkAsync("setpriv", ["--reuid", "openum", "--regid", "openum", "--init-groups", "/usr/bin/openum", .. args, "--data-dir", DataDir]);

        // As systemd would run it: the environment systemd gives a service (PATH, the user's names and home, the
        // unit's variables and nothing of this test's), the unit's user, only the unit's capability (ambient,
        // bounding set), no new privileges, the unit's umask.
        string umask = unit.Get("UMask") ?? "0022";
        string[] environment =
        [
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", $"HOME={DataDir}", "USER=openum", "LOGNAME=openum",
            "SHELL=/usr/sbin/nologin", .. env.Select(e => $"{e.Key}={e.Value}"),
        ];
        // The unit's --log-target both: a private journald (the machine's journal is not touched) at the usual socket path.
        await using var journal = await PrivateJournald.StartAsync(output);
        await using var server = ChildProcess.Start(Peers.Require("nsenter", "util-linux"),
            journal.Inside(["env", "-i", .. environment, "setpriv", "--reuid", "openum", "--regid", "openum", "--init-groups", "--no-new-privs",
             "--inh-caps", "-all,+net_bind_service", "--ambient-caps", "-all,+net_bind_service", "--bounding-set", "-all,+net_bind_service",
             "/bin/sh", "-c", $"umask {umask} && exec \"$@\"", "openum-service", .. exec]), work);
        await WaitForListenerAsync(server, 5060);
        var listening = await journal.WaitForAsync(1114, TimeSpan.FromSeconds(30));
        Assert.Equal("5060", PrivateJournald.Field(listening, "OPENUM_TCP_PORT"));
        Assert.Equal("1114", PrivateJournald.Field(listening, "EVENT_ID")); // journalctl -u openum EVENT_ID=1114
        Assert.Equal(await IdAsync("-u"), PrivateJournald.Field(listening, "_UID"));
        string status = await File.ReadAllTextAsync($"/proc/{server.Id}/status");
        Assert.Matches(@"(?m)^Uid:\s+" + await IdAsync("-u") + @"\s", status);
        Assert.Matches(@"(?m)^Gid:\s+" + await IdAsync("-g") + @"\s", status);
        Assert.Matches(@"(?m)^CapEff:\s+0000000000000400$", status);   // bit 10: CAP_NET_BIND_SERVICE, nothing else

        var sipp = await Sipp.RunAsync(new SippOptions("caller-records.xml", 5060, "1000")
        {
            PauseMs = 3000,
            Timeout = TimeSpan.FromSeconds(40),
            Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw },
        }, output);
        Assert.True(sipp.ExitCode == 0 && sipp.Successful == 1, $"the SIPp call to 5060 failed\n{sipp.Describe()}\n{Describe(server)}");

        string maildir = Path.Combine(DataDir, "maildir", Mailbox, "new");
        string message = await WaitForFileAsync(maildir, server);
        Assert.Equal(await OwnerAsync(), (await RunAsync("stat", ["-c", "%u:%g", message])).StdOut.Trim());
        // ... and events.jsonl beside it, for `openum events` without journal rights.
        Assert.Contains("\"id\":1114", await File.ReadAllTextAsync(Path.Combine(DataDir, "events.jsonl")));

        server.Terminate();
        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(45)), "the service did not stop on SIGTERM\n" + Describe(server));
        Assert.True(server.ExitCode == 0, $"the service exited with {server.ExitCode} on SIGTERM\n{Describe(server)}");
    }

    private static async Task WaitForListenerAsync(ChildProcess server, int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using (var probe = new TcpClient())
            {
                try
                {
                    await probe.ConnectAsync("127.0.0.1", port);
                    return;
                }
                catch (SocketException) { }
            }
            Assert.False(server.HasExited, $"the service exited with {(server.HasExited ? server.ExitCode : 0)} before binding {port}\n{Describe(server)}");
            Assert.True(DateTime.UtcNow < deadline, $"nothing listens on {port} after 60 s\n{Describe(server)}");
            await Task.Delay(100);
        }
    }

    private static async Task<string> WaitForFileAsync(string directory, ChildProcess server)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (System.IO.Directory.Exists(directory) && System.IO.Directory.GetFiles(directory) is [var file, ..])
                return file;
            Assert.True(DateTime.UtcNow < deadline, $"no voice mail in {directory} after 60 s\n{Describe(server)}");
            await Task.Delay(200);
        }
    }

    private static string Describe(ChildProcess server) =>
        $"--- service stdout ---\n{ProcessResult.Tail(server.StdOut)}\n--- stderr ---\n{ProcessResult.Tail(server.StdErr)}";

    private static async Task<string> IdAsync(string which) => (await RunAsync("id", [which, "openum"])).StdOut.Trim();

    private static async Task<string> OwnerAsync() => await IdAsync("-u") + ":" + await IdAsync("-g");

    private static short[] Tone(double seconds, int amplitude) =>
        Enumerable.Range(0, (int)(8000 * seconds)).Select(i => (short)(amplitude * Math.Sin(2 * Math.PI * 440 * i / 8000))).ToArray();

    private async Task<ProcessResult> OkAsync(string file, string[] args, string? workDir = null)
    {
        var result = await RunAsync(file, args, workDir);
        Assert.True(result.ExitCode == 0 && !result.HungAndKilled, result.Describe());
        return result;
    }

    private static Task<ProcessResult> RunAsync(string file, string[] args, string? workDir = null, IReadOnlyDictionary<string, string>? env = null) =>
        ChildProcess.RunAsync(file, args, Guard, workDir, env ?? new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" });

    [GeneratedRegex(@"^[EWIPX]: ")]
    private static partial Regex LintianTag();

    [GeneratedRegex(@"Overall exposure level for openum\.service: (\d+\.\d+) (\S+)")]
    private static partial Regex Exposure();
}
