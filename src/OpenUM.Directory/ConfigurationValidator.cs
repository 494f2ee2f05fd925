using F = OpenUM.Directory.ConfigurationFields;

namespace OpenUM.Directory;

/// <summary>
/// CFG-1: every rule a configuration object must obey, checked against the whole (candidate)
/// configuration. Each method throws <see cref="ConfigurationValidationException"/> naming the field.
/// </summary>
public static partial class ConfigurationValidator
{
    // Exchange Set-UMDialPlan ranges. MaxRecordingDuration 1-100 min is in the reference file; the
    // other ranges are from the cmdlet documentation as remembered and are [unverified].
    /// <summary>Allowed MaxCallDuration range.</summary>
    public static readonly (TimeSpan Min, TimeSpan Max) MaxCallDurationRange = (TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(120));
    /// <summary>Allowed MaxRecordingDuration range.</summary>
    public static readonly (TimeSpan Min, TimeSpan Max) MaxRecordingDurationRange = (TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(100));
    /// <summary>Allowed RecordingIdleTimeout range.</summary>
    public static readonly (TimeSpan Min, TimeSpan Max) RecordingIdleTimeoutRange = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
    /// <summary>Allowed LogonFailuresBeforeDisconnect range.</summary>
    public static readonly (int Min, int Max) LogonFailuresBeforeDisconnectRange = (1, 20);
    /// <summary>Allowed MaxCallsAllowed range (OpenUM's choice: Exchange gives none; the design targets thousands of calls).</summary>
    public static readonly (int Min, int Max) MaxCallsAllowedRange = (1, 10_000);

    /// <summary>Validates every object of a configuration; throws on the first problem.</summary>
    public static void Validate(ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var d in configuration.DialPlans) ValidateDialPlan(d, configuration);
        foreach (var g in configuration.IpGateways) ValidateIpGateway(g, configuration);
        foreach (var h in configuration.HuntGroups) ValidateHuntGroup(h, configuration);
        foreach (var s in configuration.UmServers) ValidateUmServer(s, configuration);
        foreach (var m in configuration.Mailboxes) ValidateMailbox(m, configuration);
        foreach (var p in configuration.MailboxPolicies) ValidateMailboxPolicy(p, configuration);
        foreach (var a in configuration.AutoAttendants) ValidateAutoAttendant(a, configuration);
    }

    /// <summary>Validates a dial plan and what depends on it (its mailboxes, its gateways' addresses).</summary>
    public static void ValidateDialPlan(DialPlan dialPlan, ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(configuration);
        ValidateName(dialPlan.Name, "dial plan");
        if (configuration.FindDialPlan(dialPlan.Name) is { } other && other.Id != dialPlan.Id)
        {
            throw Fail(F.Name, $"a dial plan named '{other.Name}' already exists (names are case-insensitive)");
        }

        if (dialPlan.NumberOfDigitsInExtension is < 1 or > 20)
        {
            throw Fail(F.NumberOfDigitsInExtension, $"{dialPlan.NumberOfDigitsInExtension} is out of range: an extension has 1 to 20 digits");
        }

        RequireDefined(dialPlan.UriType, F.UriType);
        RequireDefined(dialPlan.VoipSecurity, F.VoipSecurity);
        RequireDefined(dialPlan.StorageFullAction, F.StorageFullAction);
        ValidateAccessNumbers(dialPlan.AccessTelephoneNumbers);
        ValidateDigits(dialPlan.CountryOrRegionCode, F.CountryOrRegionCode, 4, optional: true, "a country calling code such as 1 or 44");
        if (dialPlan.OutsideLineAccessCode is null || (dialPlan.OutsideLineAccessCode.Length > 0 && !IsDigitsUpTo(dialPlan.OutsideLineAccessCode, 16)))
        {
            throw Fail(F.OutsideLineAccessCode, $"'{dialPlan.OutsideLineAccessCode}' is not allowed: give up to 16 digits (default 9), or empty for none");
        }

        ValidateDigits(dialPlan.InternationalAccessCode, F.InternationalAccessCode, 16, optional: true, "digits such as 011 or 00");
        ValidateDigits(dialPlan.NationalNumberPrefix, F.NationalNumberPrefix, 16, optional: true, "digits such as 1 or 0");
        ValidateRange(dialPlan.MaxCallDuration, MaxCallDurationRange, F.MaxCallDuration, "minutes");
        ValidateRange(dialPlan.MaxRecordingDuration, MaxRecordingDurationRange, F.MaxRecordingDuration, "minutes");
        ValidateRange(dialPlan.RecordingIdleTimeout, RecordingIdleTimeoutRange, F.RecordingIdleTimeout, "seconds");
        var (minLogon, maxLogon) = LogonFailuresBeforeDisconnectRange;
        if (dialPlan.LogonFailuresBeforeDisconnect < minLogon || dialPlan.LogonFailuresBeforeDisconnect > maxLogon)
        {
            throw Fail(F.LogonFailuresBeforeDisconnect, $"{dialPlan.LogonFailuresBeforeDisconnect} is out of range: allowed {minLogon} to {maxLogon}");
        }

        ValidateLanguage(dialPlan.DefaultLanguage, F.DefaultLanguage, optional: false);
        if (dialPlan.OperatorExtension is { } op && (op.Length > 32 || !ConfigurationRules.IsPhoneNumber(op)))
        {
            throw Fail(F.OperatorExtension, $"'{op}' is not allowed: give digits (optionally with a leading +), at most 32, or leave it unset");
        }

        foreach (var mailbox in configuration.MailboxesForDialPlan(dialPlan.Name))
        {
            if (mailbox.Extension?.Length != dialPlan.NumberOfDigitsInExtension)
            {
                throw Fail(F.NumberOfDigitsInExtension,
                    $"{dialPlan.NumberOfDigitsInExtension} digits would not fit mailbox extension {mailbox.Extension} ({mailbox.EmailAddress}) of dial plan '{dialPlan.Name}'; change or remove that mailbox first");
            }

            if (dialPlan.UriType == UmUriType.SipName && string.IsNullOrEmpty(mailbox.SipUri))
            {
                throw Fail(F.UriType, $"a SipName dial plan needs a SIP URI on every mailbox, and mailbox {mailbox.Extension} ({mailbox.EmailAddress}) has none");
            }
        }

        ValidateDialingRules(dialPlan);
        foreach (var policy in configuration.MailboxPoliciesForDialPlan(dialPlan.Name))
        {
            // A policy's allowed groups refer to this plan's configured groups: removing one it allows is refused here.
            ValidateAllowedGroups(policy.AllowedInCountryOrRegionGroups, Dialing.DialingFields.ConfiguredInCountryOrRegionGroups,
                dialPlan.ConfiguredInCountryOrRegionGroups, Dialing.DialingFields.ConfiguredInCountryOrRegionGroups, dialPlan.Name);
            ValidateAllowedGroups(policy.AllowedInternationalGroups, Dialing.DialingFields.ConfiguredInternationalGroups,
                dialPlan.ConfiguredInternationalGroups, Dialing.DialingFields.ConfiguredInternationalGroups, dialPlan.Name);
        }
        ValidateDialPlanAttendants(dialPlan, configuration);
        if (dialPlan.IsSecured && configuration.GatewaysForDialPlan(dialPlan.Name).FirstOrDefault(g => g.HasIPAddress) is { } ipGateway)
        {
            throw Fail(F.VoipSecurity,
                $"{dialPlan.VoipSecurity} needs every linked gateway to have an FQDN address (mutual TLS identifies peers by name), but gateway '{ipGateway.Name}' has IP address {ipGateway.Address}; give it an FQDN first");
        }
    }

    /// <summary>Validates a gateway, including the FQDN rule for the dial plans it is linked to.</summary>
    public static void ValidateIpGateway(IpGateway gateway, ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(configuration);
        ValidateName(gateway.Name, "IP gateway");
        if (configuration.FindGateway(gateway.Name) is { } other && other.Id != gateway.Id)
        {
            throw Fail(F.Name, $"an IP gateway named '{other.Name}' already exists (names are case-insensitive)");
        }

        var isIp = ConfigurationRules.IsIPAddressLiteral(gateway.Address);
        if (!isIp && !ConfigurationRules.IsHostName(gateway.Address))
        {
            throw Fail(F.Address,
                $"'{gateway.Address}' is neither an IP address (IPv4 dotted quad or IPv6, without brackets) nor a host name (RFC 1123: labels of letters, digits and '-', at most 63 characters each, separated by dots)");
        }

        if (gateway.Port is < 0 or > 65535)
        {
            throw Fail(F.Port, $"{gateway.Port} is out of range: give 1-65535, or 0 for the default (5061 for secured dial plans, 5060 otherwise)");
        }

        RequireDefined(gateway.Status, F.Status);
        RequireDefined(gateway.IPAddressFamily, F.IPAddressFamily);
        RequireDefined(gateway.MediaLatching, F.MediaLatching);
        if (isIp)
        {
            var v6 = gateway.Address.Contains(':');
            if (v6 && gateway.IPAddressFamily == IPAddressFamily.IPv4Only)
            {
                throw Fail(F.IPAddressFamily, $"address {gateway.Address} is IPv6 but the IP address family is IPv4Only; set IPv6Only or Any");
            }

            if (!v6 && gateway.IPAddressFamily == IPAddressFamily.IPv6Only)
            {
                throw Fail(F.IPAddressFamily, $"address {gateway.Address} is IPv4 but the IP address family is IPv6Only; set IPv4Only or Any");
            }

            if (configuration.DialPlansForGateway(gateway.Name).FirstOrDefault(d => d.IsSecured) is { } secured)
            {
                throw Fail(F.Address,
                    $"gateway '{gateway.Name}' is linked to {secured.VoipSecurity} dial plan '{secured.Name}', so its address must be an FQDN, not the IP address {gateway.Address} (mutual TLS identifies peers by name)");
            }
        }
    }

    /// <summary>Validates a hunt group: references, pilot uniqueness per gateway, and the FQDN rule.</summary>
    public static void ValidateHuntGroup(HuntGroup huntGroup, ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(huntGroup);
        ArgumentNullException.ThrowIfNull(configuration);
        ValidateName(huntGroup.Name, "hunt group");
        if (configuration.FindHuntGroup(huntGroup.Name) is { } other && other.Id != huntGroup.Id)
        {
            throw Fail(F.Name, $"a hunt group named '{other.Name}' already exists (names are case-insensitive)");
        }

        var gateway = string.IsNullOrEmpty(huntGroup.IpGateway) ? null : configuration.FindGateway(huntGroup.IpGateway)
            ?? throw Fail(F.IpGateway, $"IP gateway '{huntGroup.IpGateway}' does not exist; create it first");
        if (gateway is null)
        {
            throw Fail(F.IpGateway, "an IP gateway is required");
        }

        var dialPlan = string.IsNullOrEmpty(huntGroup.DialPlan) ? null : configuration.FindDialPlan(huntGroup.DialPlan)
            ?? throw Fail(F.DialPlan, $"dial plan '{huntGroup.DialPlan}' does not exist; create it first");
        if (dialPlan is null)
        {
            throw Fail(F.DialPlan, "a dial plan is required");
        }

        if (huntGroup.PilotIdentifier is { } pilot && (pilot.Length is 0 or > 64 || pilot.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == ',')))
        {
            throw Fail(F.PilotIdentifier, $"'{pilot}' is not allowed: give 1-64 characters without spaces or commas, or leave it unset for the gateway's catch-all");
        }

        foreach (var sibling in configuration.HuntGroupsForGateway(gateway.Name))
        {
            if (sibling.Id == huntGroup.Id || !string.Equals(sibling.PilotIdentifier, huntGroup.PilotIdentifier, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            throw Fail(F.PilotIdentifier, huntGroup.PilotIdentifier is null
                ? $"gateway '{gateway.Name}' already has a catch-all hunt group ('{sibling.Name}', no pilot identifier); give a pilot identifier"
                : $"pilot identifier {huntGroup.PilotIdentifier} is already used on gateway '{gateway.Name}' by hunt group '{sibling.Name}'");
        }

        if (dialPlan.IsSecured && gateway.HasIPAddress)
        {
            throw Fail(F.IpGateway,
                $"gateway '{gateway.Name}' has IP address {gateway.Address}, but dial plan '{dialPlan.Name}' is {dialPlan.VoipSecurity}: a gateway linked to a SipSecured or Secured dial plan needs an FQDN address");
        }
    }

    /// <summary>Refuses removing an object that others still reference, naming them.</summary>
    public static void ValidateRemoval(ConfigurationObjectType type, string name, ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configuration);
        var users = new List<string>();
        if (type == ConfigurationObjectType.DialPlan)
        {
            users.AddRange(configuration.HuntGroupsForDialPlan(name).Select(h => $"hunt group '{h.Name}'"));
            users.AddRange(configuration.MailboxPoliciesForDialPlan(name).Select(p => $"mailbox policy '{p.Name}'"));
            users.AddRange(configuration.AutoAttendantsForDialPlan(name).Select(a => $"auto attendant '{a.Name}'"));
            users.AddRange(configuration.UmServers
                .Where(s => s.DialPlans.Contains(name, StringComparer.OrdinalIgnoreCase))
                .Select(s => $"UM server '{s.Name}'"));
            var mailboxes = configuration.MailboxesForDialPlan(name);
            users.AddRange(mailboxes.Take(5).Select(m => $"mailbox {m.Extension} ({m.EmailAddress})"));
            if (mailboxes.Count > 5)
            {
                users.Add($"{mailboxes.Count - 5} more mailboxes");
            }
        }
        else if (type == ConfigurationObjectType.IpGateway)
        {
            users.AddRange(configuration.HuntGroupsForGateway(name).Select(h => $"hunt group '{h.Name}'"));
        }
        else if (type == ConfigurationObjectType.MailboxPolicy)
        {
            var mailboxes = configuration.Mailboxes.Where(m => string.Equals(m.MailboxPolicy, name, StringComparison.OrdinalIgnoreCase)).ToArray();
            users.AddRange(mailboxes.Take(5).Select(m => $"mailbox {m.Extension} ({m.EmailAddress})"));
            if (mailboxes.Length > 5)
            {
                users.Add($"{mailboxes.Length - 5} more mailboxes");
            }
        }

        else if (type == ConfigurationObjectType.AutoAttendant)
        {
            users.AddRange(AttendantUsers(name, configuration));
        }

        if (users.Count > 0)
        {
            throw Fail(F.Name, $"{ConfigurationChange.Describe(type)} '{name}' is still used by {string.Join(", ", users)}; remove or change those first");
        }
    }

    private static void ValidateName(string? name, string what)
    {
        if (!IsValidName(name))
        {
            throw Fail(F.Name, $"'{name}' is not a valid {what} name: give 1-{ConfigurationRules.MaxNameLength} characters without control characters or surrounding spaces");
        }
    }

    private static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= ConfigurationRules.MaxNameLength
        && !ConfigurationRules.HasControlCharacters(name) && name.Trim().Length == name.Length;

    private static void ValidateAccessNumbers(IReadOnlyList<string> numbers)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var number in numbers)
        {
            if (number is null || number.Length > 32 || !ConfigurationRules.IsPhoneNumber(number))
            {
                throw Fail(F.AccessTelephoneNumbers, $"'{number}' is not allowed: give digits with an optional leading +, at most 32 characters");
            }

            if (!seen.Add(number))
            {
                throw Fail(F.AccessTelephoneNumbers, $"{number} is listed twice");
            }
        }
    }

    private static void ValidateDigits(string? value, string field, int maxLength, bool optional, string example)
    {
        if (value is null && optional)
        {
            return;
        }

        if (!IsDigitsUpTo(value, maxLength))
        {
            throw Fail(field, $"'{value}' is not allowed: give 1-{maxLength} digits ({example}){(optional ? " or leave it unset" : "")}");
        }
    }

    private static bool IsDigitsUpTo(string? value, int maxLength) =>
        ConfigurationRules.IsDigits(value) && value!.Length <= maxLength;

    private static void ValidateRange(TimeSpan value, (TimeSpan Min, TimeSpan Max) range, string field, string unit)
    {
        if (value < range.Min || value > range.Max)
        {
            var (given, min, max) = unit == "minutes"
                ? (value.TotalMinutes, range.Min.TotalMinutes, range.Max.TotalMinutes)
                : (value.TotalSeconds, range.Min.TotalSeconds, range.Max.TotalSeconds);
            throw Fail(field, $"{given} {unit} is out of range: allowed {min} to {max} {unit}");
        }
    }

    private static void ValidateListeningPort(int port, string field)
    {
        if (port is < 1 or > 65535)
        {
            throw Fail(field, $"{port} is out of range: give a port from 1 to 65535");
        }
    }

    private static void RequireDefined<TEnum>(TEnum value, string field)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw Fail(field, $"{value} is not one of {string.Join(", ", Enum.GetNames<TEnum>())}");
        }
    }

    private static ConfigurationValidationException Fail(string field, string message) => new(field, message);
}
