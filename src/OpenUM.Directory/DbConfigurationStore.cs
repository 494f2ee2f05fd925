using System.Data.Common;
using OpenUM.Directory.Pins;
using static OpenUM.Directory.StoreCommands;

namespace OpenUM.Directory;

/// <summary>
/// The configuration store over any ADO.NET database, written once for SQLite and PostgreSQL: every mutation takes
/// the writers' lock, validates against the configuration committed at that moment and writes the object and a
/// version increment in one transaction, so writers in every process serialise and nothing is half-written.
/// A provider says how to reach a connection, how to take the lock and what to do once the version moved.
/// </summary>
public abstract class DbConfigurationStore : IConfigurationStore
{
    private readonly StoreDialect _dialect;
    private readonly StorePins _pins;

    private protected DbConfigurationStore(StoreDialect dialect)
    {
        _dialect = dialect;
        _pins = new StorePins(dialect);
    }

    /// <inheritdoc/>
    public ConfigurationSnapshot Load() => Run(connection =>
    {
        using var transaction = BeginRead(connection);
        var snapshot = ReadSnapshot(connection, transaction);
        transaction.Commit();
        return snapshot;
    });

    /// <inheritdoc/>
    public long GetVersion() => Run(connection => ReadVersion(connection, null));

    /// <inheritdoc/>
    public ConfigurationChange AddDialPlan(DialPlan dialPlan) => Add(Kinds.DialPlan, dialPlan);
    /// <inheritdoc/>
    public ConfigurationChange UpdateDialPlan(DialPlan dialPlan) => Update(Kinds.DialPlan, dialPlan?.Name!, dialPlan!);
    /// <inheritdoc/>
    public ConfigurationChange RemoveDialPlan(string name) => Remove(Kinds.DialPlan, name);
    /// <inheritdoc/>
    public DialPlan? GetDialPlan(string name) => Get(Kinds.DialPlan, name);

    /// <inheritdoc/>
    public ConfigurationChange AddIpGateway(IpGateway gateway) => Add(Kinds.IpGateway, gateway);
    /// <inheritdoc/>
    public ConfigurationChange UpdateIpGateway(IpGateway gateway) => Update(Kinds.IpGateway, gateway?.Name!, gateway!);
    /// <inheritdoc/>
    public ConfigurationChange RemoveIpGateway(string name) => Remove(Kinds.IpGateway, name);
    /// <inheritdoc/>
    public IpGateway? GetIpGateway(string name) => Get(Kinds.IpGateway, name);

    /// <inheritdoc/>
    public ConfigurationChange AddHuntGroup(HuntGroup huntGroup) => Add(Kinds.HuntGroup, huntGroup);
    /// <inheritdoc/>
    public ConfigurationChange UpdateHuntGroup(HuntGroup huntGroup) => Update(Kinds.HuntGroup, huntGroup?.Name!, huntGroup!);
    /// <inheritdoc/>
    public ConfigurationChange RemoveHuntGroup(string name) => Remove(Kinds.HuntGroup, name);
    /// <inheritdoc/>
    public HuntGroup? GetHuntGroup(string name) => Get(Kinds.HuntGroup, name);

    /// <inheritdoc/>
    public ConfigurationChange AddUmServer(UmServer server) => Add(Kinds.UmServer, server);
    /// <inheritdoc/>
    public ConfigurationChange UpdateUmServer(UmServer server) => Update(Kinds.UmServer, server?.Name!, server!);
    /// <inheritdoc/>
    public ConfigurationChange RemoveUmServer(string name) => Remove(Kinds.UmServer, name);
    /// <inheritdoc/>
    public UmServer? GetUmServer(string name) => Get(Kinds.UmServer, name);

    /// <inheritdoc/>
    public ConfigurationChange AddMailboxPolicy(MailboxPolicy policy) => Add(Kinds.MailboxPolicy, policy);
    /// <inheritdoc/>
    public ConfigurationChange UpdateMailboxPolicy(MailboxPolicy policy) => Update(Kinds.MailboxPolicy, policy?.Name!, policy!);
    /// <inheritdoc/>
    public ConfigurationChange RemoveMailboxPolicy(string name) => Remove(Kinds.MailboxPolicy, name);
    /// <inheritdoc/>
    public MailboxPolicy? GetMailboxPolicy(string name) => Get(Kinds.MailboxPolicy, name);

    /// <inheritdoc/>
    public ConfigurationChange AddAutoAttendant(AutoAttendant attendant) => Add(Kinds.AutoAttendant, attendant);
    /// <inheritdoc/>
    public ConfigurationChange UpdateAutoAttendant(AutoAttendant attendant) => Update(Kinds.AutoAttendant, attendant?.Name!, attendant!);
    /// <inheritdoc/>
    public ConfigurationChange RemoveAutoAttendant(string name) => Remove(Kinds.AutoAttendant, name);
    /// <inheritdoc/>
    public AutoAttendant? GetAutoAttendant(string name) => Get(Kinds.AutoAttendant, name);
    /// <inheritdoc/>
    public ValueTask<MailboxPolicy?> GetMailboxPolicyAsync(string name, CancellationToken ct = default) =>
        Get(Kinds.MailboxPolicy, name, async: true, ct);

    /// <inheritdoc/>
    public ConfigurationChange AddMailbox(Mailbox mailbox) => Add(Kinds.Mailbox, mailbox);
    /// <inheritdoc/>
    public ConfigurationChange UpdateMailbox(string dialPlan, string extension, Mailbox mailbox) =>
        Update(Kinds.Mailbox, Kinds.MailboxKey(dialPlan, extension), mailbox, _pins.Move);
    /// <inheritdoc/>
    public ConfigurationChange RemoveMailbox(string dialPlan, string extension) =>
        Remove(Kinds.Mailbox, Kinds.MailboxKey(dialPlan, extension), _pins.Delete);
    /// <inheritdoc/>
    public Mailbox? GetMailbox(string dialPlan, string extension) => Get(Kinds.Mailbox, Kinds.MailboxKey(dialPlan, extension));
    /// <inheritdoc/>
    public ValueTask<Mailbox?> GetMailboxAsync(string dialPlan, string extension, CancellationToken ct = default) =>
        Get(Kinds.Mailbox, Kinds.MailboxKey(dialPlan, extension), async: true, ct);

    /// <inheritdoc/>
    public Mailbox? FindMailboxByExtension(string extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
        var mailboxes = Run(connection => ReadAll(_dialect, connection, null, StoreTables.Mailboxes));
        return new ConfigurationSnapshot(0, [], [], [], [], mailboxes).FindMailboxByExtension(extension);
    }

    /// <inheritdoc/>
    public MailboxPinState? GetPin(string dialPlan, string extension) => Completed(GetPin(dialPlan, extension, async: false, CancellationToken.None));
    /// <inheritdoc/>
    public ValueTask<MailboxPinState?> GetPinAsync(string dialPlan, string extension, CancellationToken ct = default) =>
        GetPin(dialPlan, extension, async: true, ct);

    /// <inheritdoc/>
    public void SavePin(string dialPlan, string extension, MailboxPinState state)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        ArgumentNullException.ThrowIfNull(state);
        if (!Run(connection => _pins.Save(connection, dialPlan, extension, state)))
        {
            throw new ConfigurationObjectNotFoundException(ConfigurationObjectType.Mailbox, Kinds.MailboxKey(dialPlan, extension));
        }
    }

    /// <inheritdoc/>
    public MailboxPinState? RecordLogonFailure(string dialPlan, string extension, int maxLogonAttempts) =>
        Completed(RecordLogonFailure(dialPlan, extension, maxLogonAttempts, async: false, CancellationToken.None));
    /// <inheritdoc/>
    public ValueTask<MailboxPinState?> RecordLogonFailureAsync(string dialPlan, string extension, int maxLogonAttempts, CancellationToken ct = default) =>
        RecordLogonFailure(dialPlan, extension, maxLogonAttempts, async: true, ct);

    /// <inheritdoc/>
    public bool RecordLogonSuccess(string dialPlan, string extension) => Completed(RecordLogonSuccess(dialPlan, extension, async: false, CancellationToken.None));
    /// <inheritdoc/>
    public ValueTask<bool> RecordLogonSuccessAsync(string dialPlan, string extension, CancellationToken ct = default) =>
        RecordLogonSuccess(dialPlan, extension, async: true, ct);

    /// <inheritdoc/>
    public bool ResetPinAfterFailures(string dialPlan, string extension, string currentHash, MailboxPinState replacement) =>
        Completed(ResetPinAfterFailures(dialPlan, extension, currentHash, replacement, async: false, CancellationToken.None));
    /// <inheritdoc/>
    public ValueTask<bool> ResetPinAfterFailuresAsync(string dialPlan, string extension, string currentHash, MailboxPinState replacement,
        CancellationToken ct = default) =>
        ResetPinAfterFailures(dialPlan, extension, currentHash, replacement, async: true, ct);

    /// <inheritdoc/>
    public bool AddIfEmpty(ConfigurationSnapshot seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        // The writers' lock serialises this with every other writer, so of servers starting at once on an empty
        // store the first seeds and the others find it configured.
        return Write((connection, transaction, current) =>
        {
            if (current.DialPlans.Count > 0 || current.IpGateways.Count > 0 || current.Mailboxes.Count > 0)
            {
                return (false, false);
            }

            current = Kinds.DialPlan.AddEach(current, seed, x => Insert(_dialect, connection, transaction, StoreTables.DialPlans, x));
            current = Kinds.IpGateway.AddEach(current, seed, x => Insert(_dialect, connection, transaction, StoreTables.IpGateways, x));
            current = Kinds.HuntGroup.AddEach(current, seed, x => Insert(_dialect, connection, transaction, StoreTables.HuntGroups, x));
            Kinds.Mailbox.AddEach(current, seed, x => Insert(_dialect, connection, transaction, StoreTables.Mailboxes, x));
            return (true, true);
        }).Result;
    }

    /// <inheritdoc/>
    public abstract void Dispose();

    /// <summary>
    /// Runs <paramref name="action"/> on a connection: the provider serialises or pools, refuses after Dispose, and
    /// turns its database's errors into the store's (a connection that cannot be made into
    /// <see cref="ConfigurationStoreUnavailableException"/>, a unique index into <see cref="ConfigurationValidationException"/>).
    /// The action gets <paramref name="async"/> and <paramref name="ct"/>; with async false nothing may wait asynchronously.
    /// </summary>
    private protected abstract ValueTask<T> Run<T>(Func<DbConnection, bool, CancellationToken, ValueTask<T>> action, bool async, CancellationToken ct);

    /// <summary>A transaction in which every table is read at one snapshot.</summary>
    private protected abstract DbTransaction BeginRead(DbConnection connection);

    /// <summary>
    /// A transaction that holds the writers' lock before anything is read, so the configuration validated against
    /// is the one written over, even with another process writing.
    /// </summary>
    private protected abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>Called inside the transaction once the version is incremented, before the commit.</summary>
    private protected virtual void VersionIncremented(DbConnection connection, DbTransaction transaction, long version)
    {
    }

    /// <summary>Commits a write transaction.</summary>
    private protected virtual void Commit(DbTransaction transaction) => transaction.Commit();

    private T Run<T>(Func<DbConnection, T> action) =>
        Completed(Run((connection, _, _) => new ValueTask<T>(action(connection)), async: false, CancellationToken.None));

    private ValueTask<MailboxPinState?> GetPin(string dialPlan, string extension, bool async, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        return Run((connection, a, t) => _pins.Read(connection, dialPlan, extension, a, t), async, ct);
    }

    private ValueTask<MailboxPinState?> RecordLogonFailure(string dialPlan, string extension, int maxLogonAttempts, bool async, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        return Run((connection, a, t) => _pins.RecordFailure(connection, dialPlan, extension, maxLogonAttempts, a, t), async, ct);
    }

    private ValueTask<bool> ResetPinAfterFailures(string dialPlan, string extension, string currentHash, MailboxPinState replacement,
        bool async, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        ArgumentNullException.ThrowIfNull(currentHash);
        ArgumentNullException.ThrowIfNull(replacement);
        return Run((connection, a, t) => _pins.ReplaceAfterFailures(connection, dialPlan, extension, currentHash, replacement, a, t), async, ct);
    }

    private ValueTask<bool> RecordLogonSuccess(string dialPlan, string extension, bool async, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        return Run((connection, a, t) => _pins.RecordSuccess(connection, dialPlan, extension, a, t), async, ct);
    }

    private ConfigurationChange Add<T>(ObjectKind<T> kind, T item)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(item);
        return Write((connection, transaction, current) =>
        {
            var list = kind.List(current);
            // A caller may copy an existing object with `with`; a fresh Id keeps identities unique.
            if (kind.Id(item) == Guid.Empty || list.Any(x => kind.Id(x) == kind.Id(item)))
            {
                item = kind.WithId(item, Guid.NewGuid());
            }

            kind.Validate(item, kind.Replace(current, list.Append(item)));
            Insert(_dialect, connection, transaction, kind.Table, item);
            return new ConfigurationChange(kind.Type, kind.Key(item), ConfigurationChangeKind.Added, null, item, 0);
        });
    }

    private ConfigurationChange Update<T>(ObjectKind<T> kind, string key, T item, Action<DbConnection, DbTransaction, T, T>? alsoWrite = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(key);
        return Write((connection, transaction, current) =>
        {
            var list = kind.List(current);
            var existing = kind.Find(list, key) ?? throw new ConfigurationObjectNotFoundException(kind.Type, key);
            item = kind.WithId(item, kind.Id(existing));
            kind.Validate(item, kind.Replace(current, list.Select(x => ReferenceEquals(x, existing) ? item : x)));
            StoreCommands.Update(_dialect, connection, transaction, kind.Table, item);
            alsoWrite?.Invoke(connection, transaction, existing, item);
            return new ConfigurationChange(kind.Type, kind.Key(item), ConfigurationChangeKind.Updated, existing, item, 0);
        });
    }

    private ConfigurationChange Remove<T>(ObjectKind<T> kind, string key, Action<DbConnection, DbTransaction, T>? alsoWrite = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(key);
        return Write((connection, transaction, current) =>
        {
            var existing = kind.Find(kind.List(current), key) ?? throw new ConfigurationObjectNotFoundException(kind.Type, key);
            ConfigurationValidator.ValidateRemoval(kind.Type, kind.Key(existing), current);
            Delete(_dialect, connection, transaction, kind.Table, kind.Id(existing));
            alsoWrite?.Invoke(connection, transaction, existing);
            return new ConfigurationChange(kind.Type, kind.Key(existing), ConfigurationChangeKind.Removed, existing, null, 0);
        });
    }

    private T? Get<T>(ObjectKind<T> kind, string key)
        where T : class => Completed(Get(kind, key, async: false, CancellationToken.None));

    private ValueTask<T?> Get<T>(ObjectKind<T> kind, string key, bool async, CancellationToken ct)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(key);
        return Run(async (connection, a, t) => kind.Find(await ReadAll(_dialect, connection, null, kind.Table, a, t).ConfigureAwait(false), key), async, ct);
    }

    // The body validates and writes; this wraps it in the transaction and the version increment.
    private ConfigurationChange Write(Func<DbConnection, DbTransaction, ConfigurationSnapshot, ConfigurationChange> body)
    {
        var (change, version) = Write((connection, transaction, current) => (body(connection, transaction, current), true));
        return change with { Version = version };
    }

    // Like Write for a body that may decide to change nothing (Changed false: no version increment). A throw
    // anywhere rolls everything back.
    private (TResult Result, long Version) Write<TResult>(
        Func<DbConnection, DbTransaction, ConfigurationSnapshot, (TResult Result, bool Changed)> body) => Run(connection =>
    {
        using var transaction = BeginWrite(connection);
        var current = ReadSnapshot(connection, transaction);
        var (result, changed) = body(connection, transaction, current);
        if (!changed)
        {
            transaction.Commit();
            return (result, current.Version);
        }

        var version = IncrementVersion(connection, transaction);
        VersionIncremented(connection, transaction, version);
        Commit(transaction);
        return (result, version);
    });

    private ConfigurationSnapshot ReadSnapshot(DbConnection connection, DbTransaction transaction) => new(
        ReadVersion(connection, transaction),
        ReadAll(_dialect, connection, transaction, StoreTables.DialPlans),
        ReadAll(_dialect, connection, transaction, StoreTables.IpGateways),
        ReadAll(_dialect, connection, transaction, StoreTables.HuntGroups),
        ReadAll(_dialect, connection, transaction, StoreTables.UmServers),
        ReadAll(_dialect, connection, transaction, StoreTables.Mailboxes),
        ReadAll(_dialect, connection, transaction, StoreTables.MailboxPolicies),
        ReadAll(_dialect, connection, transaction, StoreTables.AutoAttendants));
}
