using OpenUM.Directory;
using OpenUM.Directory.Dialing;
using OpenUM.Server.SecurityAudit;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.Tests.SecurityAudit;

/// <summary>OUM-SEC-040 to 044: what the dialing restrictions of dial plans, auto attendants and mailbox policies let callers reach.</summary>
public sealed class DialingChecksTests
{
    // Local: national mobile numbers; Anywhere: the rule "*"; World: the UK.
    private static readonly DialPlan Rules = AuditCase.Plan with
    {
        ConfiguredInCountryOrRegionGroups = [new DialingRuleEntry("Local", "06xxxxxxxx", "06xxxxxxxx"), new DialingRuleEntry("Anywhere", "*", "*")],
        ConfiguredInternationalGroups = [new DialingRuleEntry("World", "44*", "0044*")],
    };

    private static AuditCase With(DialPlan? plan = null, MailboxPolicy? policy = null, AutoAttendant? attendant = null) =>
        AuditCase.Clean().WithPlan(plan ?? Rules) with
        {
            Policies = policy is null ? [] : [policy],
            Attendants = attendant is null ? [] : [attendant],
        };

    [Fact]
    public void InternationalGroupsForCallersNobodyAuthenticatedAreHigh()
    {
        var plan = With(Rules with { AllowedInternationalGroups = ["World"] }).Single(K.InternationalForAnonymousCallers);
        var attendant = With(attendant: new AutoAttendant { Name = "Reception", DialPlan = "Contoso", AllowedInternationalGroups = ["World"] })
            .Single(K.InternationalForAnonymousCallers);

        Assert.Equal((AuditSeverity.High, AuditObjectType.DialPlan), (plan.Severity, plan.ObjectType));
        Assert.Equal(["openum dialplan set Contoso --allowed-international-groups \"\""], plan.Fix);
        Assert.Equal((AuditObjectType.AutoAttendant, "Reception"), (attendant.ObjectType, attendant.Object));
        Assert.Equal(["openum autoattendant set Reception --allowed-international-groups \"\""], attendant.Fix);
        Assert.Empty(With().Findings(K.InternationalForAnonymousCallers));
    }

    [Fact]
    public void InternationalGroupsForLoggedOnUsersAreMedium()
    {
        var finding = With(policy: new MailboxPolicy { Name = "Staff", DialPlan = "Contoso", AllowedInternationalGroups = ["World"] })
            .Single(K.InternationalForUsers);

        Assert.Equal((AuditSeverity.Medium, AuditObjectType.MailboxPolicy, "Staff"), (finding.Severity, finding.ObjectType, finding.Object));
        Assert.Equal(["openum mailboxpolicy set Staff --allowed-international-groups \"\""], finding.Fix);
        Assert.Empty(With(policy: new MailboxPolicy { Name = "Staff", DialPlan = "Contoso" }).Findings(K.InternationalForUsers));
    }

    [Fact]
    public void AnAllowedGroupWithTheRuleStarIsReportedAndTheFixKeepsTheOtherGroups()
    {
        var policy = new MailboxPolicy { Name = "Staff", DialPlan = "Contoso", AllowedInCountryOrRegionGroups = ["Local", "Anywhere"] };
        var attendant = new AutoAttendant { Name = "Reception", DialPlan = "Contoso", AllowedInCountryOrRegionGroups = ["anywhere"] };

        var findings = With(policy: policy, attendant: attendant).Findings(K.AnyNumberRule);

        var forPolicy = Assert.Single(findings, f => f.Object == "Staff");
        Assert.Equal(AuditSeverity.Medium, forPolicy.Severity);
        Assert.Equal(["openum mailboxpolicy set Staff --allowed-in-country-or-region-groups Local"], forPolicy.Fix);
        var forAttendant = Assert.Single(findings, f => f.Object == "Reception");
        Assert.Equal(AuditSeverity.High, forAttendant.Severity);
        Assert.Equal(["openum autoattendant set Reception --allowed-in-country-or-region-groups \"\""], forAttendant.Fix);
        Assert.Empty(With(policy: policy with { AllowedInCountryOrRegionGroups = ["Local"] }).Findings(K.AnyNumberRule));
    }

    [Fact]
    public void InCountryDialingOnAPlanWithoutCountryCodeLeavesPremiumRateNumbersUnrecognised()
    {
        var blind = Rules with { CountryOrRegionCode = null, NationalNumberPrefix = null };
        var policy = new MailboxPolicy { Name = "Staff", DialPlan = "Contoso", AllowedInCountryOrRegionGroups = ["Local"] };

        var finding = With(blind, policy).Single(K.PremiumRateUnchecked);

        Assert.Equal((AuditObjectType.DialPlan, "Contoso"), (finding.ObjectType, finding.Object));
        Assert.Contains("mailbox policy Staff may dial in-country groups", finding.Risk, StringComparison.Ordinal);
        Assert.Equal(["openum dialplan set Contoso --country-or-region-code <country-code> --national-number-prefix <national-number-prefix>"], finding.Fix);
        Assert.Equal(["openum dialplan set Contoso --country-or-region-code <country-code>"],
            With(blind with { NationalNumberPrefix = "0" }, policy).Single(K.PremiumRateUnchecked).Fix);
        Assert.Empty(With(Rules, policy).Findings(K.PremiumRateUnchecked));
        Assert.Empty(With(blind, policy with { AllowedInCountryOrRegionGroups = [] }).Findings(K.PremiumRateUnchecked));
    }

    [Fact]
    public void AnyExtensionLengthNumberForCallersNobodyAuthenticatedIsLow()
    {
        var finding = With(attendant: new AutoAttendant { Name = "Reception", DialPlan = "Contoso", AllowExtensions = true })
            .Single(K.ExtensionsForAnonymousCallers);

        Assert.Equal(AuditSeverity.Low, finding.Severity);
        Assert.Equal(["openum autoattendant set Reception --allow-extensions false"], finding.Fix);
        Assert.Single(With(Rules with { AllowExtensions = true }).Findings(K.ExtensionsForAnonymousCallers));
        // Logged-on users may (the policy default): they keyed in a PIN.
        Assert.Empty(With(policy: new MailboxPolicy { Name = "Staff", DialPlan = "Contoso", AllowExtensions = true }).Findings(K.ExtensionsForAnonymousCallers));
    }
}
