namespace OpenUM.Directory;

/// <summary>
/// A UM mailbox policy (Exchange New-/Set-UMMailboxPolicy): what logged-on users may dial and the PIN
/// rules of the mailboxes that use it (SPEC §2, OUT-3a). The allowed groups refer to the configured
/// groups of the policy's dial plan.
/// </summary>
public sealed record MailboxPolicy
{
    /// <summary>Default MinPINLength.</summary>
    public const int DefaultMinPinLength = 6;
    /// <summary>Default PINHistoryCount.</summary>
    public const int DefaultPinHistoryCount = 5;
    /// <summary>Default LogonFailuresBeforePINReset.</summary>
    public const int DefaultLogonFailuresBeforePinReset = 5;
    /// <summary>Default MaxLogonAttempts.</summary>
    public const int DefaultMaxLogonAttempts = 15;
    /// <summary>Default PINLifetime.</summary>
    public static readonly TimeSpan DefaultPinLifetime = TimeSpan.FromDays(60);

    /// <summary>Stable identity.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>Unique name (1-64 characters, case-insensitive).</summary>
    public required string Name { get; init; }

    /// <summary>The dial plan this policy belongs to; its mailboxes must be in that plan.</summary>
    public required string DialPlan { get; init; }

    /// <summary>Logged-on users may dial users of the same dial plan.</summary>
    public bool AllowDialPlanSubscribers { get; init; } = true;

    /// <summary>Logged-on users may dial any number of extension length.</summary>
    public bool AllowExtensions { get; init; } = true;

    /// <summary>In-country groups of the dial plan logged-on users may dial (case-insensitive names).</summary>
    public IReadOnlyList<string> AllowedInCountryOrRegionGroups { get; init => field = ValueList<string>.From(value); } = ValueList<string>.Empty;

    /// <summary>International groups of the dial plan logged-on users may dial (case-insensitive names).</summary>
    public IReadOnlyList<string> AllowedInternationalGroups { get; init => field = ValueList<string>.From(value); } = ValueList<string>.Empty;

    /// <summary>Users may have messages played to a phone (CALL-3).</summary>
    public bool AllowPlayOnPhone { get; init; } = true;

    /// <summary>Users may log on by telephone (CALL-2).</summary>
    public bool AllowSubscriberAccess { get; init; } = true;

    /// <summary>Shortest PIN accepted (4-24 digits).</summary>
    public int MinPinLength { get; init; } = DefaultMinPinLength;

    /// <summary>Age after which a PIN must be changed (1-999 days); null = Unlimited.</summary>
    public TimeSpan? PinLifetime { get; init; } = DefaultPinLifetime;

    /// <summary>Number of previous PINs that may not be reused (1-20).</summary>
    public int PinHistoryCount { get; init; } = DefaultPinHistoryCount;

    /// <summary>With false, repeated and sequential digits are refused too; the extension is refused either way.</summary>
    public bool AllowCommonPatterns { get; init; }

    /// <summary>Consecutive failures before an automatic PIN reset (0-999, less than MaxLogonAttempts); null = Unlimited.</summary>
    public int? LogonFailuresBeforePinReset { get; init; } = DefaultLogonFailuresBeforePinReset;

    /// <summary>Consecutive failures that lock the mailbox until an administrator resets the PIN (1-999, event 1012).</summary>
    public int MaxLogonAttempts { get; init; } = DefaultMaxLogonAttempts;

    /// <summary>Users may receive faxes (Exchange's AllowFax): a fax call is referred to <see cref="FaxServerUri"/>; with false it is hung up on.</summary>
    public bool AllowFax { get; init; } = true;

    /// <summary>The partner fax server a fax call is referred to (sip: or sips: URI, Exchange 2010 SP1's FaxServerURI); null = none.</summary>
    public string? FaxServerUri { get; init; }

    /// <summary>
    /// The policy of mailboxes that name none: the SPEC defaults in the mailbox's dial plan, with no
    /// allowed groups (whitelist semantics: nothing outside the dial plan until an operator allows it).
    /// </summary>
    public static MailboxPolicy DefaultFor(string dialPlan)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        // Asked for per call: the last one is kept (a policy is immutable), since a new one first draws a Guid for its Id.
        if (Volatile.Read(ref s_lastDefault) is { } last && string.Equals(last.DialPlan, dialPlan, StringComparison.Ordinal))
            return last;
        var policy = new MailboxPolicy { Id = Guid.Empty, Name = "(default)", DialPlan = dialPlan };
        Volatile.Write(ref s_lastDefault, policy);
        return policy;
    }

    private static MailboxPolicy? s_lastDefault;
}

// CFG-1 rules for mailbox policies (SPEC §2; ranges from Set-UMMailboxPolicy).
public static partial class ConfigurationValidator
{
    /// <summary>Allowed MinPINLength range.</summary>
    public static readonly (int Min, int Max) MinPinLengthRange = (4, 24);
    /// <summary>Allowed PINLifetime range in days (null = Unlimited).</summary>
    public static readonly (int Min, int Max) PinLifetimeDaysRange = (1, 999);
    /// <summary>Allowed PINHistoryCount range.</summary>
    public static readonly (int Min, int Max) PinHistoryCountRange = (1, 20);
    /// <summary>Allowed MaxLogonAttempts range.</summary>
    public static readonly (int Min, int Max) MaxLogonAttemptsRange = (1, 999);
    /// <summary>Allowed LogonFailuresBeforePINReset range (null = Unlimited); also below MaxLogonAttempts.</summary>
    public static readonly (int Min, int Max) LogonFailuresBeforePinResetRange = (0, 999);

    /// <summary>Validates a mailbox policy: name, dial plan, PIN settings, allowed groups, and the mailboxes using it.</summary>
    public static void ValidateMailboxPolicy(MailboxPolicy policy, ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(configuration);
        ValidateName(policy.Name, "mailbox policy");
        if (configuration.FindMailboxPolicy(policy.Name) is { } other && other.Id != policy.Id)
        {
            throw Fail(ConfigurationFields.Name, $"a mailbox policy named '{other.Name}' already exists (names are case-insensitive)");
        }

        var dialPlan = string.IsNullOrEmpty(policy.DialPlan) ? null : configuration.FindDialPlan(policy.DialPlan)
            ?? throw Fail(ConfigurationFields.DialPlan, $"dial plan '{policy.DialPlan}' does not exist; create it first");
        if (dialPlan is null)
        {
            throw Fail(ConfigurationFields.DialPlan, "a dial plan is required");
        }

        RequireIn(policy.MinPinLength, MinPinLengthRange, ConfigurationFields.MinPinLength, "digits");
        if (policy.PinLifetime is { } lifetime
            && (lifetime.Ticks % TimeSpan.TicksPerDay != 0 || lifetime.TotalDays < PinLifetimeDaysRange.Min || lifetime.TotalDays > PinLifetimeDaysRange.Max))
        {
            throw Fail(ConfigurationFields.PinLifetime,
                $"{lifetime.TotalDays} days is out of range: give whole days from {PinLifetimeDaysRange.Min} to {PinLifetimeDaysRange.Max}, or Unlimited");
        }

        RequireIn(policy.PinHistoryCount, PinHistoryCountRange, ConfigurationFields.PinHistoryCount, "PINs");
        RequireIn(policy.MaxLogonAttempts, MaxLogonAttemptsRange, ConfigurationFields.MaxLogonAttempts, "attempts");
        if (policy.LogonFailuresBeforePinReset is { } reset)
        {
            RequireIn(reset, LogonFailuresBeforePinResetRange, ConfigurationFields.LogonFailuresBeforePinReset, "failures");
            if (reset >= policy.MaxLogonAttempts)
            {
                throw Fail(ConfigurationFields.LogonFailuresBeforePinReset,
                    $"{reset} must be less than --{ConfigurationFields.MaxLogonAttempts} ({policy.MaxLogonAttempts}), or Unlimited");
            }
        }

        ValidateFaxServerUri(policy.FaxServerUri);
        ValidateAllowedGroups(policy.AllowedInCountryOrRegionGroups, Dialing.DialingFields.AllowedInCountryOrRegionGroups,
            dialPlan.ConfiguredInCountryOrRegionGroups, Dialing.DialingFields.ConfiguredInCountryOrRegionGroups, dialPlan.Name);
        ValidateAllowedGroups(policy.AllowedInternationalGroups, Dialing.DialingFields.AllowedInternationalGroups,
            dialPlan.ConfiguredInternationalGroups, Dialing.DialingFields.ConfiguredInternationalGroups, dialPlan.Name);

        foreach (var mailbox in configuration.Mailboxes)
        {
            if (string.Equals(mailbox.MailboxPolicy, policy.Name, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(mailbox.DialPlan, dialPlan.Name, StringComparison.OrdinalIgnoreCase))
            {
                throw Fail(ConfigurationFields.DialPlan,
                    $"mailbox {mailbox.Extension} ({mailbox.EmailAddress}) of dial plan '{mailbox.DialPlan}' uses this policy; a policy and its mailboxes share one dial plan");
            }
        }
    }

    /// <summary>The mailbox's policy, if it names one, exists and belongs to the mailbox's dial plan.</summary>
    private static void ValidateMailboxPolicyReference(Mailbox mailbox, DialPlan dialPlan, ConfigurationSnapshot configuration)
    {
        if (mailbox.MailboxPolicy is not { } name)
        {
            return;
        }

        var policy = configuration.FindMailboxPolicy(name)
            ?? throw Fail(ConfigurationFields.MailboxPolicy, $"mailbox policy '{name}' does not exist; create it first (openum mailboxpolicy new) or leave it unset for the defaults");
        if (!string.Equals(policy.DialPlan, dialPlan.Name, StringComparison.OrdinalIgnoreCase))
        {
            throw Fail(ConfigurationFields.MailboxPolicy,
                $"mailbox policy '{policy.Name}' belongs to dial plan '{policy.DialPlan}', not to the mailbox's dial plan '{dialPlan.Name}'");
        }
    }

    private static void RequireIn(int value, (int Min, int Max) range, string field, string unit)
    {
        if (value < range.Min || value > range.Max)
        {
            throw Fail(field, $"{value} {unit} is out of range: allowed {range.Min} to {range.Max}");
        }
    }
}
