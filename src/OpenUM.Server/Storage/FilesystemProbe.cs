using System.Runtime.InteropServices;

namespace OpenUM.Server.Storage;

/// <summary>What a filesystem has left for the server: bytes and inodes an unprivileged writer may use, and whether it is read-only.</summary>
/// <param name="FreeBytes">Bytes available (statvfs f_bavail × f_frsize: the root-reserved blocks are not counted).</param>
/// <param name="FreeInodes">Inodes available, or -1 when the filesystem has no inode count (btrfs, some FUSE filesystems).</param>
/// <param name="ReadOnly">Mounted read-only (ST_RDONLY), as after a remount on a filesystem error.</param>
public readonly record struct FilesystemSample(long FreeBytes, long FreeInodes, bool ReadOnly)
{
    /// <summary>False when the filesystem reports no inode count, so inodes are not checked.</summary>
    public bool HasInodeLimit => FreeInodes >= 0;
}

/// <summary>Reads a filesystem's free space, inodes and read-only flag (a seam for tests).</summary>
public interface IFilesystemProbe
{
    /// <summary>
    /// The filesystem holding <paramref name="path"/>; throws <see cref="DirectoryNotFoundException"/> when the path
    /// does not exist and <see cref="IOException"/> for any other failure.
    /// </summary>
    FilesystemSample Sample(string path);

    /// <summary>
    /// True when creating a file in <paramref name="directory"/> fails with EROFS although the mount flags say
    /// read-write (a filesystem turned read-only underneath, an overlay or a bind mount statvfs does not see).
    /// Other failures (no space, no inode) are false: <see cref="Sample"/> counts those.
    /// </summary>
    bool RefusesWrites(string directory);
}

/// <summary>
/// statvfs(3) through libc: one system call, no file opened. DriveInfo gives neither inodes nor the read-only flag,
/// and a disk can run out of inodes with gigabytes free (a maildir is many small files).
/// </summary>
public sealed class StatVfsProbe : IFilesystemProbe
{
    private const ulong ReadOnlyFlag = 1; // ST_RDONLY
    private const int NoEntry = 2; // ENOENT
    private const int ReadOnlyFilesystem = 30; // EROFS: .NET reports unmapped errnos as the IOException's HResult
    private const string ProbeFile = ".openum-write-probe";

    /// <inheritdoc />
    public FilesystemSample Sample(string path)
    {
        // The layout below is struct statvfs of 64-bit glibc and musl (x86-64, arm64); 32-bit differs.
        if (!Environment.Is64BitProcess)
            throw new PlatformNotSupportedException("statvfs is read with the 64-bit layout; run OpenUM as a 64-bit process");
        if (statvfs(path, out var s) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string message = $"statvfs {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
            throw errno == NoEntry ? new DirectoryNotFoundException(message) : new IOException(message);
        }
        long freeBytes = (long)Math.Min(s.Bavail * Math.Max(s.Frsize, 1), long.MaxValue);
        long freeInodes = s.Files == 0 ? -1 : (long)Math.Min(s.Favail, long.MaxValue);
        return new FilesystemSample(freeBytes, freeInodes, (s.Flag & ReadOnlyFlag) != 0);
    }

    /// <inheritdoc />
    public bool RefusesWrites(string directory)
    {
        try
        {
            // Created empty and deleted on close: no data block, one inode for a moment.
            using var probe = new FileStream(System.IO.Path.Combine(directory, ProbeFile), FileMode.Create, FileAccess.Write,
                FileShare.None, 1, FileOptions.DeleteOnClose);
            return false;
        }
        catch (IOException e) when (e.HResult == ReadOnlyFilesystem)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct StatVfsBuffer
    {
        public ulong Bsize, Frsize, Blocks, Bfree, Bavail, Files, Ffree, Favail, Fsid, Flag, Namemax;
        public ulong Spare0, Spare1, Spare2; // int __f_spare[6]
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which the solution keeps off.
    [DllImport("libc", SetLastError = true)]
    private static extern int statvfs([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out StatVfsBuffer buffer);
#pragma warning restore SYSLIB1054
}
