using System.Formats.Tar;
using System.Security.Cryptography;

namespace OpenUM.Server.Backup;

/// <summary>
/// Reads a backup archive under <see cref="BackupLimits"/>: only regular files at allowed paths, declared sizes within
/// bounds, every entry once, the manifest last, and each entry's size and SHA-256 equal to the manifest's.
/// </summary>
public static class BackupArchive
{
    /// <summary>Checks the whole archive without writing anything; returns its manifest or throws <see cref="BackupException"/>.</summary>
    public static BackupManifest Verify(string archive)
    {
        var seen = new Dictionary<string, BackupFile>(StringComparer.Ordinal);
        BackupManifest? manifest = null;
        Read(archive, (name, entry) =>
        {
            if (manifest is not null)
                throw new BackupException($"{archive} has entries after its manifest: it was altered or is not an OpenUM backup");
            if (name == BackupManifest.EntryName)
            {
                manifest = BackupManifest.Parse(ReadDocument(entry, name));
                return;
            }

            var (size, sha) = Hash(entry.DataStream, entry.Length, Stream.Null);
            if (!seen.TryAdd(name, new BackupFile(name, size, sha)))
                throw new BackupException($"{archive} holds {name} twice: it was altered");
        });

        if (manifest is null)
            throw new BackupException($"{archive} has no {BackupManifest.EntryName}: it is cut short or not an OpenUM backup");
        foreach (var file in manifest.Files)
        {
            if (BackupLimits.Refuse(file.Path) is { } why)
                throw new BackupException($"{archive}'s manifest names {why}");
            if (!seen.Remove(file.Path, out var found))
                throw new BackupException($"{archive} lacks {file.Path}, which its manifest lists: it is cut short or was altered");
            if (found.Size != file.Size || !string.Equals(found.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new BackupException($"{file.Path} in {archive} does not match its manifest (SHA-256 {found.Sha256}, manifest {file.Sha256}): the archive is damaged");
        }

        if (seen.Count > 0)
            throw new BackupException($"{archive} holds {seen.Keys.First()}, which its manifest does not list: it was altered");
        bool sqlite = manifest.Files.Any(f => f.Path == BackupLimits.ConfigDatabaseEntry);
        bool export = manifest.Files.Any(f => f.Path == ConfigurationExport.EntryName);
        if (sqlite == export)
            throw new BackupException($"{archive} must hold exactly one configuration ({BackupLimits.ConfigDatabaseEntry} or {ConfigurationExport.EntryName})");
        return manifest;
    }

    /// <summary>
    /// Writes every file the verified <paramref name="manifest"/> lists under <paramref name="folder"/> (files 0600,
    /// folders 0700), checking each one's hash again as it is written.
    /// </summary>
    public static int Extract(string archive, BackupManifest manifest, string folder)
    {
        var expected = manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        string root = Path.GetFullPath(folder) + Path.DirectorySeparatorChar;
        int count = 0;
        Read(archive, (name, entry) =>
        {
            if (name == BackupManifest.EntryName)
                return;
            if (!expected.Remove(name, out var file))
                throw new BackupException($"{archive} changed while it was restored ({name}): restore again from a copy nobody writes");
            string path = Path.GetFullPath(Path.Combine(root, name));
            // Refuse already rules out "..", absolute paths and links; this is the last word on where bytes go.
            if (!path.StartsWith(root, StringComparison.Ordinal))
                throw new BackupException($"{name} would be written outside the data directory");
            CreateFolders(root, Path.GetDirectoryName(path)!);
            using var output = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = BackupLimits.FileMode,
            });
            var (size, sha) = Hash(entry.DataStream, entry.Length, output);
            if (size != file.Size || !string.Equals(sha, file.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new BackupException($"{archive} changed while it was restored ({name}): restore again from a copy nobody writes");
            output.Flush(flushToDisk: true);
            count++;
        });
        if (expected.Count > 0)
            throw new BackupException($"{archive} changed while it was restored ({expected.Keys.First()} is gone)");
        return count;
    }

    private static void Read(string archive, Action<string, TarEntry> each)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BackupException($"{archive} does not exist: name a file written by `openum backup --out`");
        }

        using (stream)
        {
            using var reader = new TarReader(stream);
            int count = 0;
            long total = 0;
            while (true)
            {
                TarEntry? entry;
                try
                {
                    entry = reader.GetNextEntry(copyData: false);
                }
                catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
                {
                    throw new BackupException($"{archive} is not a readable tar archive ({e.Message}): it is damaged, cut short or not an OpenUM backup");
                }

                if (entry is null)
                    return;
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    throw new BackupException($"{archive} holds {entry.Name} of type {entry.EntryType}; an OpenUM backup holds regular files only (no links, devices or folders)");
                if (BackupLimits.Refuse(entry.Name) is { } why)
                    throw new BackupException($"{archive} holds {why}: refused");
                if (entry.Length < 0 || entry.Length > BackupLimits.MaxEntryBytes)
                    throw new BackupException($"{archive} declares {entry.Name} as {entry.Length} bytes, over the {BackupLimits.MaxEntryBytes >> 30} GiB limit per file");
                total += entry.Length;
                if (++count > BackupLimits.MaxEntries || total > BackupLimits.MaxTotalBytes)
                    throw new BackupException($"{archive} holds more than a backup may ({BackupLimits.MaxEntries} files, {BackupLimits.MaxTotalBytes >> 30} GiB)");
                try
                {
                    each(entry.Name, entry);
                }
                catch (EndOfStreamException)
                {
                    throw new BackupException($"{archive} ends inside {entry.Name}: it is cut short");
                }
            }
        }
    }

    private static byte[] ReadDocument(TarEntry entry, string name)
    {
        if (entry.Length > BackupLimits.MaxDocumentBytes)
            throw new BackupException($"{name} is {entry.Length} bytes, over the {BackupLimits.MaxDocumentBytes >> 20} MiB limit");
        var buffer = new byte[entry.Length];
        entry.DataStream?.ReadExactly(buffer);
        return buffer;
    }

    // Hashes exactly the declared length (a short stream is a cut archive), copying to output on the way.
    private static (long Size, string Sha256) Hash(Stream? data, long length, Stream output)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        if (data is not null)
        {
            var buffer = new byte[81920];
            while (size < length)
            {
                int n = data.Read(buffer, 0, (int)Math.Min(buffer.Length, length - size));
                if (n == 0)
                    throw new EndOfStreamException();
                sha.AppendData(buffer, 0, n);
                output.Write(buffer, 0, n);
                size += n;
            }
        }

        return (size, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    private static void CreateFolders(string root, string folder)
    {
        var missing = new Stack<string>();
        for (var f = folder; f.Length >= root.Length && !System.IO.Directory.Exists(f); f = Path.GetDirectoryName(f)!)
            missing.Push(f);
        while (missing.TryPop(out var f))
            System.IO.Directory.CreateDirectory(f, BackupLimits.DirectoryMode);
    }
}
