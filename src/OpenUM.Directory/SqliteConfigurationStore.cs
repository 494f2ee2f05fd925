using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace OpenUM.Directory;

/// <summary>
/// The embedded configuration store: one SQLite file (WAL mode, owner-only permissions), safe to use
/// from several processes at once (the CLI while the server runs). Every mutation reads, validates and
/// writes inside one BEGIN IMMEDIATE transaction (see <see cref="DbConfigurationStore"/>).
/// </summary>
public sealed class SqliteConfigurationStore : DbConfigurationStore
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private bool _disposed;

    /// <summary>Opens (creating if missing) the store at <paramref name="path"/> and applies pending migrations.</summary>
    public SqliteConfigurationStore(string path)
        : base(SqliteDialect.Instance)
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
    public override void Dispose()
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

    // One connection, used by one caller at a time. Always synchronous: Microsoft.Data.Sqlite's asynchronous methods
    // run synchronously anyway, and a local file answers (or is busy) without a network in between.
    private protected override ValueTask<T> Run<T>(Func<DbConnection, bool, CancellationToken, ValueTask<T>> action, bool async, CancellationToken ct)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new ValueTask<T>(StoreCommands.Completed(action(_connection, false, ct)));
        }
    }

    // A deferred read transaction sees one consistent WAL snapshot across all tables.
    private protected override DbTransaction BeginRead(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: true);

    // BEGIN IMMEDIATE takes the database's write lock first.
    private protected override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

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
