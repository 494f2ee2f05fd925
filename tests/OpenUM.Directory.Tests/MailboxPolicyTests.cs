using OpenUM.Directory.Dialing;
using OpenUM.Directory.Pins;
using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests;

public sealed class MailboxPolicyTests : IDisposable
{
    private readonly TempStore _temp = new();

    public MailboxPolicyTests() =>
        _temp.Store.AddDialPlan(DialPlan() with
        {
            ConfiguredInCountryOrRegionGroups = [new DialingRuleEntry("Local", "0xxxxxxxxx", "90xxxxxxxxx")],
            ConfiguredInternationalGroups = [new DialingRuleEntry("Europe", "44*", "900044*")],
        });

    public void Dispose() => _temp.Dispose();

    private static MailboxPolicy Policy(string name = "Staff") => new() { Name = name, DialPlan = "Main" };

    [Fact]
    public void DefaultsAreTheSpecOnes()
    {
        var p = Policy();
        Assert.True(p.AllowDialPlanSubscribers);
        Assert.True(p.AllowExtensions);
        Assert.Empty(p.AllowedInCountryOrRegionGroups);
        Assert.Empty(p.AllowedInternationalGroups);
        Assert.True(p.AllowPlayOnPhone);
        Assert.True(p.AllowSubscriberAccess);
        Assert.Equal(6, p.MinPinLength);
        Assert.Equal(TimeSpan.FromDays(60), p.PinLifetime);
        Assert.Equal(5, p.PinHistoryCount);
        Assert.False(p.AllowCommonPatterns);
        Assert.Equal(5, p.LogonFailuresBeforePinReset);
        Assert.Equal(15, p.MaxLogonAttempts);
        Assert.Equal(p with { Id = Guid.Empty, Name = "(default)" }, MailboxPolicy.DefaultFor("Main"));
    }

    [Fact]
    public void The_default_policy_is_the_one_of_the_dial_plan_asked_for()
    {
        var main = MailboxPolicy.DefaultFor("Main");
        var other = MailboxPolicy.DefaultFor("Other");
        Assert.Equal("Other", other.DialPlan);
        Assert.Equal("Main", MailboxPolicy.DefaultFor("Main").DialPlan);
        Assert.Equal(main, MailboxPolicy.DefaultFor("Main"));
        Assert.Equal("main", MailboxPolicy.DefaultFor("main").DialPlan); // the name as the mailbox spells it
        Assert.Equal(Guid.Empty, other.Id);
    }

    [Fact]
    public void EveryFieldRoundTripsAndIsAudited()
    {
        var policy = new MailboxPolicy
        {
            Name = "Sales", DialPlan = "main", AllowDialPlanSubscribers = false, AllowExtensions = false,
            AllowedInCountryOrRegionGroups = ["local"], AllowedInternationalGroups = ["EUROPE"], AllowPlayOnPhone = false,
            AllowSubscriberAccess = false, MinPinLength = 10, PinLifetime = null, PinHistoryCount = 20, AllowCommonPatterns = true,
            LogonFailuresBeforePinReset = null, MaxLogonAttempts = 999,
        };
        var change = _temp.Store.AddMailboxPolicy(policy);
        Assert.Equal((ConfigurationObjectType.MailboxPolicy, "Sales", ConfigurationChangeKind.Added), (change.ObjectType, change.Name, change.Kind));
        Assert.Equal("mailbox policy", ConfigurationChange.Describe(change.ObjectType));
        using var other = _temp.OpenAnother();
        Assert.Equal(policy, other.GetMailboxPolicy("SALES"));
        Assert.Equal(policy, other.Load().FindMailboxPolicy("sales"));
        var second = Policy("Other") with { PinLifetime = TimeSpan.FromDays(999), LogonFailuresBeforePinReset = 0 };
        _temp.Store.AddMailboxPolicy(second);
        Assert.Equal(second, other.GetMailboxPolicy("Other"));
        var removed = _temp.Store.RemoveMailboxPolicy("other");
        Assert.Equal(ConfigurationChangeKind.Removed, removed.Kind);
        Assert.Null(other.GetMailboxPolicy("Other"));
    }

    public static TheoryData<string, Func<MailboxPolicy, MailboxPolicy>> BadPolicies => new()
    {
        { "name", p => p with { Name = "" } },
        { "dial-plan", p => p with { DialPlan = "Nowhere" } },
        { "dial-plan", p => p with { DialPlan = "" } },
        { "min-pin-length", p => p with { MinPinLength = 3 } },
        { "min-pin-length", p => p with { MinPinLength = 25 } },
        { "pin-lifetime", p => p with { PinLifetime = TimeSpan.Zero } },
        { "pin-lifetime", p => p with { PinLifetime = TimeSpan.FromDays(1000) } },
        { "pin-lifetime", p => p with { PinLifetime = TimeSpan.FromHours(36) } },
        { "pin-history-count", p => p with { PinHistoryCount = 0 } },
        { "pin-history-count", p => p with { PinHistoryCount = 21 } },
        { "max-logon-attempts", p => p with { MaxLogonAttempts = 0 } },
        { "max-logon-attempts", p => p with { MaxLogonAttempts = 1000 } },
        { "logon-failures-before-pin-reset", p => p with { LogonFailuresBeforePinReset = -1 } },
        { "logon-failures-before-pin-reset", p => p with { LogonFailuresBeforePinReset = 15 } }, // must be below MaxLogonAttempts
        { "allowed-in-country-or-region-groups", p => p with { AllowedInCountryOrRegionGroups = ["Premium"] } },
        { "allowed-international-groups", p => p with { AllowedInternationalGroups = ["Local"] } }, // an in-country group
        { "allowed-international-groups", p => p with { AllowedInternationalGroups = ["Europe", "europe"] } },
    };

    [Theory]
    [MemberData(nameof(BadPolicies))]
    public void BadPoliciesAreRefusedNamingTheFieldAndWriteNothing(string field, Func<MailboxPolicy, MailboxPolicy> change)
    {
        var version = _temp.Store.GetVersion();
        var e = Assert.Throws<ConfigurationValidationException>(() => _temp.Store.AddMailboxPolicy(change(Policy())));
        Assert.Equal(field, e.Field);
        Assert.Empty(_temp.Store.Load().MailboxPolicies);
        Assert.Equal(version, _temp.Store.GetVersion());
    }

    [Fact]
    public void NamesAreUniqueCaseInsensitively()
    {
        _temp.Store.AddMailboxPolicy(Policy());
        Assert.Equal("name", Assert.Throws<ConfigurationValidationException>(() => _temp.Store.AddMailboxPolicy(Policy("STAFF"))).Field);
    }

    [Fact]
    public void AMailboxPolicyMustExistInTheMailboxsDialPlan()
    {
        Assert.Equal("mailbox-policy",
            Assert.Throws<ConfigurationValidationException>(() => _temp.Store.AddMailbox(Mailbox() with { MailboxPolicy = "Staff" })).Field);
        _temp.Store.AddDialPlan(DialPlan("Other"));
        _temp.Store.AddMailboxPolicy(Policy("Elsewhere") with { DialPlan = "Other" });
        Assert.Equal("mailbox-policy",
            Assert.Throws<ConfigurationValidationException>(() => _temp.Store.AddMailbox(Mailbox() with { MailboxPolicy = "Elsewhere" })).Field);

        _temp.Store.AddMailboxPolicy(Policy());
        _temp.Store.AddMailbox(Mailbox() with { MailboxPolicy = "staff" });
        var config = _temp.Store.Load();
        Assert.Equal("Staff", config.PolicyFor(config.Mailboxes[0]).Name);
        // Moving the policy away from its mailboxes' dial plan, or removing it, is refused.
        Assert.Equal("dial-plan", Assert.Throws<ConfigurationValidationException>(() => _temp.Store.UpdateMailboxPolicy(Policy() with { DialPlan = "Other" })).Field);
        var removal = Assert.Throws<ConfigurationValidationException>(() => _temp.Store.RemoveMailboxPolicy("Staff"));
        Assert.Contains("1234", removal.Message);
        Assert.Equal("name", Assert.Throws<ConfigurationValidationException>(() => _temp.Store.RemoveDialPlan("Other")).Field); // used by Elsewhere
    }

    [Fact]
    public void AMailboxWithoutAPolicyHasTheDefaults()
    {
        _temp.Store.AddMailbox(Mailbox());
        var config = _temp.Store.Load();
        Assert.Equal(MailboxPolicy.DefaultFor("Main"), config.PolicyFor(config.Mailboxes[0]));
    }

    [Fact]
    public void TheDialPlanCannotDropAGroupAPolicyAllows()
    {
        _temp.Store.AddMailboxPolicy(Policy() with { AllowedInternationalGroups = ["Europe"] });
        var plan = _temp.Store.GetDialPlan("Main")!;
        var e = Assert.Throws<ConfigurationValidationException>(() => _temp.Store.UpdateDialPlan(plan with { ConfiguredInternationalGroups = [] }));
        Assert.Equal("configured-international-groups", e.Field);
    }

    [Fact]
    public void PinRowsFollowTheirMailbox()
    {
        _temp.Store.AddMailbox(Mailbox());
        var state = new MailboxPinState { Hash = "h", History = ["h0"], SetAt = DateTimeOffset.UnixEpoch, ConsecutiveFailures = 2, LockedOut = true };
        var version = _temp.Store.GetVersion();
        _temp.Store.SavePin("main", "1234", state);
        Assert.Equal(version, _temp.Store.GetVersion()); // PIN state is not configuration
        Assert.Equal(state, _temp.Store.GetPin("Main", "1234"));
        _temp.Store.SavePin("Main", "1234", state with { ConsecutiveFailures = 0, LockedOut = false });
        Assert.Equal(0, _temp.Store.GetPin("MAIN", "1234")!.ConsecutiveFailures);

        _temp.Store.UpdateMailbox("Main", "1234", Mailbox("4321"));
        Assert.Null(_temp.Store.GetPin("Main", "1234"));
        Assert.NotNull(_temp.Store.GetPin("Main", "4321"));
        _temp.Store.RemoveMailbox("Main", "4321");
        _temp.Store.AddMailbox(Mailbox("4321"));
        Assert.Null(_temp.Store.GetPin("Main", "4321")); // a new mailbox never inherits an old PIN
        Assert.Throws<ConfigurationObjectNotFoundException>(() => _temp.Store.SavePin("Main", "9999", state));
    }
}
