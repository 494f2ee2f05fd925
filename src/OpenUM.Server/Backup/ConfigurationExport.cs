using System.Text.Json;
using System.Text.Json.Serialization;
using OpenUM.Directory;
using OpenUM.Directory.Pins;

namespace OpenUM.Server.Backup;

/// <summary>
/// The whole configuration through the store's own API, as JSON: how a PostgreSQL store is backed up (our tables only,
/// no pg_dump needed on the host) and how any archive is restored into a store of another kind.
/// </summary>
public static class ConfigurationExport
{
    /// <summary>Name of the entry holding the export in the archive.</summary>
    public const string EntryName = "configuration.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Every object kind and the mailboxes' PIN states, read at one snapshot.</summary>
    public static ExportedConfiguration Export(IConfigurationStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var snapshot = store.Load();
        var pins = new List<ExportedPin>();
        foreach (var mailbox in snapshot.Mailboxes)
        {
            // PIN states are not configuration changes (no version): read each beside the snapshot.
            if (store.GetPin(mailbox.DialPlan, mailbox.Extension) is { } state)
                pins.Add(new ExportedPin(mailbox.DialPlan, mailbox.Extension, state));
        }

        return new ExportedConfiguration
        {
            Version = snapshot.Version,
            DialPlans = snapshot.DialPlans,
            UmServers = snapshot.UmServers,
            IpGateways = snapshot.IpGateways,
            HuntGroups = snapshot.HuntGroups,
            MailboxPolicies = snapshot.MailboxPolicies,
            AutoAttendants = snapshot.AutoAttendants,
            Mailboxes = snapshot.Mailboxes,
            Pins = pins,
        };
    }

    /// <summary>The export as UTF-8 JSON.</summary>
    public static byte[] Serialize(ExportedConfiguration configuration) => JsonSerializer.SerializeToUtf8Bytes(configuration, Json);

    /// <summary>Parses an export; malformed JSON is a <see cref="BackupException"/>.</summary>
    public static ExportedConfiguration Deserialize(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<ExportedConfiguration>(json, Json)
                ?? throw new BackupException($"the archive's {EntryName} is empty");
        }
        catch (JsonException e)
        {
            throw new BackupException($"the archive's {EntryName} cannot be read ({e.Message}): the file is damaged");
        }
    }

    /// <summary>
    /// Adds everything to <paramref name="store"/>, which must hold no configuration yet, in the order the references
    /// need (dial plans before the servers, gateways and hunt groups that name them; policies before mailboxes); each
    /// object is validated as if an administrator added it.
    /// </summary>
    public static void Import(ExportedConfiguration configuration, IConfigurationStore store)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(store);
        var current = store.Load();
        if (current.DialPlans.Count + current.IpGateways.Count + current.HuntGroups.Count + current.UmServers.Count
            + current.Mailboxes.Count + current.MailboxPolicies.Count + current.AutoAttendants.Count > 0)
        {
            throw new BackupException("the target configuration store is not empty: restore into an empty store (a new database, or without --store for the data directory's own SQLite file)");
        }

        try
        {
            foreach (var x in configuration.DialPlans) store.AddDialPlan(x);
            foreach (var x in configuration.UmServers) store.AddUmServer(x);
            foreach (var x in configuration.IpGateways) store.AddIpGateway(x);
            foreach (var x in configuration.HuntGroups) store.AddHuntGroup(x);
            foreach (var x in configuration.MailboxPolicies) store.AddMailboxPolicy(x);
            foreach (var x in configuration.Mailboxes) store.AddMailbox(x);
            // Attendants whose keys lead to other attendants come after those (the export keeps creation order).
            foreach (var x in configuration.AutoAttendants) store.AddAutoAttendant(x);
            foreach (var pin in configuration.Pins) store.SavePin(pin.DialPlan, pin.Extension, pin.State);
        }
        catch (ConfigurationValidationException e)
        {
            // Not the user's option: an object of the archive that this build's rules refuse.
            throw new BackupException($"the archive's configuration does not validate ({e.Field}: {e.Message}): restore it with the OpenUM version that wrote it");
        }
    }
}

/// <summary>Every configuration object and PIN state of a store, as <see cref="ConfigurationExport"/> writes them.</summary>
public sealed record ExportedConfiguration
{
    /// <summary>Configuration version read.</summary>
    public long Version { get; init; }
    /// <summary>Dial plans.</summary>
    public IReadOnlyList<DialPlan> DialPlans { get; init; } = [];
    /// <summary>UM server objects.</summary>
    public IReadOnlyList<UmServer> UmServers { get; init; } = [];
    /// <summary>IP gateways.</summary>
    public IReadOnlyList<IpGateway> IpGateways { get; init; } = [];
    /// <summary>Hunt groups.</summary>
    public IReadOnlyList<HuntGroup> HuntGroups { get; init; } = [];
    /// <summary>Mailbox policies.</summary>
    public IReadOnlyList<MailboxPolicy> MailboxPolicies { get; init; } = [];
    /// <summary>Mailboxes.</summary>
    public IReadOnlyList<Mailbox> Mailboxes { get; init; } = [];
    /// <summary>Auto attendants.</summary>
    public IReadOnlyList<AutoAttendant> AutoAttendants { get; init; } = [];
    /// <summary>PIN states (hashes, history, lockout), by mailbox.</summary>
    public IReadOnlyList<ExportedPin> Pins { get; init; } = [];
}

/// <summary>The PIN state of the mailbox at (dial plan, extension).</summary>
public sealed record ExportedPin(string DialPlan, string Extension, MailboxPinState State);
