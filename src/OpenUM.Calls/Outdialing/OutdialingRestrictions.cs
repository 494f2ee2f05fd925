using OpenUM.Directory;

namespace OpenUM.Calls.Outdialing;

/// <summary>
/// The dialing restrictions of the acting context (reference §1.4): the dial plan for unauthenticated
/// callers, the mailbox policy for logged-on users, the auto attendant for its callers. The group
/// names refer to the dial plan's configured groups.
/// </summary>
public sealed record OutdialingRestrictions(
    string Context,
    bool AllowDialPlanSubscribers,
    bool AllowExtensions,
    IReadOnlyList<string> AllowedInCountryOrRegionGroups,
    IReadOnlyList<string> AllowedInternationalGroups)
{
    /// <summary>The dial plan's own restrictions, which apply to callers who have not logged on.</summary>
    public static OutdialingRestrictions ForDialPlan(DialPlan dialPlan)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        return new($"dial plan '{dialPlan.Name}'", dialPlan.AllowDialPlanSubscribers, dialPlan.AllowExtensions,
            dialPlan.AllowedInCountryOrRegionGroups, dialPlan.AllowedInternationalGroups);
    }

    /// <summary>A mailbox policy's restrictions, which apply to its logged-on users.</summary>
    public static OutdialingRestrictions ForMailboxPolicy(MailboxPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new($"mailbox policy '{policy.Name}'", policy.AllowDialPlanSubscribers, policy.AllowExtensions,
            policy.AllowedInCountryOrRegionGroups, policy.AllowedInternationalGroups);
    }

    /// <summary>An auto attendant's restrictions, which apply to its (never authenticated) callers.</summary>
    public static OutdialingRestrictions ForAutoAttendant(AutoAttendant attendant)
    {
        ArgumentNullException.ThrowIfNull(attendant);
        return new($"auto attendant '{attendant.Name}'", attendant.AllowDialPlanSubscribers, attendant.AllowExtensions,
            attendant.AllowedInCountryOrRegionGroups, attendant.AllowedInternationalGroups);
    }
}
