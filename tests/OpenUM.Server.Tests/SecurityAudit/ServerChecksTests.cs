using OpenUM.Directory;
using OpenUM.Server.SecurityAudit;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.Tests.SecurityAudit;

/// <summary>OUM-SEC-030 to 033: the UM servers' settings and the running server's listeners.</summary>
public sealed class ServerChecksTests
{
    private static AuditCase With(UmServer server) => AuditCase.Clean() with { Servers = [server] };

    [Fact]
    public void TlsFromAnyAddressIsReportedPerServerWithItsName()
    {
        var finding = With(new UmServer { Name = "um2", AllowTlsFromAnyAddress = true }).Single(K.TlsFromAnyAddress);

        Assert.Equal((AuditSeverity.Medium, AuditObjectType.UmServer, "um2"), (finding.Severity, finding.ObjectType, finding.Object));
        Assert.Equal(["openum server set --name um2 --allow-tls-from-any-address false"], finding.Fix);
        Assert.Empty(With(new UmServer { Name = "um2" }).Findings(K.TlsFromAnyAddress));
    }

    [Fact]
    public void ASmartHostWithoutTheClientCertificateIsLow()
    {
        var finding = With(new UmServer { Name = "um1", SmartHost = "hub.contoso.example:25", SmartHostClientCertificate = false })
            .Single(K.SmartHostWithoutClientCertificate);

        Assert.Equal(AuditSeverity.Low, finding.Severity);
        Assert.Equal(["openum server set --name um1 --smart-host-client-certificate true"], finding.Fix);
        Assert.Empty(With(new UmServer { Name = "um1", SmartHost = "hub.contoso.example:25" }).Findings(K.SmartHostWithoutClientCertificate));
        Assert.Empty(With(new UmServer { Name = "um1", SmartHostClientCertificate = false }).Findings(K.SmartHostWithoutClientCertificate)); // local maildir
    }

    [Theory]
    [InlineData("0.0.0.0:9464", false, "0.0.0.0:9464")]
    [InlineData("[::]:9464", false, "'[::]:9464'")] // quoted: unquoted, [::] is a shell pattern
    [InlineData("192.0.2.5:9464", false, "192.0.2.5:9464")]
    [InlineData("0.0.0.0:9464", true, null)]
    [InlineData("127.0.0.1:9464", false, null)]
    [InlineData("[::1]:9464", false, null)]
    public void MetricsOnTheNetworkWithoutTlsIsReported(string listen, bool tls, string? fixWord)
    {
        var findings = (AuditCase.Clean() with { Running = AuditCase.Status(listen, tls) }).Findings(K.MetricsWithoutTls);

        Assert.Equal(fixWord is not null, findings.Count == 1);
        if (fixWord is not null) Assert.Equal([$"openum serve --metrics-listen {fixWord} --metrics-tls true"], findings[0].Fix);
    }

    [Theory]
    [InlineData("0.0.0.0:8443", true)]
    [InlineData("192.0.2.5:8443", true)]
    [InlineData("127.0.0.1:8443", false)]
    [InlineData("[::1]:8443", false)]
    public void TheAdminApiOnTheNetworkIsReported(string listen, bool reported)
    {
        var findings = (AuditCase.Clean() with { Running = AuditCase.Status() with { AdminApiListen = listen } }).Findings(K.AdminApiOnNetwork);

        Assert.Equal(reported, findings.Count == 1);
        if (reported)
        {
            Assert.Equal(AuditSeverity.Low, findings[0].Severity);
            Assert.Equal(["openum serve --admin-api-port 8443 --admin-api-address 127.0.0.1"], findings[0].Fix);
        }
        Assert.Empty(AuditCase.Clean().Findings(K.AdminApiOnNetwork)); // off: nothing to report
    }

    [Fact]
    public void SipOverUdpIsLowAndTheFixIsToRestartWithoutIt()
    {
        var finding = (AuditCase.Clean() with { Running = AuditCase.Status(udpPort: 5060) }).Single(K.SipOverUdp);

        Assert.Equal(AuditSeverity.Low, finding.Severity);
        Assert.Empty(finding.Fix);
        Assert.Contains("without --sip-udp-port", finding.FixNote, StringComparison.Ordinal);
        Assert.Empty(AuditCase.Clean().Findings(K.SipOverUdp));
    }

    [Fact]
    public void WithoutARunningServerItsListenersAreNotCheckedAndTheReportSaysSo()
    {
        var data = new DataDirectory(System.IO.Directory.CreateTempSubdirectory("openum-audit-").FullName);
        try
        {
            var input = SecurityAuditInput.Read(AuditCase.Clean().Input().Configuration, data, AuditCase.Fqdn, AuditCase.ServerName, null, TimeProvider.System);

            var report = OpenUM.Server.SecurityAudit.SecurityAudit.Run(input);

            Assert.Contains(report.NotChecked, n => n.StartsWith("the running server's listeners", StringComparison.Ordinal) && n.Contains("control.sock", StringComparison.Ordinal));
            Assert.DoesNotContain(report.Findings, f => f.Id == K.MetricsWithoutTls.Id || f.Id == K.SipOverUdp.Id);
        }
        finally
        {
            System.IO.Directory.Delete(data.Root, recursive: true);
        }
    }
}
