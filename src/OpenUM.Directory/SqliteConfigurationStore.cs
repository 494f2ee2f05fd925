using Microsoft.Data.Sqlite;

namespace OpenUM.Directory;

/// <summary>
/// The embedded configuration store: one SQLite file (WAL mode, owner-only permissions), safe to use
/// from several processes at once (the CLI while the server runs). Every mutation reads, validates and
/// writes inside one BEGIN IMMEDIATE transaction, so concurrent writers serialise and nothing is half-written.
/// </summary>
public sealed class SqliteConfigurationStore : IConfigurationStore
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private bool _disposed;

    /// <summary>Opens (creating if missing) the store at <paramref name="path"/> and applies pending migrations.</summary>
    public SqliteConfigurationStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = Path.GetFullPath(path);
        PrepareFile(FilePath);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Without pooling, Dispose really closes the file, which tests and file moves rely on.
            Pooling = false,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString());
        try
        {
            _connection.Open();
            Pragma($"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}");
            Pragma("PRAGMA journal_mode = WAL");
            // FULL: a committed configuration change survives power loss, and changes are rare.
            Pragma("PRAGMA synchronous = FULL");
            SqliteSchema.Migrate(_connection, DateTimeOffset.UtcNow);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>Full path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>Schema version this build creates and understands.</summary>
    public static int SchemaVersion => SqliteSchema.LatestVersion;

    /// <inheritdoc/>
    public ConfigurationSnapshot Load()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // A deferred read transaction sees one consistent WAL snapshot across all tables.
            using var transaction = _connection.BeginTransaction(deferred: true);
            var snapshot = ReadSnapshot(transaction);
            transaction.Commit();
            return snapshot;
        }
    }

    /// <inheritdoc/>
    public long GetVersion()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return ReadVersion(null);
        }
    }

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
    public ConfigurationChange AddMailbox(Mailbox mailbox) => Add(Kinds.Mailbox, mailbox);
    /// <inheritdoc/>
    public ConfigurationChange UpdateMailbox(string dialPlan, string extension, Mailbox mailbox) =>
        Update(Kinds.Mailbox, Kinds.MailboxKey(dialPlan, extension), mailbox, (transaction, before, after) =>
            SqlitePins.Move(_connection, transaction, before.DialPlan, before.Extension, after.DialPlan, after.Extension));
    /// <inheritdoc/>
    public ConfigurationChange RemoveMailbox(string dialPlan, string extension) => Remove(Kinds.Mailbox, Kinds.MailboxKey(dialPlan, extension),
        (transaction, removed) => SqlitePins.Delete(_connection, transaction, removed.DialPlan, removed.Extension));
    /// <inheritdoc/>
    public Mailbox? GetMailbox(string dialPlan, string extension) => Get(Kinds.Mailbox, Kinds.MailboxKey(dialPlan, extension));

    /// <inheritdoc/>
    public ConfigurationChange AddMailboxPolicy(MailboxPolicy policy) => Add(Kinds.MailboxPolicy, policy);
    /// <inheritdoc/>
    public ConfigurationChange UpdateMailboxPolicy(MailboxPolicy policy) => Update(Kinds.MailboxPolicy, policy?.Name!, policy!);
    /// <inheritdoc/>
    public ConfigurationChange RemoveMailboxPolicy(string name) => Remove(Kinds.MailboxPolicy, name);
    /// <inheritdoc/>
    public MailboxPolicy? GetMailboxPolicy(string name) => Get(Kinds.MailboxPolicy, name);

    /// <inheritdoc/>
    public MailboxPinState? GetPin(string dialPlan, string extension)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return SqlitePins.Read(_connection, null, dialPlan, extension);
        }
    }

    /// <inheritdoc/>
    public void SavePin(string dialPlan, string extension, MailboxPinState state)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _connection.BeginTransaction(deferred: false);
            if (Kinds.Mailbox.Find(SqliteTables.Mailboxes.ReadAll(_connection, transaction), Kinds.MailboxKey(dialPlan, extension)) is null)
            {
                throw new ConfigurationObjectNotFoundException(ConfigurationObjectType.Mailbox, Kinds.MailboxKey(dialPlan, extension));
            }

            SqlitePins.Upsert(_connection, transaction, dialPlan, extension, state);
            transaction.Commit();
        }
    }

    /// <inheritdoc/>
    public MailboxPinState? RecordLogonFailure(string dialPlan, string extension, int maxLogonAttempts)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return SqlitePins.RecordFailure(_connection, dialPlan, extension, maxLogonAttempts);
        }
    }

    /// <inheritdoc/>
    public bool RecordLogonSuccess(string dialPlan, string extension)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return SqlitePins.RecordSuccess(_connection, dialPlan, extension);
        }
    }

    /// <inheritdoc/>
    public bool AddIfEmpty(ConfigurationSnapshot seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        return Write((transaction, current) =>
        {
            if (current.DialPlans.Count > 0 || current.IpGateways.Count > 0 || current.Mailboxes.Count > 0)
            {
                return false;
            }

            current = Kinds.DialPlan.AddEach(current, seed, x => SqliteTables.DialPlans.Insert(_connection, transaction, x));
            current = Kinds.IpGateway.AddEach(current, seed, x => SqliteTables.IpGateways.Insert(_connection, transaction, x));
            current = Kinds.HuntGroup.AddEach(current, seed, x => SqliteTables.HuntGroups.Insert(_connection, transaction, x));
            Kinds.Mailbox.AddEach(current, seed, x => SqliteTables.Mailboxes.Insert(_connection, transaction, x));
            IncrementVersion(transaction);
            return true;
        });
    }

    /// <inheritdoc/>
    public Mailbox? FindMailboxByExtension(string extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
        List<Mailbox> mailboxes;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            mailboxes = SqliteTables.Mailboxes.ReadAll(_connection, null);
        }

        return new ConfigurationSnapshot(0, [], [], [], [], mailboxes).FindMailboxByExtension(extension);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _connection.Dispose();
        }
    }

    private ConfigurationChange Add<T>(ObjectKind<T> kind, T item)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(item);
        return Write((transaction, current) =>
        {
            var list = kind.List(current);
            // A caller may copy an existing object with `with`; a fresh Id keeps identities unique.
            if (kind.Id(item) == Guid.Empty || list.Any(x => kind.Id(x) == kind.Id(item)))
            {
                item = kind.WithId(item, Guid.NewGuid());
            }

            var candidate = kind.Replace(current, list.Append(item));
            kind.Validate(item, candidate);
            kind.Table.Insert(_connection, transaction, item);
            return new ConfigurationChange(kind.Type, kind.Key(item), ConfigurationChangeKind.Added, null, item, IncrementVersion(transaction));
        });
    }

    private ConfigurationChange Update<T>(ObjectKind<T> kind, string key, T item, Action<SqliteTransaction, T, T>? alsoWrite = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(key);
        return Write((transaction, current) =>
        {
            var list = kind.List(current);
            var existing = kind.Find(list, key) ?? throw new ConfigurationObjectNotFoundException(kind.Type, key);
            item = kind.WithId(item, kind.Id(existing));
            var candidate = kind.Replace(current, list.Select(x => ReferenceEquals(x, existing) ? item : x));
            kind.Validate(item, candidate);
            kind.Table.Update(_connection, transaction, item);
            alsoWrite?.Invoke(transaction, existing, item);
            return new ConfigurationChange(kind.Type, kind.Key(item), ConfigurationChangeKind.Updated, existing, item, IncrementVersion(transaction));
        });
    }

    private ConfigurationChange Remove<T>(ObjectKind<T> kind, string key, Action<SqliteTransaction, T>? alsoWrite = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(key);
        return Write((transaction, current) =>
        {
            var existing = kind.Find(kind.List(current), key) ?? throw new ConfigurationObjectNotFoundException(kind.Type, key);
            ConfigurationValidator.ValidateRemoval(kind.Type, kind.Key(existing), current);
            kind.Table.Delete(_connection, transaction, kind.Id(existing));
            alsoWrite?.Invoke(transaction, existing);
            return new ConfigurationChange(kind.Type, kind.Key(existing), ConfigurationChangeKind.Removed, existing, null, IncrementVersion(transaction));
        });
    }

    private T? Get<T>(ObjectKind<T> kind, string key)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return kind.Find(kind.Table.ReadAll(_connection, null), key);
        }
    }

    private TResult Write<TResult>(Func<SqliteTransaction, ConfigurationSnapshot, TResult> body)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // BEGIN IMMEDIATE takes the write lock first, so the configuration validated against is the
            // one written over, even with another process writing; a throw rolls everything back.
            using var transaction = _connection.BeginTransaction(deferred: false);
            var change = body(transaction, ReadSnapshot(transaction));
            transaction.Commit();
            return change;
        }
    }

    private ConfigurationSnapshot ReadSnapshot(SqliteTransaction transaction) => new(
        ReadVersion(transaction),
        SqliteTables.DialPlans.ReadAll(_connection, transaction),
        SqliteTables.IpGateways.ReadAll(_connection, transaction),
        SqliteTables.HuntGroups.ReadAll(_connection, transaction),
        SqliteTables.UmServers.ReadAll(_connection, transaction),
        SqliteTables.Mailboxes.ReadAll(_connection, transaction),
        SqliteTables.MailboxPolicies.ReadAll(_connection, transaction));

    private long ReadVersion(SqliteTransaction? transaction)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT version FROM config_version WHERE id = 1";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private long IncrementVersion(SqliteTransaction transaction)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE config_version SET version = version + 1 WHERE id = 1 RETURNING version";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private void Pragma(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    // The file is created before SQLite opens it so that it is owner-only from its first byte;
    // SQLite gives its -wal and -shm files the database file's permissions.
    private static void PrepareFile(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(directory);
            return;
        }

        if (!System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }

        try
        {
            using var created = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = OwnerOnlyFile,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Already there (possibly created by another process just now).
        }

        if ((File.GetUnixFileMode(path) & ~OwnerOnlyFile) != 0)
        {
            File.SetUnixFileMode(path, OwnerOnlyFile);
        }
    }
}
