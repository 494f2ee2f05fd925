namespace OpenUM.Interop.Tests.Harness;

/// <summary>What the storage tests give a caller to say and look for in the server afterwards.</summary>
public static class StorageChecks
{
    /// <summary>440 Hz as raw 8 kHz mu-law (loud enough that a recording's idle timeout never fires), for SIPp's rtp_stream.</summary>
    public static byte[] MuLawTone(int seconds, int amplitude = 10000)
    {
        var bytes = new byte[8000 * seconds];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = OpenUM.Media.Audio.G711.LinearToMuLaw((short)(amplitude * Math.Sin(2 * Math.PI * 440 * i / 8000.0)));
        return bytes;
    }

    /// <summary>The files under any of <paramref name="directories"/> that process <paramref name="pid"/> holds open (/proc/PID/fd).</summary>
    public static List<string> OpenFilesUnder(int pid, params string[] directories)
    {
        var open = new List<string>();
        foreach (var fd in System.IO.Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target
                    && directories.Any(d => target.StartsWith(d + "/", StringComparison.Ordinal)))
                    open.Add(target);
            }
            catch (IOException)
            {
                // closed while listing
            }
        }
        return open;
    }
}
