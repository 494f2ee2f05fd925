using System.Data;
using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace OpenUM.Directory.Postgres;

/// <summary>
/// The shared configuration store (CFG-3): one PostgreSQL database used by several servers and CLIs at once.
/// Same semantics as <see cref="SqliteConfigurationStore"/>: every mutation locks the version row, validates
/// against the configuration committed at that moment and writes object, version increment and a NOTIFY on
/// <see cref="NotificationChannel"/> in one transaction (the notification leaves only if it commits).
/// </summary>
public sealed class PostgresConfigurationStore : DbConfigurationStore
{
    /// <summary>LISTEN/NOTIFY channel; the payload is the new configuration version.</summary>
    public const string NotificationChannel = "openum_config";

    private readonly NpgsqlDataSource _source;
    private int _disposed;

    /// <summary>Connects (Npgsql connection string, see <see cref="StoreLocation"/>) and applies pending migrations.</summary>
    public PostgresConfigurationStore(StoreLocation location)
        : base(PostgresDialect.Instance)
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
    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _source.Dispose();
        }
    }

    // A pooled connection per operation, so servers and CLIs work in parallel; the database serialises writers.
    private protected override ValueTask<T> Run<T>(Func<DbConnection, bool, CancellationToken, ValueTask<T>> action, bool async, CancellationToken ct) =>
        Guard(async () =>
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var connection = async ? await _source.OpenConnectionAsync(ct).ConfigureAwait(false) : _source.OpenConnection();
            try
            {
                return await action(connection, async, ct).ConfigureAwait(false);
            }
            finally
            {
                await StoreCommands.DisposeAsync(connection, async).ConfigureAwait(false);
            }
        });

    // REPEATABLE READ: every table is read at one snapshot, so the version matches the rows.
    private protected override DbTransaction BeginRead(DbConnection connection) => connection.BeginTransaction(IsolationLevel.RepeatableRead);

    private protected override DbTransaction BeginWrite(DbConnection connection)
    {
        var transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted);
        // Locking the version row first serialises writers from every process: each later statement of this
        // READ COMMITTED transaction sees every change committed before the lock was granted.
        StoreCommands.Execute(connection, transaction, "SELECT version FROM config_version WHERE id = 1 FOR UPDATE");
        return transaction;
    }

    // The notification is queued in the transaction, so it leaves only if the change commits.
    private protected override void VersionIncremented(DbConnection connection, DbTransaction transaction, long version)
    {
        using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @version)", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        notify.Parameters.AddWithValue("channel", NotificationChannel);
        notify.Parameters.AddWithValue("version", version.ToString(CultureInfo.InvariantCulture));
        notify.ExecuteNonQuery();
    }

    private protected override void Commit(DbTransaction transaction)
    {
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
    }

    // Database errors become typed errors: a unique index the validator did not see coming (an object
    // written behind its back) names the field; an unreachable server names the store without its password.
    private async ValueTask<T> Guard<T>(Func<ValueTask<T>> action)
    {
        try
        {
            try
            {
                return await action().ConfigureAwait(false);
            }
            catch (NpgsqlException e) when (IsBrokenConnection(e))
            {
                // After a server restart or failover every pooled connection is dead, and the pool only finds out
                // by using one: drop them all and try once more on a fresh connection (nothing was committed).
                _source.Clear();
                return await action().ConfigureAwait(false);
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

    // Guard for a synchronous action (it completes without waiting).
    private void Guard(Action action) => StoreCommands.Completed(Guard(() =>
    {
        action();
        return new ValueTask<int>(0);
    }));
}
