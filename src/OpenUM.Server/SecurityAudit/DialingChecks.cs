using OpenUM.Directory;
using OpenUM.Directory.Dialing;
using D = OpenUM.Directory.Dialing.DialingFields;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.SecurityAudit;

/// <summary>
/// Toll fraud: what the dialing restrictions of each context let callers reach. Dial plans and auto attendants act for
/// callers nobody authenticated; mailbox policies for users who keyed in a PIN.
/// </summary>
internal static class DialingChecks
{
    /// <summary>One acting context (reference §1.4) and the command noun that changes it.</summary>
    private sealed record Context(string Noun, AuditObjectType Type, string Name, string Describe, bool Anonymous, DialPlan Plan,
        bool AllowExtensions, IReadOnlyList<string> InCountry, IReadOnlyList<string> International);

    public static IEnumerable<AuditFinding> Check(SecurityAuditInput input)
    {
        var contexts = Contexts(input.Configuration).ToList();
        foreach (var c in contexts)
        {
            if (c.International.Count > 0)
            {
                yield return c.Anonymous
                    ? AuditFinding.Of(K.InternationalForAnonymousCallers, AuditSeverity.High, c.Type, c.Name,
                        $"Callers of {c.Describe}, whom nobody authenticated, may be connected to international numbers of group(s) " +
                        $"{string.Join(", ", c.International)}: toll fraud at the organisation's expense.",
                        [FixCommand.Openum(c.Noun, "set", c.Name, "--" + D.AllowedInternationalGroups, "")])
                    : AuditFinding.Of(K.InternationalForUsers, AuditSeverity.Medium, c.Type, c.Name,
                        $"Users of {c.Describe} may have calls placed to international numbers of group(s) {string.Join(", ", c.International)} " +
                        "(call back, Play on Phone): one guessed or leaked PIN is enough for toll fraud.",
                        [FixCommand.Openum(c.Noun, "set", c.Name, "--" + D.AllowedInternationalGroups, "")],
                        "Allow an international group only to a policy whose users need it, with a strict PIN policy.");
            }
            foreach (var finding in AnyNumberRules(c)) yield return finding;
            if (c.Anonymous && c.AllowExtensions)
            {
                yield return AuditFinding.Of(K.ExtensionsForAnonymousCallers, AuditSeverity.Low, c.Type, c.Name,
                    $"Callers of {c.Describe}, whom nobody authenticated, may be transferred to any number of {c.Plan.NumberOfDigitsInExtension} digits, " +
                    "whatever the PBX makes of it (an outside line, another site), not only to the dial plan's users.",
                    [FixCommand.Openum(c.Noun, "set", c.Name, "--allow-extensions", "false")]);
            }
        }
        foreach (var plan in input.Configuration.DialPlans.Where(p => string.IsNullOrEmpty(p.CountryOrRegionCode)))
        {
            var dialling = contexts.Where(c => ReferenceEquals(c.Plan, plan) && c.InCountry.Count > 0).Select(c => c.Describe).ToArray();
            if (dialling.Length == 0) continue;
            yield return AuditFinding.Of(K.PremiumRateUnchecked, AuditSeverity.Medium, AuditObjectType.DialPlan, plan.Name,
                $"Dial plan {plan.Name} has no country code, so the premium-rate deny list (E.164 prefixes such as +1900, +3389) cannot " +
                $"recognise its national numbers, yet {string.Join(", ", dialling)} may dial in-country groups: a premium number a rule matches goes out.",
                [FixCommand.Openum(["dialplan", "set", plan.Name, "--" + ConfigurationFields.CountryOrRegionCode, "<country-code>",
                    .. (string.IsNullOrEmpty(plan.NationalNumberPrefix) ? new[] { "--" + ConfigurationFields.NationalNumberPrefix, "<national-number-prefix>" } : [])])],
                "<country-code> is the E.164 code of the plan's location (33 for France, 1 for the NANP); <national-number-prefix> its trunk prefix " +
                "(0 in France, 1 in the NANP); check with: openum outdialing test --dial-plan " + FixCommand.Quote(plan.Name) + " --number <a premium number>.");
        }
    }

    // A rule "*" matches every number of its kind; allowing its group allows them all. The fix keeps the context's other groups
    // (and drops every "*" group of the kind at once, so running two findings' fixes in turn cannot put one back).
    private static IEnumerable<AuditFinding> AnyNumberRules(Context c)
    {
        foreach (var (allowed, configured, option, kind) in new[]
        {
            (c.InCountry, c.Plan.ConfiguredInCountryOrRegionGroups, D.AllowedInCountryOrRegionGroups, "in-country"),
            (c.International, c.Plan.ConfiguredInternationalGroups, D.AllowedInternationalGroups, "international"),
        })
        {
            var groups = new DialingGroups(configured);
            var open = allowed.Where(name => groups.Find(name)?.Entries.Any(e => e.NumberMask == "*") == true).ToArray();
            if (open.Length == 0) continue;
            var keep = allowed.Where(name => !open.Contains(name, StringComparer.OrdinalIgnoreCase)).ToArray();
            string[] values = keep.Length == 0 ? [""] : keep;
            var fix = FixCommand.Openum([c.Noun, "set", c.Name, .. values.SelectMany(v => new[] { "--" + option, v })]);
            foreach (var group in open)
            {
                yield return AuditFinding.Of(K.AnyNumberRule, c.Anonymous ? AuditSeverity.High : AuditSeverity.Medium, c.Type, c.Name,
                    $"The {kind} group {group} of dial plan {c.Plan.Name} has the rule \"*\" (any number) and {c.Describe} allows it: " +
                    $"{(c.Anonymous ? "anyone who calls" : "its logged-on users")} may be connected to any {kind} number.",
                    [fix],
                    "Allow groups of rules that name the numbers needed (masks such as 0xxxxxxxxx) instead.");
            }
        }
    }

    private static IEnumerable<Context> Contexts(ConfigurationSnapshot configuration)
    {
        foreach (var plan in configuration.DialPlans)
            yield return new Context("dialplan", AuditObjectType.DialPlan, plan.Name, $"dial plan {plan.Name} (before logon)", true, plan,
                plan.AllowExtensions, plan.AllowedInCountryOrRegionGroups, plan.AllowedInternationalGroups);
        foreach (var attendant in configuration.AutoAttendants)
        {
            if (configuration.FindDialPlan(attendant.DialPlan) is not { } plan) continue;
            yield return new Context("autoattendant", AuditObjectType.AutoAttendant, attendant.Name, $"auto attendant {attendant.Name}", true, plan,
                attendant.AllowExtensions, attendant.AllowedInCountryOrRegionGroups, attendant.AllowedInternationalGroups);
        }
        foreach (var policy in configuration.MailboxPolicies)
        {
            if (configuration.FindDialPlan(policy.DialPlan) is not { } plan) continue;
            yield return new Context("mailboxpolicy", AuditObjectType.MailboxPolicy, policy.Name, $"mailbox policy {policy.Name}", false, plan,
                policy.AllowExtensions, policy.AllowedInCountryOrRegionGroups, policy.AllowedInternationalGroups);
        }
    }
}
