using System.Globalization;
using OpenUM.Directory;

namespace OpenUM.Server.Storage;

/// <summary>
/// How much free space and how many inodes a new call needs, from the UM server's MinFreeSpaceMB/MinFreeInodes
/// (fixed) or, when they are 0, automatically: a recording reserve (the longest MaxRecordingDuration of the dial
/// plans served, see <see cref="UmServer.RecordingReserveBytes"/>) for each call in progress and the new one.
/// </summary>
/// <param name="MinFreeSpaceMB">UmServer.MinFreeSpaceMB (0 = automatic).</param>
/// <param name="MinFreeInodes">UmServer.MinFreeInodes (0 = automatic).</param>
/// <param name="ReserveBytesPerCall">What one call may need to land its message (automatic mode).</param>
public sealed record StoragePolicy(int MinFreeSpaceMB, int MinFreeInodes, long ReserveBytesPerCall)
{
    /// <summary>Bytes in one of the MB of MinFreeSpaceMB (as <c>df -m</c>).</summary>
    public const long BytesPerMB = 1024 * 1024;

    /// <summary>The policy with every setting at its default (automatic, 20-minute recordings).</summary>
    public static StoragePolicy Default { get; } = new(0, 0, UmServer.RecordingReserveBytes(new DialPlan { Name = "-", NumberOfDigitsInExtension = 1 }.MaxRecordingDuration));

    /// <summary>What a new call needs while <paramref name="activeCalls"/> are in progress, and what ends a shortage.</summary>
    public StorageRequirement Required(int activeCalls)
    {
        long calls = Math.Max(0, activeCalls) + 1L;
        long bytes = MinFreeSpaceMB > 0 ? MinFreeSpaceMB * BytesPerMB : ReserveBytesPerCall * calls;
        long inodes = MinFreeInodes > 0 ? MinFreeInodes : UmServer.InodesPerCall * calls;
        // Hysteresis: a shortage ends only a tenth above the threshold (at least 1 MB and 16 inodes), so a disk
        // hovering at the line does not turn calls away and back every few seconds.
        return new StorageRequirement(bytes, inodes, bytes + Math.Max(bytes / 10, BytesPerMB), inodes + Math.Max(inodes / 10, 16),
            MinFreeSpaceMB == 0, MinFreeInodes == 0, activeCalls);
    }

    /// <summary>The policy of <paramref name="serverName"/> in a configuration (defaults when it has no UmServer object yet).</summary>
    public static StoragePolicy From(ConfigurationSnapshot config, string serverName)
    {
        ArgumentNullException.ThrowIfNull(config);
        var server = config.FindUmServer(serverName);
        TimeSpan longest = TimeSpan.Zero;
        foreach (var plan in config.DialPlans)
        {
            bool served = server is null || server.DialPlans.Count == 0
                || server.DialPlans.Any(n => string.Equals(n, plan.Name, StringComparison.OrdinalIgnoreCase));
            if (served && plan.MaxRecordingDuration > longest) longest = plan.MaxRecordingDuration;
        }
        long reserve = longest > TimeSpan.Zero ? UmServer.RecordingReserveBytes(longest) : Default.ReserveBytesPerCall;
        return new StoragePolicy(server?.MinFreeSpaceMB ?? 0, server?.MinFreeInodes ?? 0, reserve);
    }

    /// <summary>A source that follows the configuration, computing the policy once per snapshot (not once per call).</summary>
    public static Func<StoragePolicy> Follow(Func<ConfigurationSnapshot> config, string serverName)
    {
        // One reference, swapped whole: concurrent callers never pair one snapshot with another's policy.
        Tuple<ConfigurationSnapshot, StoragePolicy>? last = null;
        return () =>
        {
            var snapshot = config();
            var cached = Volatile.Read(ref last);
            if (cached is not null && ReferenceEquals(cached.Item1, snapshot)) return cached.Item2;
            var policy = From(snapshot, serverName);
            Volatile.Write(ref last, Tuple.Create(snapshot, policy));
            return policy;
        };
    }
}

/// <summary>Free bytes and inodes a new call needs now, and the levels at which a shortage ends.</summary>
public readonly record struct StorageRequirement(long Bytes, long Inodes, long ResumeBytes, long ResumeInodes, bool AutomaticBytes,
    bool AutomaticInodes, int ActiveCalls)
{
    /// <summary>Where the threshold comes from, with the command that changes it.</summary>
    public string Basis => string.Create(CultureInfo.InvariantCulture,
        $"space {(AutomaticBytes ? "automatic" : "fixed")}, inodes {(AutomaticInodes ? "automatic" : "fixed")}") +
        (AutomaticBytes || AutomaticInodes
            ? string.Create(CultureInfo.InvariantCulture, $": automatic is room for the {ActiveCalls} call(s) in progress and one more; ")
            : ": ") + "openum server set --min-free-space-mb/--min-free-inodes, 0 = automatic";
}
