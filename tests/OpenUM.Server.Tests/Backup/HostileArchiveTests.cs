using System.Formats.Tar;
using System.Text;
using OpenUM.Server.Backup;

namespace OpenUM.Server.Tests.Backup;

/// <summary>
/// Restore refuses what a backup never holds (paths out of the data directory, links, huge declared sizes, entries
/// its manifest does not vouch for) before writing anything, and refuses a data directory that is not empty.
/// </summary>
public sealed class HostileArchiveTests : IDisposable
{
    private static readonly byte[] Db = "not read: refused before"u8.ToArray();
    private readonly string _work = System.IO.Directory.CreateTempSubdirectory("openum-backup-hostile-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_work, recursive: true);

    private string Archive => Path.Combine(_work, "archive.tar");

    private DataDirectory Target => new(Path.Combine(_work, "target"));

    // Refused with a message containing `expected`, and nothing written: the target stays empty, nothing beside it.
    private void AssertRefused(string expected)
    {
        var before = System.IO.Directory.GetFileSystemEntries(_work).Order().ToArray();
        var target = Target;
        var e = Assert.Throws<BackupException>(() => BackupRestore.Restore(Archive, target));
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"expected \"{expected}\" in: {e.Message}");
        Assert.Empty(System.IO.Directory.GetFileSystemEntries(target.Root));
        Assert.Equal(before.Append(target.Root).Order().Distinct(), System.IO.Directory.GetFileSystemEntries(_work).Order());
    }

    [Theory]
    [InlineData("../escaped", "\"..\"")]
    [InlineData("greetings/../../escaped", "\"..\"")]
    [InlineData("/etc/escaped", "absolute")]
    [InlineData("store.conf", "no part of an OpenUM backup")]
    [InlineData("events.jsonl", "no part of an OpenUM backup")]
    [InlineData("outbox/sent/x.eml", "no part of an OpenUM backup")]
    [InlineData("greetings//x.wav", "empty")]
    [InlineData("greetings/a\u0007b.wav", "control character")]
    public void PathsOutsideTheBackupAreRefused(string name, string expected)
    {
        BackupArchiveWriter.Write(Archive, ("config.db", Db), (name, "x"u8.ToArray()));
        AssertRefused(expected);
    }

    [Theory]
    [InlineData(TarEntryType.SymbolicLink)]
    [InlineData(TarEntryType.HardLink)]
    [InlineData(TarEntryType.Directory)]
    [InlineData(TarEntryType.Fifo)]
    public void EntriesOtherThanRegularFilesAreRefused(TarEntryType type)
    {
        using (var stream = File.Create(Archive))
        using (var tar = new TarWriter(stream, TarEntryFormat.Pax))
        {
            BackupArchiveWriter.Add(tar, TarEntryFormat.Pax, "config.db", Db);
            var entry = new PaxTarEntry(type, "greetings/1000.wav");
            if (type is TarEntryType.SymbolicLink or TarEntryType.HardLink)
                entry.LinkName = "/etc/shadow";
            tar.WriteEntry(entry);
        }

        AssertRefused($"of type {type}");
    }

    [Fact]
    public void AHugeDeclaredSizeIsRefusedBeforeItsDataIsRead()
    {
        // A ustar header whose size field says 5 GiB (octal in bytes 124-135), with its checksum fixed, and no data:
        // refused on the header, so nothing reads or writes the promised gigabytes.
        BackupArchiveWriter.Write(Archive, TarEntryFormat.Ustar, ("greetings/1000.wav", "x"u8.ToArray()));
        var bytes = File.ReadAllBytes(Archive);
        Encoding.ASCII.GetBytes(Convert.ToString(5L << 30, 8).PadLeft(11, '0') + "\0").CopyTo(bytes, 124);
        Encoding.ASCII.GetBytes("        ").CopyTo(bytes, 148);
        int sum = bytes.AsSpan(0, 512).ToArray().Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(bytes, 148);
        File.WriteAllBytes(Archive, bytes[..1024]);

        AssertRefused("over the 4 GiB limit per file");
    }

    [Fact]
    public void AChangedByteIsRefusedBeforeAnythingIsWritten()
    {
        BackupArchiveWriter.Write(Archive, ("config.db", Db), ("greetings/1000.wav", "original greeting"u8.ToArray()));
        var bytes = File.ReadAllBytes(Archive);
        int at = bytes.AsSpan().IndexOf("original greeting"u8);
        bytes[at] = (byte)'O';
        File.WriteAllBytes(Archive, bytes);

        AssertRefused("does not match its manifest");
    }

    [Fact]
    public void AnEntryTheManifestDoesNotListIsRefused()
    {
        BackupArchiveWriter.Write(Archive, ("config.db", Db));
        using (var stream = new FileStream(Archive, FileMode.Open))
        {
            // Drop the two zero blocks that end the archive, then append an entry after the manifest.
            stream.SetLength(stream.Length - 1024);
            stream.Seek(0, SeekOrigin.End);
            using var tar = new TarWriter(stream, TarEntryFormat.Pax);
            BackupArchiveWriter.Add(tar, TarEntryFormat.Pax, "greetings/extra.wav", "x"u8.ToArray());
        }

        AssertRefused("after its manifest");
    }

    [Fact]
    public void AnArchiveWithoutManifestOrCutShortIsRefused()
    {
        using (var stream = File.Create(Archive))
        using (var tar = new TarWriter(stream, TarEntryFormat.Pax))
            BackupArchiveWriter.Add(tar, TarEntryFormat.Pax, "config.db", Db);
        AssertRefused("has no manifest.json");

        BackupArchiveWriter.Write(Archive, ("greetings/1000.wav", new byte[4096]));
        File.WriteAllBytes(Archive, File.ReadAllBytes(Archive)[..2048]);
        AssertRefused("cut short");

        File.WriteAllText(Archive, "this is not a tar archive, just some text long enough to fill a header block? no.");
        AssertRefused("not an OpenUM backup");
    }

    [Fact]
    public void ANonEmptyDataDirectoryIsRefusedAndLeftAlone()
    {
        BackupArchiveWriter.Write(Archive, ("config.db", Db));
        var target = Target;
        File.WriteAllText(Path.Combine(target.Root, "events.jsonl"), "{}");

        var e = Assert.Throws<BackupException>(() => BackupRestore.Restore(Archive, target));

        Assert.Contains($"the data directory {target.Root} is not empty", e.Message, StringComparison.Ordinal);
        Assert.Contains("--data-dir", e.Message, StringComparison.Ordinal);
        Assert.Equal([Path.Combine(target.Root, "events.jsonl")], System.IO.Directory.GetFileSystemEntries(target.Root));
    }

    [Fact]
    public void AFailureAfterExtractionLeavesTheDirectoryEmpty()
    {
        // Every hash matches, but config.db is no SQLite database: found only once the files are written to staging.
        BackupArchiveWriter.Write(Archive, ("config.db", new byte[8192]), ("greetings/1000.wav", "greeting"u8.ToArray()));
        var target = Target;

        Assert.ThrowsAny<Exception>(() => BackupRestore.Restore(Archive, target));

        Assert.Empty(System.IO.Directory.GetFileSystemEntries(target.Root));
    }
}
