using System.Globalization;

namespace OpenUM.Interop.Tests.Metrics;

/// <summary>The TCP ports a process listens on, from /proc (its socket descriptors matched to /proc/net/tcp{,6}).</summary>
public static class ListeningPorts
{
    private const string Listen = "0A"; // TCP_LISTEN in /proc/net/tcp's "st" column

    /// <summary>Ports of the listening TCP sockets process <paramref name="pid"/> holds.</summary>
    public static IReadOnlySet<int> Of(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (string fd in System.IO.Directory.EnumerateFiles($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                    inodes.Add(target[8..^1]);
            }
            catch (IOException) { } // closed meanwhile
        }
        var ports = new HashSet<int>();
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table)) continue;
            foreach (string line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 9 && f[3] == Listen && inodes.Contains(f[9]))
                    ports.Add(int.Parse(f[1][(f[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }
        return ports;
    }
}
