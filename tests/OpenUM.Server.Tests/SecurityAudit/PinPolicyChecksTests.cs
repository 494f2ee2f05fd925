using OpenUM.Directory;
using OpenUM.Server.SecurityAudit;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.Tests.SecurityAudit;

/// <summary>OUM-SEC-050: mailbox policies whose PIN rules are weaker than the defaults.</summary>
public sealed class PinPolicyChecksTests
{
    private static AuditCase With(MailboxPolicy policy) => AuditCase.Clean() with { Policies = [policy] };

    private static MailboxPolicy Staff => new() { Name = "Staff", DialPlan = "Contoso" };

    [Fact]
    public void ThePolicyDefaultsAndStricterSettingsAreNotReported()
    {
        Assert.Empty(With(Staff).Findings(K.WeakPinPolicy));
        Assert.Empty(With(Staff with { MinPinLength = 10, PinLifetime = TimeSpan.FromDays(30), PinHistoryCount = 10, MaxLogonAttempts = 5, LogonFailuresBeforePinReset = 3 })
            .Findings(K.WeakPinPolicy));
    }

    [Fact]
    public void EachWeakerSettingIsNamedAndTheFixRestoresOnlyThose()
    {
        var finding = With(Staff with { MinPinLength = 4, AllowCommonPatterns = true }).Single(K.WeakPinPolicy);

        Assert.Equal((AuditSeverity.Medium, AuditObjectType.MailboxPolicy, "Staff"), (finding.Severity, finding.ObjectType, finding.Object));
        Assert.Contains("PINs of 4 digits, default 6; repeated and sequential PINs such as 123456 accepted", finding.Risk, StringComparison.Ordinal);
        Assert.Equal(["openum mailboxpolicy set Staff --min-pin-length 6 --allow-common-patterns false"], finding.Fix);
    }

    [Fact]
    public void UnlimitedLifetimeAndNoAutomaticResetAreWeakerToo()
    {
        var finding = With(Staff with { PinLifetime = null, LogonFailuresBeforePinReset = null, PinHistoryCount = 1, MaxLogonAttempts = 50 }).Single(K.WeakPinPolicy);

        Assert.Equal(["openum mailboxpolicy set Staff --pin-history-count 5 --pin-lifetime 60 --max-logon-attempts 15 --logon-failures-before-pin-reset 5"], finding.Fix);
    }

    [Fact]
    public void TheRestoredResetStaysBelowAStricterLockout()
    {
        // A lockout after 3 is stricter than the default; the reset it needs must then be under 3, as validation requires.
        var finding = With(Staff with { MaxLogonAttempts = 3, LogonFailuresBeforePinReset = null }).Single(K.WeakPinPolicy);

        Assert.Equal(["openum mailboxpolicy set Staff --logon-failures-before-pin-reset 2"], finding.Fix);
    }
}
