using OpenUM.Directory.Postgres;

namespace OpenUM.Directory;

/// <summary>
/// Chooses and opens the configuration store (CFG-3): PostgreSQL when a location is given by the --store
/// option, else the OPENUM_STORE environment variable, else the file store.conf in the data directory;
/// otherwise the SQLite file in the data directory. Also wires the store's change notifications to a monitor.
/// </summary>
public static class ConfigurationStores
{
    /// <summary>Environment variable naming the store (the same value as --store).</summary>
    public const string EnvironmentVariable = "OPENUM_STORE";

    /// <summary>File in the data directory naming the store: one line, owner-only (it may hold a password).</summary>
    public const string SettingFile = "store.conf";

    /// <summary>Version poll of the SQLite store (it has no notifications).</summary>
    public static readonly TimeSpan SqlitePollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Fallback version poll of PostgreSQL, behind LISTEN/NOTIFY.</summary>
    public static readonly TimeSpan PostgresPollInterval = TimeSpan.FromSeconds(15);

    // SQLite primary result codes (sqlite.org/rescode.html) that mean "the file cannot be used right now", not
    // "this statement is wrong": anything else (a constraint, a schema bug, corruption) must surface as the
    // error it is, never be dressed up as "try again later".
    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteNoMem = 7, SqliteReadOnly = 8, SqliteIoErr = 10, SqliteFull = 13, SqliteCantOpen = 14;

    /// <summary>True for failures that say the store is away (PostgreSQL stopped or unreachable, SQLite's disk full or read-only).</summary>
    public static bool IsOutage(Exception e) => e switch
    {
        // Raised by the PostgreSQL store for a connection that cannot be made or broke; never for a constraint.
        ConfigurationStoreUnavailableException => true,
        // Extended codes carry the primary code in their low byte (SQLITE_IOERR_WRITE is 778 = 3 << 8 | 10).
        Microsoft.Data.Sqlite.SqliteException s => (s.SqliteErrorCode & 0xFF) is SqliteBusy or SqliteLocked or SqliteNoMem
            or SqliteReadOnly or SqliteIoErr or SqliteFull or SqliteCantOpen,
        _ => false,
    };

    /// <summary>
    /// The PostgreSQL store named by <paramref name="option"/>, the environment or &lt;data-dir&gt;/store.conf,
    /// in that order; null = SQLite. A malformed value is refused with <see cref="ConfigurationValidationException"/>
    /// (field "store") naming where it came from, never repeating it.
    /// </summary>
    public static StoreLocation? Resolve(string? option, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        if (!string.IsNullOrWhiteSpace(option))
        {
            return Parse(option, "--store");
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { } env && !string.IsNullOrWhiteSpace(env))
        {
            return Parse(env, EnvironmentVariable);
        }

        var file = Path.Combine(dataDirectory, SettingFile);
        if (!File.Exists(file))
        {
            return null;
        }

        if ((File.GetUnixFileMode(file) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw new ConfigurationValidationException("store", $"{file} may hold a password and is open to other users: chmod 600 it");
        }

        var line = File.ReadLines(file).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'));
        return line is null ? null : Parse(line, file);
    }

    /// <summary>Opens PostgreSQL at <paramref name="location"/>, or the SQLite file when it is null.</summary>
    public static IConfigurationStore Open(StoreLocation? location, string sqlitePath) =>
        location is null ? new SqliteConfigurationStore(sqlitePath) : new PostgresConfigurationStore(location);

    /// <summary>How often a monitor of this store polls its version.</summary>
    public static TimeSpan PollInterval(IConfigurationStore store) =>
        store is PostgresConfigurationStore ? PostgresPollInterval : SqlitePollInterval;

    /// <summary>
    /// For PostgreSQL, a change feed that makes <paramref name="monitor"/> reload as soon as a change is committed
    /// anywhere (attach Lost/Restored handlers, then Start it); null for SQLite (its monitor's poll is enough).
    /// Dispose it before the monitor.
    /// </summary>
    public static PostgresChangeFeed? Follow(IConfigurationStore store, ConfigurationMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        if (store is not PostgresConfigurationStore postgres)
        {
            return null;
        }

        var feed = new PostgresChangeFeed(postgres.Location);
        feed.Changed += version => CatchUp(monitor, version);
        return feed;
    }

    // A timer poll running at that moment may have read the version just before the commit and makes
    // Poll return at once, so retry briefly until the monitor holds at least the notified version.
    private static void CatchUp(ConfigurationMonitor monitor, long? version)
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            if (monitor.Poll() || version is null || monitor.Current.Version >= version)
            {
                return;
            }

            Thread.Sleep(25);
        }
    }

    private static StoreLocation Parse(string text, string source) =>
        StoreLocation.TryParse(text, out var location, out var error)
            ? location!
            : throw new ConfigurationValidationException("store", source == "--store" ? error! : $"{source}: {error}");
}
