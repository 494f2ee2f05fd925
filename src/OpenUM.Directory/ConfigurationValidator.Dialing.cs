using OpenUM.Directory.Dialing;
using D = OpenUM.Directory.Dialing.DialingFields;

namespace OpenUM.Directory;

// OUT-1 / CFG-1: dialing rule entries and the allowed group names that refer to them.
public static partial class ConfigurationValidator
{
    /// <summary>Most entries in one configured list (OpenUM's bound: the list is scanned on every outbound call).</summary>
    public const int MaxDialingRuleEntries = 1000;

    /// <summary>Validates a dial plan's configured groups (every entry) and its allowed group names.</summary>
    public static void ValidateDialingRules(DialPlan dialPlan)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ValidateDialingRuleEntries(dialPlan.ConfiguredInCountryOrRegionGroups, D.ConfiguredInCountryOrRegionGroups);
        ValidateDialingRuleEntries(dialPlan.ConfiguredInternationalGroups, D.ConfiguredInternationalGroups);
        ValidateAllowedGroups(dialPlan.AllowedInCountryOrRegionGroups, D.AllowedInCountryOrRegionGroups,
            dialPlan.ConfiguredInCountryOrRegionGroups, D.ConfiguredInCountryOrRegionGroups, dialPlan.Name);
        ValidateAllowedGroups(dialPlan.AllowedInternationalGroups, D.AllowedInternationalGroups,
            dialPlan.ConfiguredInternationalGroups, D.ConfiguredInternationalGroups, dialPlan.Name);
    }

    /// <summary>Field and cross-field rules of every entry; the message names the entry by position (from 1) and name.</summary>
    public static void ValidateDialingRuleEntries(IReadOnlyList<DialingRuleEntry> entries, string field)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count > MaxDialingRuleEntries)
        {
            throw Fail(field, $"{entries.Count} entries given; at most {MaxDialingRuleEntries} are allowed");
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is not { } entry)
            {
                throw Fail(field, $"entry {i + 1} is missing");
            }

            if (entry.Validate() is { } error)
            {
                throw Fail(field, $"entry {i + 1} '{entry.Name}': {error}");
            }
        }
    }

    /// <summary>
    /// Every allowed name must be a group of the configured list (case-insensitive), once; used for dial
    /// plans and, with the dial plan's configured lists, for mailbox policies.
    /// </summary>
    public static void ValidateAllowedGroups(
        IReadOnlyList<string> allowed, string field, IReadOnlyList<DialingRuleEntry> configured, string configuredField, string dialPlanName)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        ArgumentNullException.ThrowIfNull(configured);
        if (allowed.Count == 0)
        {
            return;
        }

        var groups = new DialingGroups(configured);
        if (groups.Groups.Count == 0)
        {
            throw Fail(field, $"groups are allowed ({string.Join(", ", allowed)}) but dial plan '{dialPlanName}' has no --{configuredField}; configure the groups first");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in allowed)
        {
            if (string.IsNullOrWhiteSpace(name) || groups.Find(name) is null)
            {
                throw Fail(field,
                    $"group '{name}' is not configured in --{configuredField} of dial plan '{dialPlanName}' (configured: {string.Join(", ", groups.Groups.Select(g => g.Name))})");
            }

            if (!seen.Add(name))
            {
                throw Fail(field, $"group '{name}' is listed twice");
            }
        }
    }
}
