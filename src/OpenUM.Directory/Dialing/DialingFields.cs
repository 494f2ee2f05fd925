namespace OpenUM.Directory.Dialing;

/// <summary>Field names (CLI options, as <see cref="ConfigurationFields"/>) of the dialing restrictions (OUT-1).</summary>
public static class DialingFields
{
    /// <summary>DialPlan.ConfiguredInCountryOrRegionGroups.</summary>
    public const string ConfiguredInCountryOrRegionGroups = "configured-in-country-or-region-groups";
    /// <summary>DialPlan.ConfiguredInternationalGroups.</summary>
    public const string ConfiguredInternationalGroups = "configured-international-groups";
    /// <summary>DialPlan/MailboxPolicy.AllowedInCountryOrRegionGroups.</summary>
    public const string AllowedInCountryOrRegionGroups = "allowed-in-country-or-region-groups";
    /// <summary>DialPlan/MailboxPolicy.AllowedInternationalGroups.</summary>
    public const string AllowedInternationalGroups = "allowed-international-groups";
}
