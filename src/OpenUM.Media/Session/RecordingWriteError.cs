namespace OpenUM.Media.Session;

/// <summary>
/// Why a recording could not be written or created, in words an operator and a mailbox owner can read: the exception's
/// own text names the server's file path, which belongs in neither a message body nor a header.
/// </summary>
public static class RecordingWriteError
{
    // Linux errno values; .NET puts the errno into IOException.HResult for file system errors on Unix.
    private const int Eio = 5, Enospc = 28, Erofs = 30, Edquot = 122;
    // Windows HRESULTs for the same conditions (ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL, ERROR_WRITE_PROTECT).
    private const int DiskFull = unchecked((int)0x80070070), HandleDiskFull = unchecked((int)0x80070027), WriteProtect = unchecked((int)0x80070013);

    /// <summary>"no space left on device", "read-only file system"...; "write error" for anything else.</summary>
    public static string Describe(IOException error) => error.HResult switch
    {
        Enospc or DiskFull or HandleDiskFull => "no space left on device",
        Edquot => "disk quota exceeded",
        Erofs or WriteProtect => "read-only file system",
        Eio => "input/output error",
        _ => "write error",
    };
}
