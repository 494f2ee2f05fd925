using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OpenUM.Server.Logging;

/// <summary>Which file a path or descriptor is (device and inode), and its size.</summary>
public readonly record struct FileIdentity(uint DeviceMajor, uint DeviceMinor, ulong Inode, long Size)
{
    /// <summary>True when both name the same file (size aside).</summary>
    public bool SameFile(FileIdentity other) => Inode == other.Inode && DeviceMajor == other.DeviceMajor && DeviceMinor == other.DeviceMinor;

    /// <summary>The device as one dev_t number (glibc's makedev), as stat(2) reports st_dev and systemd prints it.</summary>
    public ulong Device => ((ulong)(DeviceMajor & 0xfffff000) << 32) | ((ulong)(DeviceMajor & 0xfff) << 8)
        | ((ulong)(DeviceMinor & 0xffffff00) << 12) | (DeviceMinor & 0xff);
}

/// <summary>
/// A file opened with O_APPEND through libc. .NET's FileMode.Append is no O_APPEND (dotnet/runtime#53432):
/// it writes where it saw the end last, so two processes appending to events.jsonl would overwrite each
/// other's lines. With O_APPEND the kernel places every write(2) at the end atomically, and one write per
/// line keeps lines of different writers from interleaving.
/// </summary>
public sealed class AppendOnlyFile : IDisposable
{
    /// <summary>write(2) as the file calls it: bytes written, or -1 with <paramref name="errno"/> set. Tests pass one that fails.</summary>
    public delegate nint WriteCall(int fd, ReadOnlySpan<byte> data, out int errno);

    /// <summary>errno of a full disk.</summary>
    public const int ENoSpc = 28;

    private const int ORdWr = 2, OCreat = 0x40, OAppend = 0x400, OCloExec = 0x80000; // same values on x86-64 and arm64
    private const int EIntr = 4, ENoEnt = 2, SeekCur = 1;
    private const int AtFdCwd = -100, AtEmptyPath = 0x1000;
    private const uint StatxIno = 0x100, StatxSize = 0x200;
    private const uint OwnerReadWrite = 0x180; // 0600: events name callers and configuration changes
    private readonly WriteCall _write;
    private int _fd;

    private AppendOnlyFile(int fd, string path, WriteCall? write)
    {
        _fd = fd;
        Path = path;
        _write = write ?? SystemWrite;
    }

    /// <summary>
    /// True after a failed <see cref="TryAppend"/> left part of its data in the file (a short write on a disk that
    /// filled up, and another writer appended behind it so it could not be cut off again): the file ends inside a line.
    /// </summary>
    public bool LeftPartialLine { get; private set; }

    /// <summary>The libc write(2).</summary>
    public static nint SystemWrite(int fd, ReadOnlySpan<byte> data, out int errno)
    {
        nint n = write(fd, ref MemoryMarshal.GetReference(data), data.Length);
        errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
        return n;
    }

    /// <summary>"No space left on device (errno 28)".</summary>
    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    /// <summary>The path the file was opened as (it may have been renamed since).</summary>
    public string Path { get; }

    /// <summary>Opens <paramref name="path"/> for appending, creating it owner-only when missing.</summary>
    public static AppendOnlyFile Open(string path) =>
        TryOpen(path, null, out int errno) ?? throw new IOException($"cannot open {path}: {Describe(errno)}");

    /// <summary>Like <see cref="Open"/> with one open(2) and no exception: null and the errno when it fails.</summary>
    public static AppendOnlyFile? TryOpen(string path, WriteCall? write, out int errno)
    {
        // Read access only for EndsInsideALine's look at the last byte.
        int fd = open(path, ORdWr | OCreat | OAppend | OCloExec, OwnerReadWrite);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new AppendOnlyFile(fd, path, write);
    }

    /// <summary>Appends all of <paramref name="data"/> (looping over short writes); throws IOException when the kernel refuses.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        int errno = TryAppend(data);
        if (errno != 0)
            throw new IOException($"cannot write {Path}: {Describe(errno)}");
    }

    /// <summary>
    /// Appends all of <paramref name="data"/>; 0, or the errno when the kernel refused (no exception: a full disk
    /// fails every event). What a refused append had written already (a short write into the last free blocks) is
    /// cut off again, so the file never keeps half a line, unless another writer appended behind it meanwhile
    /// (then <see cref="LeftPartialLine"/> is set).
    /// </summary>
    public int TryAppend(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        long written = 0;
        while (!data.IsEmpty)
        {
            nint n = _write(_fd, data, out int errno);
            if (n < 0 && errno == EIntr) continue;
            if (n <= 0)
            {
                if (n == 0) errno = ENoSpc; // a regular file that takes nothing is full
                if (written > 0 && !CutOff(written)) LeftPartialLine = true;
                return errno;
            }
            written += n;
            data = data[(int)n..];
        }
        LeftPartialLine = false;
        return 0;
    }

    // O_APPEND left the offset at the end of our bytes; cut them off if nobody wrote behind them.
    private bool CutOff(long written)
    {
        long end = lseek(_fd, 0, SeekCur);
        return end >= written && Stat(_fd, "", AtEmptyPath) is { } now && now.Size == end && ftruncate(_fd, end - written) == 0;
    }

    /// <summary>Identity and size of the open file (whatever its name is now).</summary>
    public FileIdentity Identity()
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        return Stat(_fd, "", AtEmptyPath) ?? throw Error("cannot stat", Path);
    }

    /// <summary>
    /// True when the file is not empty and does not end with a newline: the previous writer stopped inside
    /// a line (crash, full disk), and the next line must start on a line of its own.
    /// </summary>
    public bool EndsInsideALine()
    {
        long size = Identity().Size;
        if (size == 0) return false;
        byte last = 0;
        return pread(_fd, ref last, 1, size - 1) == 1 && last != (byte)'\n';
    }

    /// <summary>Identity of the file at <paramref name="path"/>, or null when nothing is there.</summary>
    public static FileIdentity? IdentityOf(string path)
    {
        var identity = Stat(AtFdCwd, path, 0);
        if (identity is null && Marshal.GetLastPInvokeError() != ENoEnt)
            throw Error("cannot stat", path);
        return identity;
    }

    /// <summary>Identity of an open descriptor (e.g. 2, standard error), or null when it is not open.</summary>
    public static FileIdentity? IdentityOfDescriptor(int fd) => Stat(fd, "", AtEmptyPath);

    /// <summary>Identity of a file opened by .NET (for readers that must not read one file twice).</summary>
    public static FileIdentity IdentityOf(SafeFileHandle handle)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Stat((int)handle.DangerousGetHandle(), "", AtEmptyPath) ?? throw Error("cannot stat", "an open event file");
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>Closes the descriptor.</summary>
    public void Dispose()
    {
        if (_fd >= 0) _ = close(_fd);
        _fd = -1;
    }

    // statx(2) rather than stat(2): struct statx has one layout on every architecture, struct stat does not.
    private static FileIdentity? Stat(int dirFd, string path, int flags)
    {
        var buffer = new byte[256];
        if (statx(dirFd, path, flags, StatxIno | StatxSize, buffer) != 0)
            return null;
        return new FileIdentity(
            BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(136)), BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(140)),
            BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(32)), (long)BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(40)));
    }

    private static IOException Error(string what, string path)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{what} {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which the solution keeps off.
    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, ref byte buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern nint pread(int fd, ref byte buffer, nint count, long offset);

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc", SetLastError = true)]
    private static extern long lseek(int fd, long offset, int whence);

    [DllImport("libc", SetLastError = true)]
    private static extern int ftruncate(int fd, long length);

    [DllImport("libc")]
    private static extern int close(int fd);
#pragma warning restore SYSLIB1054
}
