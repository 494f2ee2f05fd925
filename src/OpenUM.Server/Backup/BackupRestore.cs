using OpenUM.Delivery;
using OpenUM.Directory;

namespace OpenUM.Server.Backup;

/// <summary>What <see cref="BackupRestore.Restore"/> did.</summary>
public sealed record RestoreResult(BackupManifest Manifest, int Files, string Target);

/// <summary>
/// Restores a backup into an empty data directory: the whole archive is verified against its manifest before anything
/// is written, the files are written into a staging folder inside the data directory and renamed into place only when
/// all of them (and the configuration) are there, so a failure leaves the directory as empty as it was.
/// </summary>
public static class BackupRestore
{
    private const string StagingPrefix = ".restore-";

    /// <summary>
    /// Restores <paramref name="archive"/> into <paramref name="data"/>. The configuration goes to the data directory's
    /// SQLite file, or with <paramref name="openTargetStore"/> into that (empty) store, e.g. PostgreSQL.
    /// </summary>
    public static RestoreResult Restore(string archive, DataDirectory data, Func<IConfigurationStore>? openTargetStore = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(archive);
        archive = Path.GetFullPath(archive);
        var present = System.IO.Directory.EnumerateFileSystemEntries(data.Root).ToList();
        if (present.Count > 0 && present.All(p => Path.GetFileName(p).StartsWith(StagingPrefix, StringComparison.Ordinal)))
        {
            throw new BackupException($"the data directory {data.Root} holds {Path.GetFileName(present[0])}, left by a restore that was interrupted: " +
                "remove it (nothing of it was in use) and restore again");
        }

        if (present.Count > 0)
        {
            throw new BackupException($"the data directory {data.Root} is not empty: restore into a new or empty one (--data-dir DIR), " +
                "or stop the server and move this one aside first");
        }

        var manifest = BackupArchive.Verify(archive);
        string staging = Path.Combine(data.Root, StagingPrefix + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(staging, BackupLimits.DirectoryMode);
        var moved = new List<string>();
        try
        {
            int files = BackupArchive.Extract(archive, manifest, staging);
            string target = RestoreConfiguration(staging, openTargetStore);
            foreach (var entry in System.IO.Directory.EnumerateFileSystemEntries(staging).Order(StringComparer.Ordinal).ToList())
            {
                string destination = Path.Combine(data.Root, Path.GetFileName(entry));
                if (System.IO.Directory.Exists(entry))
                    System.IO.Directory.Move(entry, destination);
                else
                    File.Move(entry, destination);
                moved.Add(destination);
            }

            System.IO.Directory.Delete(staging);
            File.SetUnixFileMode(data.Root, BackupLimits.DirectoryMode);
            // The renames are what makes the restore visible: flushed, a crash afterwards cannot take them back.
            DirectorySync.Flush(data.Root);
            return new RestoreResult(manifest, files, target);
        }
        catch
        {
            // Renames within one folder rarely fail; if one did, take back what was moved so the directory stays empty.
            foreach (var path in moved)
                Delete(path);
            Delete(staging);
            throw;
        }
    }

    /// <summary>Leaves config.db in <paramref name="staging"/> (SQLite) or writes the objects into the target store.</summary>
    private static string RestoreConfiguration(string staging, Func<IConfigurationStore>? openTargetStore)
    {
        string database = Path.Combine(staging, BackupLimits.ConfigDatabaseEntry);
        string export = Path.Combine(staging, ConfigurationExport.EntryName);
        ExportedConfiguration configuration;
        if (File.Exists(database))
        {
            // Opening applies this build's migrations and proves the copy is a usable store.
            using var sqlite = new SqliteConfigurationStore(database);
            if (openTargetStore is null)
            {
                sqlite.Load();
                return "sqlite";
            }

            configuration = ConfigurationExport.Export(sqlite);
        }
        else
        {
            configuration = ConfigurationExport.Deserialize(File.ReadAllBytes(export));
        }

        if (openTargetStore is null)
        {
            using var sqlite = new SqliteConfigurationStore(database);
            ConfigurationExport.Import(configuration, sqlite);
            File.Delete(export);
            return "sqlite";
        }

        using (var store = openTargetStore())
            ConfigurationExport.Import(configuration, store);
        foreach (var leftover in new[] { database, database + "-wal", database + "-shm", export })
            File.Delete(leftover);
        return "postgres";
    }

    private static void Delete(string path)
    {
        try
        {
            if (System.IO.Directory.Exists(path))
                System.IO.Directory.Delete(path, recursive: true);
            else
                File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
