namespace OpenUM.Directory;

/// <summary>What the store needs to know about one object type to add, update, remove and find it generically; <see cref="Table"/> is its provider-neutral table.</summary>
internal sealed record ObjectKind<T>(
    ConfigurationObjectType Type,
    StoreTable<T> Table,
    Func<ConfigurationSnapshot, IReadOnlyList<T>> List,
    Func<ConfigurationSnapshot, IEnumerable<T>, ConfigurationSnapshot> Replace,
    Action<T, ConfigurationSnapshot> Validate,
    Func<T, string> Key,
    Func<T, Guid> Id,
    Func<T, Guid, T> WithId)
{
    /// <summary>The item with this key (case-insensitive), or null.</summary>
    public T? Find(IEnumerable<T> items, string key) =>
        items.FirstOrDefault(x => string.Equals(Key(x), key, StringComparison.OrdinalIgnoreCase));

    /// <summary>Validates and inserts each of <paramref name="seed"/>'s objects of this kind in turn; returns the grown configuration.</summary>
    public ConfigurationSnapshot AddEach(ConfigurationSnapshot current, ConfigurationSnapshot seed, Action<T> insert)
    {
        foreach (var seeded in List(seed))
        {
            var item = Id(seeded) == Guid.Empty ? WithId(seeded, Guid.NewGuid()) : seeded;
            current = Replace(current, List(current).Append(item));
            Validate(item, current);
            insert(item);
        }

        return current;
    }
}

/// <summary>The seven object kinds.</summary>
internal static class Kinds
{
    public static readonly ObjectKind<DialPlan> DialPlan = new(
        ConfigurationObjectType.DialPlan, StoreTables.DialPlans, c => c.DialPlans, (c, l) => c.With(dialPlans: l),
        ConfigurationValidator.ValidateDialPlan, x => x.Name, x => x.Id, (x, id) => x with { Id = id });

    public static readonly ObjectKind<IpGateway> IpGateway = new(
        ConfigurationObjectType.IpGateway, StoreTables.IpGateways, c => c.IpGateways, (c, l) => c.With(ipGateways: l),
        ConfigurationValidator.ValidateIpGateway, x => x.Name, x => x.Id, (x, id) => x with { Id = id });

    public static readonly ObjectKind<HuntGroup> HuntGroup = new(
        ConfigurationObjectType.HuntGroup, StoreTables.HuntGroups, c => c.HuntGroups, (c, l) => c.With(huntGroups: l),
        ConfigurationValidator.ValidateHuntGroup, x => x.Name, x => x.Id, (x, id) => x with { Id = id });

    public static readonly ObjectKind<UmServer> UmServer = new(
        ConfigurationObjectType.UmServer, StoreTables.UmServers, c => c.UmServers, (c, l) => c.With(umServers: l),
        ConfigurationValidator.ValidateUmServer, x => x.Name, x => x.Id, (x, id) => x with { Id = id });

    public static readonly ObjectKind<Mailbox> Mailbox = new(
        ConfigurationObjectType.Mailbox, StoreTables.Mailboxes, c => c.Mailboxes, (c, l) => c.With(mailboxes: l),
        ConfigurationValidator.ValidateMailbox, x => ConfigurationChange.MailboxKey(x.DialPlan, x.Extension), x => x.Id,
        (x, id) => x with { Id = id });

    public static readonly ObjectKind<MailboxPolicy> MailboxPolicy = new(
        ConfigurationObjectType.MailboxPolicy, StoreTables.MailboxPolicies, c => c.MailboxPolicies, (c, l) => c.With(mailboxPolicies: l),
        ConfigurationValidator.ValidateMailboxPolicy, x => x.Name, x => x.Id, (x, id) => x with { Id = id });

    public static readonly ObjectKind<AutoAttendant> AutoAttendant = new(
        ConfigurationObjectType.AutoAttendant, StoreTables.AutoAttendants, c => c.AutoAttendants, (c, l) => c.With(autoAttendants: l),
        ConfigurationValidator.ValidateAutoAttendant, x => x.Name, x => x.Id, (x, id) => x with { Id = id });

    /// <summary>The key of a mailbox ("dial plan/extension"), refusing null parts.</summary>
    public static string MailboxKey(string dialPlan, string extension)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        return ConfigurationChange.MailboxKey(dialPlan, extension);
    }
}
