using System.Data;
using System.Globalization;
using Npgsql;

namespace OpenUM.Directory.Postgres;

/// <summary>
/// The shared configuration store (CFG-3): one PostgreSQL database used by several servers and CLIs at once.
/// Same semantics as <see cref="SqliteConfigurationStore"/>: every mutation locks the version row, validates
/// against the configuration committed at that moment and writes object, version increment and a NOTIFY on
/// <see cref="NotificationChannel"/> in one transaction (the notification leaves only if it commits).
/// </summary>
public sealed class PostgresConfigurationStore : IConfigurationStore
{
    /// <summary>LISTEN/NOTIFY channel; the payload is the new configuration version.</summary>
    public const string NotificationChannel = "openum_config";

    private readonly NpgsqlDataSource _source;
    private int _disposed;

    /// <summary>Connects (Npgsql connection string, see <see cref="StoreLocation"/>) and applies pending migrations.</summary>
    public PostgresConfigurationStore(StoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        Location = location;
        _source = NpgsqlDataSource.Create(location.ConnectionString);
        try
        {
            Guard(() => PostgresSchema.Migrate(_source, DateTimeOffset.UtcNow));
        }
        catch
        {
            _source.Dispose();
            throw;
        }
    }

    /// <summary>Where the store is (its text form never holds the password).</summary>
    public StoreLocation Location { get; }

    /// <summary>Schema version this build creates and understands (the same as SQLite's).</summary>
    public static int SchemaVersion => PostgresSchema.LatestVersion;

    /// <inheritdoc/>
    public ConfigurationSnapshot Load() => Guard(() =>
    {
        using var connection = _source.OpenConnection();
        // REPEATABLE READ: every table is read at one snapshot, so the version matches the rows.
        using var transaction = connection.BeginTransaction(IsolationLevel.RepeatableRead);
        var snapshot = ReadSnapshot(connection, transaction);
        transaction.Commit();
        return snapshot;
    });

    /// <inheritdoc/>
    public long GetVersion() => Guard(() =>
    {
        using var connection = _source.OpenConnection();
        using var command = new NpgsqlCommand("SELECT version FROM config_version WHERE id = 1", connection);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    });

    /// <inheritdoc/>
    public ConfigurationChange AddDialPlan(DialPlan dialPlan) => Add(Kinds.DialPlan, PostgresTables.DialPlans, dialPlan);
    /// <inheritdoc/>
    public ConfigurationChange UpdateDialPlan(DialPlan dialPlan) => Update(Kinds.DialPlan, PostgresTables.DialPlans, dialPlan?.Name!, dialPlan!);
    /// <inheritdoc/>
    public ConfigurationChange RemoveDialPlan(string name) => Remove(Kinds.DialPlan, PostgresTables.DialPlans, name);
    /// <inheritdoc/>
    public DialPlan? GetDialPlan(string name) => Get(Kinds.DialPlan, PostgresTables.DialPlans, name);

    /// <inheritdoc/>
    public ConfigurationChange AddIpGateway(IpGateway gateway) => Add(Kinds.IpGateway, PostgresTables.IpGateways, gateway);
    /// <inheritdoc/>
    public ConfigurationChange UpdateIpGateway(IpGateway gateway) => Update(Kinds.IpGateway, PostgresTables.IpGateways, gateway?.Name!, gateway!);
    /// <inheritdoc/>
    public ConfigurationChange RemoveIpGateway(string name) => Remove(Kinds.IpGateway, PostgresTables.IpGateways, name);
    /// <inheritdoc/>
    public IpGateway? GetIpGateway(string name) => Get(Kinds.IpGateway, PostgresTables.IpGateways, name);

    /// <inheritdoc/>
    public ConfigurationChange AddHuntGroup(HuntGroup huntGroup) => Add(Kinds.HuntGroup, PostgresTables.HuntGroups, huntGroup);
    /// <inheritdoc/>
    public ConfigurationChange UpdateHuntGroup(HuntGroup huntGroup) => Update(Kinds.HuntGroup, PostgresTables.HuntGroups, huntGroup?.Name!, huntGroup!);
    /// <inheritdoc/>
    public ConfigurationChange RemoveHuntGroup(string name) => Remove(Kinds.HuntGroup, PostgresTables.HuntGroups, name);
    /// <inheritdoc/>
    public HuntGroup? GetHuntGroup(string name) => Get(Kinds.HuntGroup, PostgresTables.HuntGroups, name);

    /// <inheritdoc/>
    public ConfigurationChange AddUmServer(UmServer server) => Add(Kinds.UmServer, PostgresTables.UmServers, server);
    /// <inheritdoc/>
    public ConfigurationChange UpdateUmServer(UmServer server) => Update(Kinds.UmServer, PostgresTables.UmServers, server?.Name!, server!);
    /// <inheritdoc/>
    public ConfigurationChange RemoveUmServer(string name) => Remove(Kinds.UmServer, PostgresTables.UmServers, name);
    /// <inheritdoc/>
    public UmServer? GetUmServer(string name) => Get(Kinds.UmServer, PostgresTables.UmServers, name);

    /// <inheritdoc/>
    public ConfigurationChange AddMailboxPolicy(MailboxPolicy policy) => Add(Kinds.MailboxPolicy, PostgresTables.MailboxPolicies, policy);
    /// <inheritdoc/>
    public ConfigurationChange UpdateMailboxPolicy(MailboxPolicy policy) =>
        Update(Kinds.MailboxPolicy, PostgresTables.MailboxPolicies, policy?.Name!, policy!);
    /// <inheritdoc/>
    public ConfigurationChange RemoveMailboxPolicy(string name) => Remove(Kinds.MailboxPolicy, PostgresTables.MailboxPolicies, name);
    /// <inheritdoc/>
    public MailboxPolicy? GetMailboxPolicy(string name) => Get(Kinds.MailboxPolicy, PostgresTables.MailboxPolicies, name);

    /// <inheritdoc/>
    public ConfigurationChange AddMailbox(Mailbox mailbox) => Add(Kinds.Mailbox, PostgresTables.Mailboxes, mailbox);
    /// <inheritdoc/>
    public ConfigurationChange UpdateMailbox(string dialPlan, string extension, Mailbox mailbox) =>
        Update(Kinds.Mailbox, PostgresTables.Mailboxes, Kinds.MailboxKey(dialPlan, extension), mailbox,
            (connection, transaction, before, after) => PostgresPolicySchema.MovePin(connection, transaction, before, after));
    /// <inheritdoc/>
    public ConfigurationChange RemoveMailbox(string dialPlan, string extension) =>
        Remove(Kinds.Mailbox, PostgresTables.Mailboxes, Kinds.MailboxKey(dialPlan, extension),
            (connection, transaction, removed) => PostgresPolicySchema.DeletePin(connection, transaction, removed.DialPlan, removed.Extension));
    /// <inheritdoc/>
    public Mailbox? GetMailbox(string dialPlan, string extension) => Get(Kinds.Mailbox, PostgresTables.Mailboxes, Kinds.MailboxKey(dialPlan, extension));

    /// <inheritdoc/>
    public Mailbox? FindMailboxByExtension(string extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
        var mailboxes = Guard(() =>
        {
            using var connection = _source.OpenConnection();
            return PostgresTables.Mailboxes.ReadAll(connection, null);
        });
        return new ConfigurationSnapshot(0, [], [], [], [], mailboxes).FindMailboxByExtension(extension);
    }

    /// <inheritdoc/>
    public MailboxPinState? GetPin(string dialPlan, string extension)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        return Guard(() =>
        {
            using var connection = _source.OpenConnection();
            return PostgresPolicySchema.ReadPin(connection, dialPlan, extension);
        });
    }

    /// <inheritdoc/>
    public void SavePin(string dialPlan, string extension, MailboxPinState state)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        ArgumentNullException.ThrowIfNull(state);
        var written = Guard(() =>
        {
            using var connection = _source.OpenConnection();
            return PostgresPolicySchema.WritePin(connection, dialPlan, extension, state);
        });
        if (!written)
        {
            throw new ConfigurationObjectNotFoundException(ConfigurationObjectType.Mailbox, Kinds.MailboxKey(dialPlan, extension));
        }
    }

    /// <inheritdoc/>
    public MailboxPinState? RecordLogonFailure(string dialPlan, string extension, int maxLogonAttempts)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        return Guard(() =>
        {
            using var connection = _source.OpenConnection();
            return PostgresPolicySchema.RecordFailure(connection, dialPlan, extension, maxLogonAttempts);
        });
    }

    /// <inheritdoc/>
    public bool RecordLogonSuccess(string dialPlan, string extension)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        return Guard(() =>
        {
            using var connection = _source.OpenConnection();
            return PostgresPolicySchema.RecordSuccess(connection, dialPlan, extension);
        });
    }

    /// <inheritdoc/>
    public bool AddIfEmpty(ConfigurationSnapshot seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        // The version row lock taken by WriteCore serialises this with every other writer, so of servers starting
        // at once on an empty store the first seeds and the others find it configured.
        return WriteCore((connection, transaction, current) =>
        {
            if (current.DialPlans.Count > 0 || current.IpGateways.Count > 0 || current.Mailboxes.Count > 0)
            {
                return (false, false);
            }

            current = Kinds.DialPlan.AddEach(current, seed, x => PostgresTables.DialPlans.Insert(connection, transaction, x));
            current = Kinds.IpGateway.AddEach(current, seed, x => PostgresTables.IpGateways.Insert(connection, transaction, x));
            current = Kinds.HuntGroup.AddEach(current, seed, x => PostgresTables.HuntGroups.Insert(connection, transaction, x));
            Kinds.Mailbox.AddEach(current, seed, x => PostgresTables.Mailboxes.Insert(connection, transaction, x));
            return (true, true);
        }).Result;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _source.Dispose();
        }
    }

    private ConfigurationChange Add<T>(ObjectKind<T> kind, PostgresTable<T> table, T item)
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
            table.Insert(connection, transaction, item);
            return new ConfigurationChange(kind.Type, kind.Key(item), ConfigurationChangeKind.Added, null, item, 0);
        });
    }

    private ConfigurationChange Update<T>(ObjectKind<T> kind, PostgresTable<T> table, string key, T item,
        Action<NpgsqlConnection, NpgsqlTransaction, T, T>? alsoWrite = null)
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
            table.Update(connection, transaction, item);
            alsoWrite?.Invoke(connection, transaction, existing, item);
            return new ConfigurationChange(kind.Type, kind.Key(item), ConfigurationChangeKind.Updated, existing, item, 0);
        });
    }

    private ConfigurationChange Remove<T>(ObjectKind<T> kind, PostgresTable<T> table, string key,
        Action<NpgsqlConnection, NpgsqlTransaction, T>? alsoWrite = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(key);
        return Write((connection, transaction, current) =>
        {
            var existing = kind.Find(kind.List(current), key) ?? throw new ConfigurationObjectNotFoundException(kind.Type, key);
            ConfigurationValidator.ValidateRemoval(kind.Type, kind.Key(existing), current);
            table.Delete(connection, transaction, kind.Id(existing));
            alsoWrite?.Invoke(connection, transaction, existing);
            return new ConfigurationChange(kind.Type, kind.Key(existing), ConfigurationChangeKind.Removed, existing, null, 0);
        });
    }

    private T? Get<T>(ObjectKind<T> kind, PostgresTable<T> table, string key)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(key);
        return Guard(() =>
        {
            using var connection = _source.OpenConnection();
            return kind.Find(table.ReadAll(connection, null), key);
        });
    }

    // The body validates and writes; this wraps it in the transaction, the version bump and the NOTIFY.
    private ConfigurationChange Write(Func<NpgsqlConnection, NpgsqlTransaction, ConfigurationSnapshot, ConfigurationChange> body)
    {
        var (change, version) = WriteCore((connection, transaction, current) => (body(connection, transaction, current), true));
        return change with { Version = version };
    }

    // Like Write for a body that may decide to change nothing (Changed false: no version bump, no NOTIFY).
    private (TResult Result, long Version) WriteCore<TResult>(
        Func<NpgsqlConnection, NpgsqlTransaction, ConfigurationSnapshot, (TResult Result, bool Changed)> body) => Guard(() =>
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var connection = _source.OpenConnection();
        using var transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted);
        // Locking the version row first serialises writers from every process: each later statement of this
        // READ COMMITTED transaction sees every change committed before the lock was granted, so the
        // configuration validated against is the one written over. A throw rolls everything back.
        Execute(connection, transaction, "SELECT version FROM config_version WHERE id = 1 FOR UPDATE");
        var current = ReadSnapshot(connection, transaction);
        var (result, changed) = body(connection, transaction, current);
        if (!changed)
        {
            transaction.Commit();
            return (result, current.Version);
        }

        long version;
        using (var bump = new NpgsqlCommand("UPDATE config_version SET version = version + 1 WHERE id = 1 RETURNING version", connection, transaction))
        {
            version = Convert.ToInt64(bump.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        using (var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @version)", connection, transaction))
        {
            notify.Parameters.AddWithValue("channel", NotificationChannel);
            notify.Parameters.AddWithValue("version", version.ToString(CultureInfo.InvariantCulture));
            notify.ExecuteNonQuery();
        }

        try
        {
            transaction.Commit();
        }
        catch (NpgsqlException e)
        {
            // Not retried: the commit may have reached the server before the connection failed.
            throw new ConfigurationStoreUnavailableException(
                $"configuration store {Location}: the connection failed while committing; the change may or may not be saved (check with get): {e.Message}", e);
        }

        return (result, version);
    });

    private static ConfigurationSnapshot ReadSnapshot(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        using var command = new NpgsqlCommand("SELECT version FROM config_version WHERE id = 1", connection, transaction);
        var version = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        return new ConfigurationSnapshot(
            version,
            PostgresTables.DialPlans.ReadAll(connection, transaction),
            PostgresTables.IpGateways.ReadAll(connection, transaction),
            PostgresTables.HuntGroups.ReadAll(connection, transaction),
            PostgresTables.UmServers.ReadAll(connection, transaction),
            PostgresTables.Mailboxes.ReadAll(connection, transaction),
            PostgresTables.MailboxPolicies.ReadAll(connection, transaction));
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }

    // Database errors become typed errors: a unique index the validator did not see coming (an object
    // written behind its back) names the field; an unreachable server names the store without its password.
    private T Guard<T>(Func<T> action)
    {
        try
        {
            try
            {
                return action();
            }
            catch (NpgsqlException e) when (IsBrokenConnection(e))
            {
                // After a server restart or failover every pooled connection is dead, and the pool only finds out
                // by using one: drop them all and try once more on a fresh connection (nothing was committed).
                _source.Clear();
                return action();
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            var field = e.ConstraintName switch
            {
                "mailboxes_extension" => ConfigurationFields.Extension,
                "mailboxes_email_address" => ConfigurationFields.Email,
                _ => ConfigurationFields.Name,
            };
            throw new ConfigurationValidationException(field, $"already in use ({e.TableName}, constraint {e.ConstraintName})");
        }
        catch (NpgsqlException e)
        {
            throw new ConfigurationStoreUnavailableException($"configuration store {Location}: {e.Message}", e);
        }
        catch (TimeoutException e)
        {
            throw new ConfigurationStoreUnavailableException($"configuration store {Location}: {e.Message}", e);
        }
    }

    private static bool IsBrokenConnection(NpgsqlException e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow }
        || (e is not PostgresException && e.InnerException is IOException or System.Net.Sockets.SocketException or EndOfStreamException);

    private void Guard(Action action) => Guard(() =>
    {
        action();
        return 0;
    });
}
