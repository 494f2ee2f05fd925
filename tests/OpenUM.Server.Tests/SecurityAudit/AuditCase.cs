using System.Security.Cryptography.X509Certificates;
using OpenUM.Directory;
using OpenUM.Security;
using OpenUM.Server.Control;
using OpenUM.Server.SecurityAudit;
using OpenUM.TestSupport.Pki;

namespace OpenUM.Server.Tests.SecurityAudit;

/// <summary>
/// What one audit test looks at. <see cref="Clean"/> is a configuration the audit has nothing to say about (a Secured dial
/// plan with an FQDN gateway, a CA-issued certificate naming the server, a trusted CA with a fresh CRL); each test changes
/// one thing and sees its finding come, then go when the thing is put right.
/// </summary>
internal sealed record AuditCase
{
    public const string Fqdn = "um.contoso.example";
    public const string ServerName = "um1";

    private static readonly Lazy<X509Certificate2> SharedCa = new(() => TestPki.CreateCa("Contoso Root"));
    private static readonly Lazy<X509Certificate2> SharedServerCertificate = new(() => TestPki.Issue(Ca, Fqdn, [Fqdn]));
    private static readonly Lazy<RevocationList> SharedCrl = new(() => RevocationList.Parse(TestPki.Crl(Ca)));

    /// <summary>The trusted root of the clean case.</summary>
    public static X509Certificate2 Ca => SharedCa.Value;

    public IReadOnlyList<DialPlan> DialPlans { get; init; } = [];
    public IReadOnlyList<IpGateway> Gateways { get; init; } = [];
    public IReadOnlyList<HuntGroup> HuntGroups { get; init; } = [];
    public IReadOnlyList<UmServer> Servers { get; init; } = [];
    public IReadOnlyList<MailboxPolicy> Policies { get; init; } = [];
    public IReadOnlyList<AutoAttendant> Attendants { get; init; } = [];
    public IReadOnlyList<X509Certificate2> Personal { get; init; } = [];
    public IReadOnlyList<X509Certificate2> Trusted { get; init; } = [];
    public IReadOnlyList<RevocationList> Crls { get; init; } = [];
    public DataDirectoryScan Files { get; init; } = DataDirectoryScan.Empty;
    public ServerStatus? Running { get; init; }
    public DateTimeOffset Now { get; init; } = TestPki.Now;
    public string DataDirectory { get; init; } = "/srv/openum-data";

    /// <summary>The plan of the clean case: Secured, with a country code and trunk prefix.</summary>
    public static DialPlan Plan { get; } = new()
    {
        Name = "Contoso", NumberOfDigitsInExtension = 4, VoipSecurity = VoipSecurity.Secured, CountryOrRegionCode = "33", NationalNumberPrefix = "0",
    };

    /// <summary>The gateway of the clean case, named by FQDN.</summary>
    public static IpGateway Gateway { get; } = new() { Name = "pbx1", Address = "pbx1.contoso.example" };

    public static AuditCase Clean() => new()
    {
        DialPlans = [Plan],
        Gateways = [Gateway],
        HuntGroups = [new HuntGroup { Name = "pbx1-Contoso", IpGateway = "pbx1", DialPlan = "Contoso" }],
        Servers = [new UmServer { Name = ServerName }],
        Personal = [SharedServerCertificate.Value],
        Trusted = [Ca],
        Crls = [SharedCrl.Value],
        Running = Status(),
    };

    /// <summary>The clean case with <paramref name="gateway"/> instead of pbx1 (same name, same hunt group).</summary>
    public AuditCase WithGateway(IpGateway gateway) => this with { Gateways = [gateway] };

    /// <summary>The clean case with <paramref name="plan"/> instead of Contoso.</summary>
    public AuditCase WithPlan(DialPlan plan) => this with { DialPlans = [plan] };

    public SecurityAuditInput Input() => new()
    {
        Configuration = new ConfigurationSnapshot(7, DialPlans, Gateways, HuntGroups, Servers, [], Policies, Attendants),
        PersonalCertificates = Personal,
        TrustedCertificates = Trusted,
        RevocationLists = Crls,
        DataDirectory = DataDirectory,
        Files = Files,
        ServerFqdn = Fqdn,
        ServerName = ServerName,
        Running = Running,
        Now = Now,
    };

    public IReadOnlyList<AuditFinding> Findings() => OpenUM.Server.SecurityAudit.SecurityAudit.Run(Input()).Findings;

    /// <summary>The findings of one rule.</summary>
    public IReadOnlyList<AuditFinding> Findings(AuditFindingKind kind) => [.. Findings().Where(f => f.Id == kind.Id)];

    /// <summary>The one finding of <paramref name="kind"/>; fails when there is none or several.</summary>
    public AuditFinding Single(AuditFindingKind kind)
    {
        var found = Findings(kind);
        Assert.True(found.Count == 1, $"expected one {kind.Id}, found {found.Count}: {string.Join(" | ", Findings().Select(f => $"{f.Id} {f.Object}"))}");
        return found[0];
    }

    /// <summary>A running server's status: listening on TCP and TLS only, metrics off.</summary>
    public static ServerStatus Status(string? metricsListen = null, bool metricsTls = false, int? udpPort = null) => new()
    {
        Version = "1.0.0", ServerName = ServerName, ProcessId = 1, StartedAt = TestPki.Now, Uptime = TimeSpan.Zero, Mode = "TLS",
        ListenAddress = "0.0.0.0", SipTlsPort = 5061, SipUdpPort = udpPort, RtpPorts = "16384-31999", MetricsListen = metricsListen, MetricsTls = metricsTls,
        ConfigurationVersion = 7, ConfigurationStore = "SQLite config.db", ActiveCalls = 0, MaxCallsAllowed = 100, SpoolPending = 0,
        OutboxQueued = 0, OutboxDead = 0, LastErrors = [],
    };
}
