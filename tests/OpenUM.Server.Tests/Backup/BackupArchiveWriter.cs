using System.Formats.Tar;
using System.Security.Cryptography;
using OpenUM.Server.Backup;

namespace OpenUM.Server.Tests.Backup;

/// <summary>Writes archives by hand, as an attacker or a damaged disk would, with a manifest that matches them.</summary>
internal static class BackupArchiveWriter
{
    /// <summary>The entries, then a manifest listing each with its true size and hash.</summary>
    public static void Write(string path, params (string Name, byte[] Data)[] entries) =>
        Write(path, TarEntryFormat.Pax, entries);

    public static void Write(string path, TarEntryFormat format, params (string Name, byte[] Data)[] entries)
    {
        using var stream = File.Create(path);
        using var tar = new TarWriter(stream, format);
        foreach (var (name, data) in entries)
            Add(tar, format, name, data);
        var manifest = new BackupManifest
        {
            Format = BackupManifest.CurrentFormat,
            OpenUmVersion = "test",
            CreatedAt = DateTimeOffset.UnixEpoch,
            Store = "sqlite",
            Files = entries.Select(e => new BackupFile(e.Name, e.Data.Length, Convert.ToHexStringLower(SHA256.HashData(e.Data)))).ToList(),
        };
        Add(tar, format, BackupManifest.EntryName, manifest.ToJson());
    }

    public static void Add(TarWriter tar, TarEntryFormat format, string name, byte[] data)
    {
        TarEntry entry = format == TarEntryFormat.Ustar
            ? new UstarTarEntry(TarEntryType.RegularFile, name)
            : new PaxTarEntry(TarEntryType.RegularFile, name);
        entry.DataStream = new MemoryStream(data);
        tar.WriteEntry(entry);
    }
}
