using System.Globalization;
using OpenUM.Directory;
using F = OpenUM.Directory.ConfigurationFields;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.SecurityAudit;

/// <summary>Mailbox policies whose PIN rules are weaker than the defaults (what a mailbox without a policy gets).</summary>
internal static class PinPolicyChecks
{
    public static IEnumerable<AuditFinding> Check(SecurityAuditInput input)
    {
        foreach (var policy in input.Configuration.MailboxPolicies)
        {
            var weak = Weaknesses(policy);
            if (weak.Count == 0) continue;
            yield return AuditFinding.Of(K.WeakPinPolicy, AuditSeverity.Medium, AuditObjectType.MailboxPolicy, policy.Name,
                $"Mailbox policy {policy.Name} is weaker than the defaults ({string.Join("; ", weak.Select(w => w.What))}): a PIN is easier to " +
                "guess, and a guessed PIN opens the mailbox and its outdialing (the toll-fraud path through call back).",
                [FixCommand.Openum(["mailboxpolicy", "set", policy.Name, .. weak.SelectMany(w => new[] { "--" + w.Option, w.Value })])],
                "The new rules apply to the next PIN each user sets (openum mailbox reset-pin forces it).");
        }
    }

    /// <summary>Each setting weaker than its default: what it is, and the option and value that restore the default.</summary>
    internal static IReadOnlyList<(string What, string Option, string Value)> Weaknesses(MailboxPolicy p)
    {
        var list = new List<(string, string, string)>();
        if (p.MinPinLength < MailboxPolicy.DefaultMinPinLength)
            list.Add(($"PINs of {p.MinPinLength} digits, default {MailboxPolicy.DefaultMinPinLength}", F.MinPinLength, Text(MailboxPolicy.DefaultMinPinLength)));
        if (p.AllowCommonPatterns)
            list.Add(("repeated and sequential PINs such as 123456 accepted", F.AllowCommonPatterns, "false"));
        if (p.PinHistoryCount < MailboxPolicy.DefaultPinHistoryCount)
            list.Add(($"only the last {p.PinHistoryCount} PINs barred from reuse, default {MailboxPolicy.DefaultPinHistoryCount}", F.PinHistoryCount, Text(MailboxPolicy.DefaultPinHistoryCount)));
        int defaultDays = (int)MailboxPolicy.DefaultPinLifetime.TotalDays;
        if (p.PinLifetime is not { } lifetime)
            list.Add(($"PINs never expire, default {defaultDays} days", F.PinLifetime, Text(defaultDays)));
        else if (lifetime > MailboxPolicy.DefaultPinLifetime)
            list.Add(($"PINs expire after {lifetime.TotalDays:0} days, default {defaultDays}", F.PinLifetime, Text(defaultDays)));
        int maxAttempts = p.MaxLogonAttempts;
        if (p.MaxLogonAttempts > MailboxPolicy.DefaultMaxLogonAttempts)
        {
            list.Add(($"lockout after {p.MaxLogonAttempts} wrong PINs, default {MailboxPolicy.DefaultMaxLogonAttempts}", F.MaxLogonAttempts, Text(MailboxPolicy.DefaultMaxLogonAttempts)));
            maxAttempts = MailboxPolicy.DefaultMaxLogonAttempts;
        }
        if (p.LogonFailuresBeforePinReset is not { } reset || reset > MailboxPolicy.DefaultLogonFailuresBeforePinReset)
        {
            // The reset must stay below the lockout, which a stricter policy may have set under the default reset.
            int target = Math.Max(0, Math.Min(MailboxPolicy.DefaultLogonFailuresBeforePinReset, maxAttempts - 1));
            list.Add((p.LogonFailuresBeforePinReset is null
                ? $"no automatic PIN reset after failures, default {MailboxPolicy.DefaultLogonFailuresBeforePinReset}"
                : $"automatic PIN reset after {p.LogonFailuresBeforePinReset} failures, default {MailboxPolicy.DefaultLogonFailuresBeforePinReset}", F.LogonFailuresBeforePinReset, Text(target)));
        }
        return list;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
