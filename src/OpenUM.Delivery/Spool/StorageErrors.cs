namespace OpenUM.Delivery.Spool;

/// <summary>Which failures are the storage's (a full disk, a quota, a read-only file system) rather than the message's.</summary>
internal static class StorageErrors
{
    // .NET puts the errno into IOException.HResult for file system errors on Unix.
    private const int Enospc = 28, Erofs = 30, Edquot = 122;
    private const int DiskFull = unchecked((int)0x80070070), HandleDiskFull = unchecked((int)0x80070027);

    /// <summary>True when <paramref name="e"/> (or what it wraps) says there is no room: ENOSPC or EDQUOT.</summary>
    public static bool IsOutOfSpace(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is IOException { HResult: Enospc or Edquot or DiskFull or HandleDiskFull })
                return true;
        }
        return false;
    }

    /// <summary>True for the errors a write to the spool can meet on a sick disk: I/O errors and access refusals (EROFS).</summary>
    public static bool IsStorage(Exception e) => e is IOException or UnauthorizedAccessException;

    /// <summary>A short description without the path (paths go into their own event fields).</summary>
    public static string Describe(Exception e) => e switch
    {
        _ when IsOutOfSpace(e) => "no space left on device",
        IOException { HResult: Erofs } => "read-only file system",
        _ => e.Message,
    };
}
