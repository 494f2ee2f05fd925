namespace OpenUM.Directory;

/// <summary>
/// An immutable, consistent view of the whole configuration at one version, with case-insensitive
/// lookups built once so the call path never scans lists.
/// </summary>
public sealed class ConfigurationSnapshot
{
    private static readonly StringComparer NameComparer = StringComparer.OrdinalIgnoreCase;

    private readonly Dictionary<string, DialPlan> _dialPlans = new(NameComparer);
    private readonly Dictionary<string, IpGateway> _gateways = new(NameComparer);
    private readonly Dictionary<string, HuntGroup> _huntGroups = new(NameComparer);
    private readonly Dictionary<string, UmServer> _servers = new(NameComparer);
    private readonly Dictionary<string, Mailbox> _mailboxes = new(NameComparer);
    private readonly Dictionary<string, MailboxPolicy> _mailboxPolicies = new(NameComparer);
    private readonly Dictionary<string, List<MailboxPolicy>> _mailboxPoliciesByDialPlan = new(NameComparer);
    private readonly Dictionary<string, Mailbox> _mailboxesByEmail = new(NameComparer);
    private readonly Dictionary<string, List<Mailbox>> _mailboxesByExtension = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Mailbox>> _mailboxesByDialPlan = new(NameComparer);
    private readonly Dictionary<string, Mailbox> _mailboxesBySipAddress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<HuntGroup>> _huntGroupsByGateway = new(NameComparer);
    private readonly Dictionary<string, List<HuntGroup>> _huntGroupsByDialPlan = new(NameComparer);
    private readonly Dictionary<string, AutoAttendant> _autoAttendants = new(NameComparer);
    private readonly Dictionary<string, List<AutoAttendant>> _autoAttendantsByDialPlan = new(NameComparer);

    /// <summary>Builds a snapshot; duplicate keys do not throw (the first wins in lookups, validation reports them).</summary>
    public ConfigurationSnapshot(
        long version,
        IEnumerable<DialPlan> dialPlans,
        IEnumerable<IpGateway> ipGateways,
        IEnumerable<HuntGroup> huntGroups,
        IEnumerable<UmServer> umServers,
        IEnumerable<Mailbox> mailboxes,
        IEnumerable<MailboxPolicy>? mailboxPolicies = null,
        IEnumerable<AutoAttendant>? autoAttendants = null)
    {
        Version = version;
        DialPlans = Array.AsReadOnly(dialPlans.ToArray());
        IpGateways = Array.AsReadOnly(ipGateways.ToArray());
        HuntGroups = Array.AsReadOnly(huntGroups.ToArray());
        UmServers = Array.AsReadOnly(umServers.ToArray());
        Mailboxes = Array.AsReadOnly(mailboxes.ToArray());
        MailboxPolicies = Array.AsReadOnly((mailboxPolicies ?? []).ToArray());
        AutoAttendants = Array.AsReadOnly((autoAttendants ?? []).ToArray());
        foreach (var a in AutoAttendants)
        {
            TryIndex(_autoAttendants, a.Name, a);
            AddTo(_autoAttendantsByDialPlan, a.DialPlan, a);
        }

        foreach (var d in DialPlans)
        {
            TryIndex(_dialPlans, d.Name, d);
        }

        foreach (var g in IpGateways)
        {
            TryIndex(_gateways, g.Name, g);
        }

        foreach (var h in HuntGroups)
        {
            TryIndex(_huntGroups, h.Name, h);
            AddTo(_huntGroupsByGateway, h.IpGateway, h);
            AddTo(_huntGroupsByDialPlan, h.DialPlan, h);
        }

        foreach (var s in UmServers)
        {
            TryIndex(_servers, s.Name, s);
        }

        foreach (var p in MailboxPolicies)
        {
            TryIndex(_mailboxPolicies, p.Name, p);
            AddTo(_mailboxPoliciesByDialPlan, p.DialPlan, p);
        }

        foreach (var m in Mailboxes)
        {
            TryIndex(_mailboxes, MailboxKey(m.DialPlan, m.Extension), m);
            TryIndex(_mailboxesByEmail, m.EmailAddress, m);
            AddTo(_mailboxesByExtension, m.Extension, m);
            AddTo(_mailboxesByDialPlan, m.DialPlan, m);
            TryIndex(_mailboxesBySipAddress, SipAddressKey(m.DialPlan, m.SipUri), m);
        }
    }

    /// <summary>An empty configuration at version 0.</summary>
    public static ConfigurationSnapshot Empty { get; } = new(0, [], [], [], [], []);

    /// <summary>Store version this snapshot was read at.</summary>
    public long Version { get; }

    /// <summary>All dial plans, in store order.</summary>
    public IReadOnlyList<DialPlan> DialPlans { get; }

    /// <summary>All IP gateways.</summary>
    public IReadOnlyList<IpGateway> IpGateways { get; }

    /// <summary>All hunt groups.</summary>
    public IReadOnlyList<HuntGroup> HuntGroups { get; }

    /// <summary>All UM servers.</summary>
    public IReadOnlyList<UmServer> UmServers { get; }

    /// <summary>All mailboxes.</summary>
    public IReadOnlyList<Mailbox> Mailboxes { get; }

    /// <summary>All mailbox policies.</summary>
    public IReadOnlyList<MailboxPolicy> MailboxPolicies { get; }

    /// <summary>All auto attendants.</summary>
    public IReadOnlyList<AutoAttendant> AutoAttendants { get; }

    /// <summary>The auto attendant with this name (case-insensitive), or null.</summary>
    public AutoAttendant? FindAutoAttendant(string name) => _autoAttendants.GetValueOrDefault(name);

    /// <summary>Auto attendants of a dial plan.</summary>
    public IReadOnlyList<AutoAttendant> AutoAttendantsForDialPlan(string dialPlan) => Lookup(_autoAttendantsByDialPlan, dialPlan);

    /// <summary>The auto attendant of <paramref name="dialPlan"/> one of whose pilot numbers is <paramref name="called"/>, or null.</summary>
    public AutoAttendant? FindAutoAttendantByPilot(string dialPlan, string? called) =>
        AutoAttendantsForDialPlan(dialPlan).FirstOrDefault(a => a.Answers(called));

    /// <summary>The mailbox policy with this name (case-insensitive), or null.</summary>
    public MailboxPolicy? FindMailboxPolicy(string name) => _mailboxPolicies.GetValueOrDefault(name);

    /// <summary>Mailbox policies that belong to a dial plan.</summary>
    public IReadOnlyList<MailboxPolicy> MailboxPoliciesForDialPlan(string dialPlan) => Lookup(_mailboxPoliciesByDialPlan, dialPlan);

    /// <summary>
    /// The policy that governs a mailbox: the one it names, or <see cref="MailboxPolicy.DefaultFor"/> its dial
    /// plan when it names none (or, in a store edited behind validation, one that does not exist).
    /// </summary>
    public MailboxPolicy PolicyFor(Mailbox mailbox)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        return mailbox.MailboxPolicy is { } name && FindMailboxPolicy(name) is { } policy
            ? policy
            : MailboxPolicy.DefaultFor(mailbox.DialPlan);
    }

    /// <summary>The dial plan with this name (case-insensitive), or null.</summary>
    public DialPlan? FindDialPlan(string name) => _dialPlans.GetValueOrDefault(name);

    /// <summary>The IP gateway with this name (case-insensitive), or null.</summary>
    public IpGateway? FindGateway(string name) => _gateways.GetValueOrDefault(name);

    /// <summary>The hunt group with this name (case-insensitive), or null.</summary>
    public HuntGroup? FindHuntGroup(string name) => _huntGroups.GetValueOrDefault(name);

    /// <summary>The UM server with this name (case-insensitive), or null.</summary>
    public UmServer? FindUmServer(string name) => _servers.GetValueOrDefault(name);

    /// <summary>The mailbox with this extension in this dial plan, or null.</summary>
    public Mailbox? FindMailbox(string dialPlan, string extension) =>
        _mailboxes.GetValueOrDefault(MailboxKey(dialPlan, extension)!);

    /// <summary>
    /// The mailbox of this dial plan whose SIP URI names the same address as <paramref name="sipUri"/> (compared as
    /// <see cref="Mailbox.SipAddressOf"/>: sip or sips, port and parameters aside), or null. How SipName dial plans find a mailbox.
    /// </summary>
    public Mailbox? FindMailboxBySipUri(string dialPlan, string sipUri) =>
        SipAddressKey(dialPlan, sipUri) is { } key ? _mailboxesBySipAddress.GetValueOrDefault(key) : null;

    /// <summary>The mailbox delivering to this address (case-insensitive), or null.</summary>
    public Mailbox? FindMailboxByEmail(string emailAddress) => _mailboxesByEmail.GetValueOrDefault(emailAddress);

    /// <summary>Mailboxes with this extension in any dial plan.</summary>
    public IReadOnlyList<Mailbox> FindMailboxesByExtension(string extension) => Lookup(_mailboxesByExtension, extension);

    /// <summary>
    /// The only mailbox with this extension, or null when none; throws <see cref="ConfigurationValidationException"/>
    /// (field "dial-plan") when several dial plans have it, so the CLI can ask for the dial plan.
    /// </summary>
    public Mailbox? FindMailboxByExtension(string extension)
    {
        var matches = FindMailboxesByExtension(extension);
        return matches.Count switch
        {
            0 => null,
            1 => matches[0],
            _ => throw new ConfigurationValidationException(
                ConfigurationFields.DialPlan,
                $"extension {extension} exists in several dial plans ({string.Join(", ", matches.Select(m => m.DialPlan))}); name the dial plan"),
        };
    }

    /// <summary>Mailboxes of a dial plan.</summary>
    public IReadOnlyList<Mailbox> MailboxesForDialPlan(string dialPlan) => Lookup(_mailboxesByDialPlan, dialPlan);

    /// <summary>Hunt groups of a gateway.</summary>
    public IReadOnlyList<HuntGroup> HuntGroupsForGateway(string gateway) => Lookup(_huntGroupsByGateway, gateway);

    /// <summary>Hunt groups that lead to a dial plan.</summary>
    public IReadOnlyList<HuntGroup> HuntGroupsForDialPlan(string dialPlan) => Lookup(_huntGroupsByDialPlan, dialPlan);

    /// <summary>Distinct existing dial plans a gateway is linked to through its hunt groups.</summary>
    public IReadOnlyList<DialPlan> DialPlansForGateway(string gateway) =>
        HuntGroupsForGateway(gateway).Select(h => FindDialPlan(h.DialPlan)).OfType<DialPlan>().Distinct().ToArray();

    /// <summary>Distinct existing gateways linked to a dial plan through hunt groups.</summary>
    public IReadOnlyList<IpGateway> GatewaysForDialPlan(string dialPlan) =>
        HuntGroupsForDialPlan(dialPlan).Select(h => FindGateway(h.IpGateway)).OfType<IpGateway>().Distinct().ToArray();

    /// <summary>Dial plans a server answers for: its list, or every dial plan when the list is empty (RUN-1).</summary>
    public IReadOnlyList<DialPlan> DialPlansServedBy(UmServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return server.DialPlans.Count == 0
            ? DialPlans
            : server.DialPlans.Select(FindDialPlan).OfType<DialPlan>().Distinct().ToArray();
    }

    /// <summary>A copy with some lists replaced (used to build the candidate configuration of a change).</summary>
    internal ConfigurationSnapshot With(
        IEnumerable<DialPlan>? dialPlans = null,
        IEnumerable<IpGateway>? ipGateways = null,
        IEnumerable<HuntGroup>? huntGroups = null,
        IEnumerable<UmServer>? umServers = null,
        IEnumerable<Mailbox>? mailboxes = null,
        IEnumerable<MailboxPolicy>? mailboxPolicies = null,
        IEnumerable<AutoAttendant>? autoAttendants = null) =>
        new(Version, dialPlans ?? DialPlans, ipGateways ?? IpGateways, huntGroups ?? HuntGroups, umServers ?? UmServers, mailboxes ?? Mailboxes,
            mailboxPolicies ?? MailboxPolicies, autoAttendants ?? AutoAttendants);

    private static string? SipAddressKey(string? dialPlan, string? sipUri) =>
        dialPlan is null || Mailbox.SipAddressOf(sipUri) is not { } address ? null : dialPlan.ToLowerInvariant() + "\u001f" + address;

    private static string? MailboxKey(string? dialPlan, string? extension) =>
        dialPlan is null || extension is null ? null : dialPlan + "\u001f" + extension;

    // Keys can be null only in objects that never passed validation; they are left out of the indexes
    // so that validating such a candidate reports the field instead of crashing here.
    private static void TryIndex<T>(Dictionary<string, T> index, string? key, T item)
    {
        if (key is not null)
        {
            index.TryAdd(key, item);
        }
    }

    private static void AddTo<T>(Dictionary<string, List<T>> index, string? key, T item)
    {
        if (key is null)
        {
            return;
        }

        if (!index.TryGetValue(key, out var list))
        {
            index[key] = list = [];
        }

        list.Add(item);
    }

    private static IReadOnlyList<T> Lookup<T>(Dictionary<string, List<T>> index, string key) =>
        index.TryGetValue(key, out var list) ? list.AsReadOnly() : [];
}
