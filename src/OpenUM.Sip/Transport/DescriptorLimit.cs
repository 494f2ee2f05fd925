using System.Globalization;

namespace OpenUM.Sip.Transport;

// How many file descriptors the process may still open (RLIMIT_NOFILE minus those open now), read from /proc
// so no native call is needed. The connection caps are derived from it: refusing a peer is better than
// letting accept(2) fail with EMFILE for everyone, recordings and the event log included.
internal static class DescriptorLimit
{
    // Half of what is free goes to SIP connections; media sockets, recordings, the store and the log need the rest.
    public static int ConnectionShare(int fallback)
    {
        if (ReadSoftLimit() is not { } limit) return fallback;
        int open = CountOpen() ?? 64;
        long free = Math.Max(0, limit - open);
        return (int)Math.Clamp(free / 2, 16, int.MaxValue);
    }

    internal static long? ReadSoftLimit()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (!line.StartsWith("Max open files", StringComparison.Ordinal)) continue;
                var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 0 && fields[0] == "unlimited") return int.MaxValue;
                return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) ? soft : null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or /proc hidden: the configured cap alone applies.
        }
        return null;
    }

    private static int? CountOpen()
    {
        try
        {
            return System.IO.Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
