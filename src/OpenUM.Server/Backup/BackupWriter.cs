using System.Formats.Tar;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using OpenUM.Delivery;
using OpenUM.Directory.Postgres;

namespace OpenUM.Server.Backup;

/// <summary>What <see cref="BackupWriter.Create"/> wrote.</summary>
public sealed record BackupResult(string Path, BackupManifest Manifest, long Bytes);

/// <summary>
/// Writes one tar archive (owner-only) of a data directory: the configuration (an online copy of config.db through
/// SQLite's backup API, consistent while the server writes, or PostgreSQL's objects through the store as JSON),
/// certificates with their keys, greetings, the SMTP outbox's pending and dead messages, the maildir, and last a
/// manifest with each file's size and SHA-256. The archive is written under a temporary name, flushed to disk and
/// renamed, so no half-written archive ever carries the name asked for.
/// </summary>
public static class BackupWriter
{
    /// <summary>The version this build writes into manifests.</summary>
    public static string OpenUmVersion =>
        typeof(BackupWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(BackupWriter).Assembly.GetName().Version?.ToString(3) ?? "unknown";

    /// <summary>
    /// Backs up <paramref name="data"/> to <paramref name="outPath"/>, which must not exist; <paramref name="store"/> is
    /// the PostgreSQL store in use, or null for the data directory's SQLite file.
    /// </summary>
    public static BackupResult Create(DataDirectory data, StoreLocation? store, string outPath, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(outPath);
        string target = Path.GetFullPath(outPath);
        if (File.Exists(target) || System.IO.Directory.Exists(target))
            throw new BackupException($"--out: {target} exists; a backup never overwrites a file: choose another name or remove it");
        string folder = Path.GetDirectoryName(target)!;
        if (!System.IO.Directory.Exists(folder))
            throw new BackupException($"--out: the folder {folder} does not exist: create it or choose another path");
        if (target.StartsWith(data.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new BackupException($"--out: {target} is inside the data directory it backs up: write the archive elsewhere");
        if (store is null && !File.Exists(data.ConfigDatabase))
            throw new BackupException($"{data.Root} holds no configuration (no {BackupLimits.ConfigDatabaseEntry}): check --data-dir, or --store for a PostgreSQL store");

        string stem = $".{Path.GetFileName(target)}.{Guid.NewGuid():N}";
        string temp = Path.Combine(folder, stem + ".tmp");
        string dbCopy = Path.Combine(folder, stem + ".db");
        try
        {
            BackupManifest manifest;
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = BackupLimits.FileMode,
            }))
            {
                using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
                {
                    var files = new List<BackupFile>();
                    long total = 0;
                    string kind;
                    long version;
                    if (store is null)
                    {
                        version = CopySqlite(data.ConfigDatabase, dbCopy);
                        AddFile(tar, files, ref total, dbCopy, BackupLimits.ConfigDatabaseEntry);
                        kind = "sqlite";
                    }
                    else
                    {
                        using var postgres = new PostgresConfigurationStore(store);
                        var export = ConfigurationExport.Export(postgres);
                        AddBytes(tar, files, ref total, ConfigurationExport.EntryName, ConfigurationExport.Serialize(export));
                        kind = "postgres";
                        version = export.Version;
                    }

                    foreach (var (path, entry) in DataFiles(data))
                        AddFile(tar, files, ref total, path, entry);

                    manifest = new BackupManifest
                    {
                        Format = BackupManifest.CurrentFormat,
                        OpenUmVersion = OpenUmVersion,
                        CreatedAt = (time ?? TimeProvider.System).GetUtcNow(),
                        Store = kind,
                        ConfigurationVersion = version,
                        Files = files,
                    };
                    AddBytes(tar, null, ref total, BackupManifest.EntryName, manifest.ToJson());
                }

                stream.Flush(flushToDisk: true);
            }

            long bytes = new FileInfo(temp).Length;
            // No overwrite: a file that appeared under the name meanwhile is kept, and this backup fails.
            File.Move(temp, target, overwrite: false);
            DirectorySync.Flush(Path.GetDirectoryName(target)!);
            return new BackupResult(target, manifest, bytes);
        }
        finally
        {
            foreach (var leftover in new[] { temp, dbCopy, dbCopy + "-wal", dbCopy + "-shm", dbCopy + "-journal" })
                File.Delete(leftover);
        }
    }

    /// <summary>The files of <see cref="BackupLimits.Folders"/>, in a stable order, without temporary files or links.</summary>
    private static IEnumerable<(string Path, string Entry)> DataFiles(DataDirectory data)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            // A link is never followed: a backup holds what the data directory holds, nothing it points at.
            AttributesToSkip = FileAttributes.ReparsePoint,
            IgnoreInaccessible = false,
        };
        foreach (var folder in BackupLimits.Folders)
        {
            string root = Path.Combine(data.Root, folder);
            if (!System.IO.Directory.Exists(root) || new DirectoryInfo(root).LinkTarget is not null)
                continue;
            var paths = System.IO.Directory.EnumerateFiles(root, "*", options)
                .Select(p => Path.GetRelativePath(data.Root, p).Replace(Path.DirectorySeparatorChar, '/'))
                .Where(p => !IsTemporary(p))
                .Order(StringComparer.Ordinal);
            foreach (var entry in paths)
                yield return (Path.Combine(data.Root, entry), entry);
        }
    }

    // Files being written: the certificate store's ".tmp-<guid>", greetings' ".<name>.<guid>.tmp", a maildir's tmp/.
    private static bool IsTemporary(string entry)
    {
        var segments = entry.Split('/');
        string name = segments[^1];
        return name.StartsWith('.') || name.EndsWith(".tmp", StringComparison.Ordinal) || name.Contains(".tmp-", StringComparison.Ordinal)
            || (segments[0] == "maildir" && segments.Length > 3 && segments[2] == "tmp");
    }

    private static void AddFile(TarWriter tar, List<BackupFile> files, ref long total, string path, string entry)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Delivered or purged between the listing and now: it is no longer part of the data directory.
            return;
        }

        using (stream)
        {
            // Every file here is written once under a temporary name and renamed into place, never changed in place,
            // so the open handle hashes and copies the same bytes.
            string sha = Convert.ToHexStringLower(SHA256.HashData(stream));
            stream.Position = 0;
            Account(ref total, files.Count, entry, stream.Length);
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, entry) { DataStream = stream, Mode = BackupLimits.FileMode });
            files.Add(new BackupFile(entry, stream.Length, sha));
        }
    }

    private static void AddBytes(TarWriter tar, List<BackupFile>? files, ref long total, string entry, byte[] bytes)
    {
        Account(ref total, files?.Count ?? 0, entry, bytes.Length);
        using var stream = new MemoryStream(bytes, writable: false);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, entry) { DataStream = stream, Mode = BackupLimits.FileMode });
        files?.Add(new BackupFile(entry, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes))));
    }

    // The writer keeps to the reader's bounds, so it never writes an archive restore would refuse.
    private static void Account(ref long total, int count, string entry, long length)
    {
        if (length > BackupLimits.MaxEntryBytes)
            throw new BackupException($"{entry} is {length} bytes, over the {BackupLimits.MaxEntryBytes >> 30} GiB a backup holds per file");
        total += length;
        if (total > BackupLimits.MaxTotalBytes || count + 1 > BackupLimits.MaxEntries)
            throw new BackupException($"the data directory is larger than a backup holds ({BackupLimits.MaxTotalBytes >> 30} GiB, {BackupLimits.MaxEntries} files): purge old messages first");
    }

    /// <summary>Copies the live SQLite store page by page (SQLite's online backup); returns its configuration version.</summary>
    private static long CopySqlite(string source, string target)
    {
        // The copy holds PIN hashes and may hold a smart-host user: owner-only from its first byte.
        using (new FileStream(target, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = BackupLimits.FileMode }))
        {
        }

        using var from = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = source, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 10,
        }.ToString());
        using var to = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = target, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 10,
        }.ToString());
        from.Open();
        to.Open();
        from.BackupDatabase(to);
        using var check = to.CreateCommand();
        check.CommandText = "PRAGMA quick_check";
        if (check.ExecuteScalar() as string != "ok")
            throw new BackupException($"the copy of {source} fails SQLite's quick_check: the configuration file is damaged");
        check.CommandText = "SELECT version FROM config_version WHERE id = 1";
        return check.ExecuteScalar() is long version ? version : 0;
    }
}
