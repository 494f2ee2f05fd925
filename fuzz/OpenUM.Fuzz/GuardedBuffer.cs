using System.Runtime.InteropServices;

namespace OpenUM.Fuzz;

/// <summary>
/// Memory with an inaccessible page on each side. A packet placed against either edge turns a read or write past
/// its bounds into SIGSEGV, which AFL records as a crash: the SRTP code uses unchecked vector loads
/// (Vector128.LoadUnsafe, Unsafe.Add) and hands pointers to libcrypto, where .NET's bounds checks do not reach.
/// </summary>
internal static unsafe partial class GuardedBuffer
{
    private const int ProtNone = 0, ProtRead = 1, ProtWrite = 2;
    private const int MapPrivate = 0x02, MapAnonymous = 0x20;

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int mprotect(nint addr, nuint length, int prot);

    private static readonly int Page = Environment.SystemPageSize;
    private static readonly byte* Data = Map(out _);

    /// <summary>Largest packet the buffer holds.</summary>
    public static readonly int Capacity = 3 * Page;

    private static byte* Map(out int size)
    {
        size = 5 * Page; // guard | 3 data pages | guard
        var region = mmap(0, (nuint)size, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (region == -1 || mprotect(region, (nuint)Page, ProtNone) != 0
            || mprotect(region + (4 * Page), (nuint)Page, ProtNone) != 0)
            throw new InvalidOperationException($"guard pages: mmap/mprotect failed (errno {Marshal.GetLastPInvokeError()})");
        return (byte*)region + Page;
    }

    /// <summary>Copies <paramref name="packet"/> so that it ends where the trailing guard page begins.</summary>
    public static Span<byte> AtEnd(ReadOnlySpan<byte> packet)
    {
        var span = new Span<byte>(Data + Capacity - packet.Length, packet.Length);
        packet.CopyTo(span);
        return span;
    }

    /// <summary>Copies <paramref name="packet"/> so that it starts where the leading guard page ends.</summary>
    public static Span<byte> AtStart(ReadOnlySpan<byte> packet)
    {
        var span = new Span<byte>(Data, packet.Length);
        packet.CopyTo(span);
        return span;
    }
}
