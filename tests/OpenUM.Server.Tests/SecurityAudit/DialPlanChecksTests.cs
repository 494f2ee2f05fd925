using OpenUM.Directory;
using OpenUM.Server.SecurityAudit;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.Tests.SecurityAudit;

/// <summary>OUM-SEC-001 to 003: each dial plan's security mode and PIN guesses per call.</summary>
public sealed class DialPlanChecksTests
{
    [Fact]
    public void AnUnsecuredPlanIsHighAndItsFixSecuresItAfterItsGatewaysAreReady()
    {
        var unsecured = AuditCase.Clean().WithPlan(AuditCase.Plan with { VoipSecurity = VoipSecurity.Unsecured })
            .WithGateway(AuditCase.Gateway with { Address = "192.0.2.10" }) with { Trusted = [] };

        var finding = unsecured.Single(K.DialPlanUnsecured);

        Assert.Equal((AuditSeverity.High, AuditObjectType.DialPlan, "Contoso"), (finding.Severity, finding.ObjectType, finding.Object));
        Assert.Equal(
        [
            "openum gateway set pbx1 --address <fqdn-of-pbx1>",
            "openum cert trust <gateway-ca-certificate-file>",
            "openum dialplan set Contoso --voip-security Secured",
        ], finding.Fix);
        Assert.Empty(AuditCase.Clean().Findings(K.DialPlanUnsecured));
    }

    [Fact]
    public void SecuringAPlanWithALoopbackGatewayRemovesThatGatewayAndItsHuntGroupFirst()
    {
        var demo = AuditCase.Clean().WithPlan(AuditCase.Plan with { VoipSecurity = VoipSecurity.Unsecured })
            .WithGateway(AuditCase.Gateway with { Address = "127.0.0.1" });

        Assert.Equal(
        [
            "openum huntgroup remove pbx1-Contoso",
            "openum gateway remove pbx1",
            "openum dialplan set Contoso --voip-security Secured",
        ], demo.Single(K.DialPlanUnsecured).Fix);
    }

    [Fact]
    public void ASipSecuredPlanLeavesTheMediaInClearUntilItIsSecured()
    {
        var sipSecured = AuditCase.Clean().WithPlan(AuditCase.Plan with { VoipSecurity = VoipSecurity.SipSecured });

        var finding = sipSecured.Single(K.DialPlanMediaInClear);

        Assert.Equal(AuditSeverity.Medium, finding.Severity);
        Assert.Equal(["openum dialplan set Contoso --voip-security Secured"], finding.Fix);
        Assert.Empty(sipSecured.Findings(K.DialPlanUnsecured));
        Assert.Empty(AuditCase.Clean().Findings(K.DialPlanMediaInClear));
    }

    [Fact]
    public void MorePinGuessesPerCallThanTheDefaultIsLow()
    {
        var lax = AuditCase.Clean().WithPlan(AuditCase.Plan with { LogonFailuresBeforeDisconnect = 10 });

        var finding = lax.Single(K.LogonFailuresBeforeDisconnect);

        Assert.Equal(AuditSeverity.Low, finding.Severity);
        Assert.Equal(["openum dialplan set Contoso --logon-failures-before-disconnect 3"], finding.Fix);
        Assert.Empty(AuditCase.Clean().WithPlan(AuditCase.Plan with { LogonFailuresBeforeDisconnect = 3 }).Findings(K.LogonFailuresBeforeDisconnect));
    }

    [Fact]
    public void ANameThatIsNotAPlainWordIsQuotedSoTheShellReadsItBack()
    {
        var spaced = AuditCase.Clean() with
        {
            DialPlans = [AuditCase.Plan with { Name = "Paris HQ's", VoipSecurity = VoipSecurity.SipSecured }],
            HuntGroups = [],
        };

        Assert.Equal(["openum dialplan set 'Paris HQ'\\''s' --voip-security Secured"], spaced.Single(K.DialPlanMediaInClear).Fix);
    }
}
