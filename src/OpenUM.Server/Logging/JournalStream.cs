using System.Globalization;

namespace OpenUM.Server.Logging;

/// <summary>
/// Whether standard error is the systemd journal. systemd sets JOURNAL_STREAM to "device:inode" of the stream it
/// connects a service's standard output and error to (systemd.exec(5)); when it names our standard error, the
/// console lines start with a syslog priority ("&lt;3&gt;" for an error), which journald strips and keeps as the
/// entry's PRIORITY, so `journalctl -p warning` finds them. Anywhere else (a terminal, a file) they stay plain.
/// </summary>
public static class JournalStream
{
    /// <summary>The variable systemd sets.</summary>
    public const string Variable = "JOURNAL_STREAM";

    /// <summary>True when standard error (descriptor 2) is the stream JOURNAL_STREAM names.</summary>
    public static bool StandardErrorIsJournal() =>
        Names(Environment.GetEnvironmentVariable(Variable), AppendOnlyFile.IdentityOfDescriptor(2));

    /// <summary>True when <paramref name="value"/> ("device:inode", decimal) names <paramref name="stream"/>.</summary>
    public static bool Names(string? value, FileIdentity? stream)
    {
        if (value is null || stream is not { } s || value.Split(':') is not [var device, var inode]) return false;
        return ulong.TryParse(device, NumberStyles.None, CultureInfo.InvariantCulture, out ulong dev) && dev == s.Device
            && ulong.TryParse(inode, NumberStyles.None, CultureInfo.InvariantCulture, out ulong ino) && ino == s.Inode;
    }
}
