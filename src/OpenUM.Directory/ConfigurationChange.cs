namespace OpenUM.Directory;

/// <summary>
/// One committed change, returned by every store mutation so the caller can write the CFG-2 audit
/// event (who is the caller's to add; what, before and after are here).
/// </summary>
/// <param name="ObjectType">Kind of object changed.</param>
/// <param name="Name">Its name; a mailbox is "dial-plan/extension".</param>
/// <param name="Kind">Added, updated or removed.</param>
/// <param name="Before">The object before the change (null when added).</param>
/// <param name="After">The object after the change (null when removed).</param>
/// <param name="Version">Configuration version committed with this change.</param>
public sealed record ConfigurationChange(
    ConfigurationObjectType ObjectType,
    string Name,
    ConfigurationChangeKind Kind,
    object? Before,
    object? After,
    long Version)
{
    /// <summary>The key a mailbox is named by in changes and errors.</summary>
    public static string MailboxKey(string dialPlan, string extension) => dialPlan + "/" + extension;

    /// <summary>Human name of an object type, e.g. "dial plan".</summary>
    public static string Describe(ConfigurationObjectType type) => type switch
    {
        ConfigurationObjectType.DialPlan => "dial plan",
        ConfigurationObjectType.IpGateway => "IP gateway",
        ConfigurationObjectType.HuntGroup => "hunt group",
        ConfigurationObjectType.UmServer => "UM server",
        ConfigurationObjectType.Mailbox => "mailbox",
        ConfigurationObjectType.MailboxPolicy => "mailbox policy",
        ConfigurationObjectType.AutoAttendant => "auto attendant",
        _ => type.ToString(),
    };
}
