using System.CommandLine;
using System.Globalization;
using OpenUM.Directory;
using D = OpenUM.Directory.Dialing.DialingFields;
using F = OpenUM.Directory.ConfigurationFields;

namespace OpenUM.Management;

/// <summary>`openum mailboxpolicy new|set|get|remove` (New-/Set-/Get-/Remove-UMMailboxPolicy).</summary>
internal static class MailboxPolicyCommands
{
    private const string Unlimited = "Unlimited";

    private static Fields<MailboxPolicy> Fields() => new Fields<MailboxPolicy>()
        .Add<string>("--" + F.DialPlan, "Dial plan the policy belongs to; allowed groups come from it", (p, v) => p with { DialPlan = v }, required: true)
        .Add<bool>("--allow-dial-plan-subscribers", "Logged-on users may dial users of the dial plan (default true)", (p, v) => p with { AllowDialPlanSubscribers = v })
        .Add<bool>("--allow-extensions", "Logged-on users may dial any number of extension length (default true)", (p, v) => p with { AllowExtensions = v })
        .AddList("--" + D.AllowedInCountryOrRegionGroups, "In-country group of the dial plan logged-on users may dial (\"\" clears)",
            (p, v) => p with { AllowedInCountryOrRegionGroups = OutdialingCommand.ParseNames(v) })
        .AddList("--" + D.AllowedInternationalGroups, "International group of the dial plan logged-on users may dial (\"\" clears)",
            (p, v) => p with { AllowedInternationalGroups = OutdialingCommand.ParseNames(v) })
        .Add<bool>("--" + F.AllowPlayOnPhone, "Users may have messages played to a phone (default true)", (p, v) => p with { AllowPlayOnPhone = v })
        .Add<bool>("--" + F.AllowSubscriberAccess, "Users may log on by telephone (default true)", (p, v) => p with { AllowSubscriberAccess = v })
        .Add<int>("--" + F.MinPinLength, "Shortest PIN, 4-24 digits (default 6)", (p, v) => p with { MinPinLength = v })
        .Add<string>("--" + F.PinLifetime, "Days before a PIN must be changed, 1-999, or Unlimited (default 60)",
            (p, v) => p with { PinLifetime = ParseUnlimited(v, F.PinLifetime) is { } days ? TimeSpan.FromDays(days) : null })
        .Add<int>("--" + F.PinHistoryCount, "Previous PINs that may not be reused, 1-20 (default 5)", (p, v) => p with { PinHistoryCount = v })
        .Add<bool>("--" + F.AllowCommonPatterns, "Accept repeated and sequential digits such as 111111 or 123456 (default false)", (p, v) => p with { AllowCommonPatterns = v })
        .Add<string>("--" + F.LogonFailuresBeforePinReset, "Failures before an automatic PIN reset, 0-999 and below max-logon-attempts, or Unlimited (default 5)",
            (p, v) => p with { LogonFailuresBeforePinReset = ParseUnlimited(v, F.LogonFailuresBeforePinReset) })
        .Add<int>("--" + F.MaxLogonAttempts, "Wrong PINs in a row that lock the mailbox until a PIN reset, 1-999 (default 15)", (p, v) => p with { MaxLogonAttempts = v })
        .Add<bool>("--" + F.AllowFax, "Users may receive faxes: a fax call is referred to --fax-server-uri; with false it is hung up on (default true)", (p, v) => p with { AllowFax = v })
        .Add<string>("--" + F.FaxServerUri, "Partner fax server a fax call is referred to, e.g. sip:fax@fax.example.com;transport=tcp (\"\" removes it: fax calls are hung up on)",
            (p, v) => p with { FaxServerUri = string.IsNullOrEmpty(v) ? null : v });

    public static Command Create() => ObjectCommands.Create(new ObjectCommands.Spec<MailboxPolicy>(
        Noun: "mailboxpolicy", Title: "mailbox policy", Plural: "mailbox policies",
        Example: "openum mailboxpolicy new --name Staff --dial-plan Contoso --min-pin-length 8 --allowed-in-country-or-region-groups Local",
        Fields: Fields(),
        NewObject: (name, _) => new MailboxPolicy { Name = name, DialPlan = "" },
        List: c => c.MailboxPolicies,
        Find: (c, name, _) => c.FindMailboxPolicy(name),
        Add: (s, p) => s.AddMailboxPolicy(p),
        Update: (s, p) => s.UpdateMailboxPolicy(p),
        Remove: (s, p) => s.RemoveMailboxPolicy(p.Name),
        Columns:
        [
            ("Name", p => p.Name), ("DialPlan", p => p.DialPlan), ("MinPINLength", p => p.MinPinLength),
            ("PINLifetime", p => p.PinLifetime is { } t ? Table.Duration(t) : Unlimited),
            ("MaxLogonAttempts", p => p.MaxLogonAttempts), ("AllowedInCountryOrRegionGroups", p => p.AllowedInCountryOrRegionGroups),
            ("AllowedInternationalGroups", p => p.AllowedInternationalGroups),
        ]));

    /// <summary>A count or "Unlimited" (null), as the cmdlets took them; other text is refused naming the field.</summary>
    private static int? ParseUnlimited(string value, string field) =>
        string.Equals(value, Unlimited, StringComparison.OrdinalIgnoreCase) ? null
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number
        : throw new ConfigurationValidationException(field, $"'{value}' is not a number or {Unlimited}");
}
