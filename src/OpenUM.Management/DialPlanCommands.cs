using System.CommandLine;
using OpenUM.Directory;

namespace OpenUM.Management;

/// <summary>`openum dialplan new|set|get|remove` (New-/Set-/Get-/Remove-UMDialPlan).</summary>
internal static class DialPlanCommands
{
    private static Fields<DialPlan> Fields() => new Fields<DialPlan>()
        .Add<int>("--number-of-digits-in-extension", "Digits in an extension (1-20)", (d, v) => d with { NumberOfDigitsInExtension = v }, required: true)
        .Add<VoipSecurity>("--voip-security", "Unsecured (TCP 5060), SipSecured (mutual TLS) or Secured (mutual TLS + SRTP)", (d, v) => d with { VoipSecurity = v })
        .Add<UmUriType>("--uri-type", "TelExtn, E164 or SipName", (d, v) => d with { UriType = v })
        .AddList("--access-telephone-numbers", "Pilot numbers of the dial plan", (d, v) => d with { AccessTelephoneNumbers = v })
        .Add<string>("--country-or-region-code", "Country code, e.g. 33", (d, v) => d with { CountryOrRegionCode = v })
        .Add<string>("--outside-line-access-code", "Prefix for an outside line (default 9)", (d, v) => d with { OutsideLineAccessCode = v })
        .Add<string>("--international-access-code", "International prefix, e.g. 00", (d, v) => d with { InternationalAccessCode = v })
        .Add<string>("--national-number-prefix", "National trunk prefix, e.g. 0", (d, v) => d with { NationalNumberPrefix = v })
        .Add<int>("--max-call-duration", "Longest call in minutes (default 30)", (d, v) => d with { MaxCallDuration = TimeSpan.FromMinutes(v) })
        .Add<int>("--max-recording-duration", "Longest voice message in minutes (default 20)", (d, v) => d with { MaxRecordingDuration = TimeSpan.FromMinutes(v) })
        .Add<int>("--recording-idle-timeout", "Silence in seconds that ends a recording (default 5)", (d, v) => d with { RecordingIdleTimeout = TimeSpan.FromSeconds(v) })
        .Add<StorageFullAction>("--storage-full-action", "While the server cannot store messages (disk low or read-only): Refuse (default: 503 with Retry-After, the gateway tries another server) or Announce (a spoken apology, then hang up)", (d, v) => d with { StorageFullAction = v })
        .Add<int>("--logon-failures-before-disconnect", "Failed logons before the caller is disconnected (default 3)", (d, v) => d with { LogonFailuresBeforeDisconnect = v })
        .Add<string>("--operator-extension", "Extension callers reach by pressing 0", (d, v) => d with { OperatorExtension = v })
        .Add<bool>("--fax-enabled", "Listen for the fax tone on voice mail calls: a fax goes to the mailbox policy's --fax-server-uri or is hung up on, never recorded (default true)", (d, v) => d with { FaxEnabled = v })
        .Add<string>("--default-language", "Language of the prompts (default en-US): the greeting of mailboxes without a language of their own, subscriber access before logon; an installed language pack (en-US, fr-FR)",
            (d, v) => d with { DefaultLanguage = LanguageOption.Installed(v, ConfigurationFields.DefaultLanguage) })
        .Add<bool>("--allow-dial-plan-subscribers", "Callers may be transferred to users of this dial plan", (d, v) => d with { AllowDialPlanSubscribers = v })
        .Add<bool>("--allow-extensions", "Callers may be transferred to any extension", (d, v) => d with { AllowExtensions = v })
        .AddList("--configured-in-country-or-region-groups", "In-country dialing rule Name,NumberMask,DialedNumber[,Comment]; replaces the list",
            (d, v) => d with { ConfiguredInCountryOrRegionGroups = OutdialingCommand.ParseEntries(Directory.Dialing.DialingFields.ConfiguredInCountryOrRegionGroups, v) })
        .AddList("--configured-international-groups", "International dialing rule Name,NumberMask,DialedNumber[,Comment]; replaces the list",
            (d, v) => d with { ConfiguredInternationalGroups = OutdialingCommand.ParseEntries(Directory.Dialing.DialingFields.ConfiguredInternationalGroups, v) })
        .Add<string>("--configured-in-country-or-region-groups-csv", "Import the in-country rules from a CSV file with headers Name,NumberMask,DialedNumber[,Comment]; replaces the list",
            (d, v) => d with { ConfiguredInCountryOrRegionGroups = OutdialingCommand.ReadCsv(Directory.Dialing.DialingFields.ConfiguredInCountryOrRegionGroups + "-csv", v) }, serverPath: OptionFields.AnyValue)
        .Add<string>("--configured-international-groups-csv", "Import the international rules from a CSV file with headers Name,NumberMask,DialedNumber[,Comment]; replaces the list",
            (d, v) => d with { ConfiguredInternationalGroups = OutdialingCommand.ReadCsv(Directory.Dialing.DialingFields.ConfiguredInternationalGroups + "-csv", v) }, serverPath: OptionFields.AnyValue)
        .AddList("--allowed-in-country-or-region-groups", "In-country group unauthenticated callers may dial (\"\" clears)", (d, v) => d with { AllowedInCountryOrRegionGroups = OutdialingCommand.ParseNames(v) })
        .AddList("--allowed-international-groups", "International group unauthenticated callers may dial (\"\" clears)", (d, v) => d with { AllowedInternationalGroups = OutdialingCommand.ParseNames(v) });

    public static Command Create() => ObjectCommands.Create(new ObjectCommands.Spec<DialPlan>(
        Noun: "dialplan", Title: "dial plan",
        Example: "openum dialplan new --name Contoso --number-of-digits-in-extension 4 --voip-security Unsecured",
        Fields: Fields(),
        NewObject: (name, _) => new DialPlan { Name = name, NumberOfDigitsInExtension = 0 },
        List: c => c.DialPlans,
        Find: (c, name, _) => c.FindDialPlan(name),
        Add: (s, d) => s.AddDialPlan(d),
        Update: (s, d) => s.UpdateDialPlan(d),
        Remove: (s, d) => s.RemoveDialPlan(d.Name),
        Columns:
        [
            ("Name", d => d.Name), ("Digits", d => d.NumberOfDigitsInExtension), ("UriType", d => d.UriType),
            ("VoipSecurity", d => d.VoipSecurity), ("AccessTelephoneNumbers", d => d.AccessTelephoneNumbers),
        ],
        // Attendants without a language of their own speak their greeting text and key menu in the plan's.
        PrepareInStore: AttendantSpeech.FollowDialPlanLanguage));
}
