using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using OpenUM.Directory;
using OpenUM.Directory.Dialing;
using OpenUM.Security;
using OpenUM.Server.Control;
using OpenUM.Server.SecurityAudit;
using Audit = OpenUM.Server.SecurityAudit.SecurityAudit;

namespace OpenUM.Cli.Tests.SecurityAudit;

/// <summary>
/// Every command a finding prints is one the CLI has: a configuration that breaks nearly every rule at once is audited,
/// and each `openum` command is looked up through `--help`, with every option it uses.
/// </summary>
[Collection(nameof(InProcessCliCollection))]
public sealed partial class FixCommandsCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-audit-fix-").FullName;
    private readonly AuditTestCa _noCrl = new("No CRL Root");
    private readonly AuditTestCa _staleCrl = new("Stale CRL Root");

    public void Dispose()
    {
        _noCrl.Dispose();
        _staleCrl.Dispose();
        System.IO.Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public void EveryFixCommandExistsWithEveryOptionItUses()
    {
        var report = Audit.Run(EverythingWrong());

        // OUM-SEC-023 (a SHA-1 signature, which .NET no longer makes) shares its fix with the other certificate findings.
        var missing = AuditFindingKinds.All.Select(k => k.Id).Except(report.Findings.Select(f => f.Id)).ToArray();
        Assert.Equal(["OUM-SEC-023"], missing);
        var commands = report.Findings.SelectMany(f => f.Fix).Distinct().ToList();
        Assert.True(commands.Count >= 20, $"only {commands.Count} commands: {string.Join("\n", commands)}");
        var failures = new List<string>();
        foreach (var command in commands)
        {
            var words = ShellWords.Split(command);
            if (words[0] == "chmod")
            {
                if (!(words.Count == 4 && words[1] == "-R" && words[2] == "go-rwx") && !(words.Count == 3 && words[1] == "600"))
                    failures.Add($"{command}: not a chmod the documentation describes");
                continue;
            }
            if (words[0] != "openum") { failures.Add($"{command}: neither openum nor chmod"); continue; }
            var (path, help) = Resolve(words);
            if (help is null) { failures.Add($"{command}: `openum {string.Join(' ', path)}` is no runnable command"); continue; }
            foreach (var option in words.Where(w => w.StartsWith("--", StringComparison.Ordinal)))
                if (!Regex.IsMatch(help, $@"(^|[\s,]){Regex.Escape(option)}(\s|$)", RegexOptions.Multiline))
                    failures.Add($"{command}: `openum {string.Join(' ', path)}` has no option {option}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    // The longest command path the words name, and its help when it is a leaf (a command that runs).
    private (List<string> Path, string? Help) Resolve(IReadOnlyList<string> words)
    {
        var path = new List<string>();
        string help = Help(path);
        foreach (var word in words.Skip(1))
        {
            if (!Subcommands(help).Contains(word)) break;
            path.Add(word);
            help = Help(path);
        }
        return (path, path.Count > 0 && Subcommands(help).Count == 0 ? help : null);
    }

    private string Help(List<string> path)
    {
        var (code, output, err) = InProcessCli.Run(_data, [.. path, "--help"]);
        Assert.True(code == 0, $"openum {string.Join(' ', path)} --help: {err}");
        return output;
    }

    private static List<string> Subcommands(string help)
    {
        var names = new List<string>();
        bool inCommands = false;
        foreach (var line in help.Split('\n'))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0])) { inCommands = line.StartsWith("Commands:", StringComparison.Ordinal); continue; }
            if (inCommands && line.StartsWith("  ", StringComparison.Ordinal) && !line.StartsWith("   ", StringComparison.Ordinal) && line.Trim().Length > 0)
                names.Add(line.Trim().Split(' ')[0]);
        }
        return names;
    }

    // Unsecured and SipSecured plans, IP, loopback and port-5060 gateways, open dialing, a weak PIN policy, a server open to
    // any TLS client and a smart host without mutual TLS, metrics and UDP on the network, a weak expiring self-signed
    // certificate naming another host, CAs without CRL and with a stale one, an open data directory and a readable key.
    private SecurityAuditInput EverythingWrong()
    {
        var plain = new DialPlan
        {
            Name = "Plain", NumberOfDigitsInExtension = 4, LogonFailuresBeforeDisconnect = 9, AllowExtensions = true,
            ConfiguredInCountryOrRegionGroups = [new DialingRuleEntry("Anywhere", "*", "*")],
            ConfiguredInternationalGroups = [new DialingRuleEntry("World", "44*", "0044*")],
            AllowedInCountryOrRegionGroups = ["Anywhere"], AllowedInternationalGroups = ["World"],
        };
        var half = new DialPlan { Name = "Half", NumberOfDigitsInExtension = 4, VoipSecurity = VoipSecurity.SipSecured };
        var configuration = new ConfigurationSnapshot(1, [plain, half],
            [
                new IpGateway { Name = "pbx1", Address = "192.0.2.10" },
                new IpGateway { Name = "Loopback", Address = "127.0.0.1" },
                new IpGateway { Name = "pbx2", Address = "pbx2.audit.test", Port = 5060, MediaLatching = Media.Session.MediaLatching.Any },
            ],
            [
                new HuntGroup { Name = "pbx1-Plain", IpGateway = "pbx1", DialPlan = "Plain" },
                new HuntGroup { Name = "Loopback-Plain", IpGateway = "Loopback", DialPlan = "Plain" },
                new HuntGroup { Name = "pbx2-Half", IpGateway = "pbx2", DialPlan = "Half" },
            ],
            [new UmServer { Name = "um1", AllowTlsFromAnyAddress = true, SmartHost = "hub.audit.test:25", SmartHostClientCertificate = false }],
            [],
            [new MailboxPolicy { Name = "Staff", DialPlan = "Plain", MinPinLength = 4, AllowedInternationalGroups = ["World"] }],
            [new AutoAttendant { Name = "Reception", DialPlan = "Plain", AllowExtensions = true, AllowedInternationalGroups = ["World"] }]);
        var now = DateTimeOffset.UtcNow;
        var rsa = RSA.Create(1024); // the certificate keeps using it: not disposed before the audit
        var weak = new CertificateRequest("CN=other.audit.test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(now.AddDays(-1), now.AddDays(5));
        const UnixFileMode open = (UnixFileMode)0b111_101_101, readable = (UnixFileMode)0b110_100_100;
        return new SecurityAuditInput
        {
            Configuration = configuration,
            PersonalCertificates = [weak],
            TrustedCertificates = [_noCrl.Root, _staleCrl.Root],
            RevocationLists = [RevocationList.Parse(_staleCrl.Crl(TimeSpan.FromDays(-1)))],
            DataDirectory = _data,
            Files = new DataDirectoryScan(
                [
                    new FileEntry(_data, open, IsDirectory: true),
                    new FileEntry(Path.Combine(_data, "config.db"), readable, IsDirectory: false),
                    new FileEntry(Path.Combine(_data, "certificates", "personal", "AB.key.pem"), readable, IsDirectory: false, GroupReaches: false, OthersReach: false),
                ], [], Truncated: false),
            ServerFqdn = "um.audit.test",
            ServerName = "um1",
            Running = new ServerStatus
            {
                Version = "1.0.0", ServerName = "um1", ProcessId = 1, StartedAt = now, Uptime = TimeSpan.Zero, Mode = "Dual", ListenAddress = "0.0.0.0",
                SipUdpPort = 5060, RtpPorts = "16384-31999", MetricsListen = "0.0.0.0:9464", AdminApiListen = "0.0.0.0:8443", ConfigurationVersion = 1, ConfigurationStore = "SQLite",
                ActiveCalls = 0, MaxCallsAllowed = 100, SpoolPending = 0, OutboxQueued = 0, OutboxDead = 0, LastErrors = [],
            },
            Now = now,
        };
    }
}
