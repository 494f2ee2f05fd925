using System.Runtime.InteropServices;

namespace OpenUM.Delivery;

/// <summary>
/// fsync(2) of a directory, which makes a rename into it durable. .NET refuses to open directories as
/// files, so this goes to libc directly: open(O_RDONLY), fsync, close. Windows has no equivalent
/// (NTFS journals its metadata), so it is a no-op there.
/// </summary>
public static class DirectorySync
{
    private const int ORdOnly = 0;
    private const int OCloExecLinux = 0x80000; // same value on x86-64 and arm64

    /// <summary>Makes the renames and removals in <paramref name="directory"/> durable (throws <see cref="IOException"/> when it cannot).</summary>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = open(directory, OperatingSystem.IsLinux() ? ORdOnly | OCloExecLinux : ORdOnly);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which the solution keeps off.
    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc")]
    private static extern int close(int fd);
#pragma warning restore SYSLIB1054
}
