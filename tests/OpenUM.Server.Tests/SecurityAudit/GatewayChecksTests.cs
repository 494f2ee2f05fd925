using OpenUM.Directory;
using OpenUM.Media.Session;
using OpenUM.Server.SecurityAudit;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.Tests.SecurityAudit;

/// <summary>OUM-SEC-010 to 014: how gateways are named and reached, and what protects the traffic with them.</summary>
public sealed class GatewayChecksTests
{
    private static AuditCase Unsecured(IpGateway gateway) =>
        AuditCase.Clean().WithPlan(AuditCase.Plan with { VoipSecurity = VoipSecurity.Unsecured }).WithGateway(gateway);

    [Fact]
    public void AGatewayNamedByIpAddressIsReportedUntilItHasAnFqdn()
    {
        var finding = Unsecured(AuditCase.Gateway with { Address = "192.0.2.10" }).Single(K.GatewayByIpAddress);

        Assert.Equal((AuditSeverity.Medium, AuditObjectType.IpGateway, "pbx1"), (finding.Severity, finding.ObjectType, finding.Object));
        Assert.Equal(["openum gateway set pbx1 --address <fqdn-of-pbx1>"], finding.Fix);
        Assert.Contains("<fqdn-of-pbx1>", finding.FixNote, StringComparison.Ordinal);
        Assert.Empty(Unsecured(AuditCase.Gateway).Findings(K.GatewayByIpAddress));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.1.2.3")]
    [InlineData("::1")]
    [InlineData("localhost")]
    public void ALoopbackGatewayIsTheDemosAndItsFixRemovesIt(string address)
    {
        var demo = Unsecured(AuditCase.Gateway with { Address = address });

        var finding = demo.Single(K.LoopbackGateway);

        Assert.Equal(AuditSeverity.Medium, finding.Severity);
        Assert.Equal(["openum huntgroup remove pbx1-Contoso", "openum gateway remove pbx1"], finding.Fix);
        Assert.Empty(demo.Findings(K.GatewayByIpAddress));
        Assert.Empty(demo.Findings(K.IpsecAdvice)); // loopback traffic never leaves the host
        Assert.Empty(Unsecured(AuditCase.Gateway with { Address = "192.0.2.1" }).Findings(K.LoopbackGateway));
    }

    [Fact]
    public void Port5060OnAGatewayOfASecuredPlanIsLow()
    {
        var finding = AuditCase.Clean().WithGateway(AuditCase.Gateway with { Port = 5060 }).Single(K.SecuredGatewayOnPort5060);

        Assert.Equal(AuditSeverity.Low, finding.Severity);
        Assert.Equal(["openum gateway set pbx1 --port 5061"], finding.Fix);
        Assert.Empty(AuditCase.Clean().WithGateway(AuditCase.Gateway with { Port = 5061 }).Findings(K.SecuredGatewayOnPort5060));
        Assert.Empty(Unsecured(AuditCase.Gateway with { Port = 5060 }).Findings(K.SecuredGatewayOnPort5060));
    }

    [Fact]
    public void MediaFromAnyAddressIsLow()
    {
        var finding = AuditCase.Clean().WithGateway(AuditCase.Gateway with { MediaLatching = MediaLatching.Any }).Single(K.MediaFromAnyAddress);

        Assert.Equal(["openum gateway set pbx1 --media-latching SignallingOrSdp"], finding.Fix);
        Assert.Empty(AuditCase.Clean().WithGateway(AuditCase.Gateway with { MediaLatching = MediaLatching.SdpOnly }).Findings(K.MediaFromAnyAddress));
    }

    [Theory]
    [InlineData(VoipSecurity.Unsecured, "signalling and media")]
    [InlineData(VoipSecurity.SipSecured, "media")]
    public void IpsecAdviceIsInformationalWithNoCommandAndGoneOnceThePlanIsSecured(VoipSecurity mode, string unprotected)
    {
        var plain = AuditCase.Clean().WithPlan(AuditCase.Plan with { VoipSecurity = mode });

        var finding = plain.Single(K.IpsecAdvice);

        Assert.Equal(AuditSeverity.Informational, finding.Severity);
        Assert.Empty(finding.Fix);
        Assert.StartsWith($"The {unprotected} of calls with gateway pbx1", finding.Risk, StringComparison.Ordinal);
        Assert.Contains("#oum-sec-014", finding.FixNote, StringComparison.Ordinal);
        Assert.Empty(AuditCase.Clean().Findings(K.IpsecAdvice));
    }
}
