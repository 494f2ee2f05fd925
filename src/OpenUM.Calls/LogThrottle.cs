using System.Collections.Concurrent;

namespace OpenUM.Calls;

/// <summary>
/// Rate limit for events a flood can trigger (ADM-2): per key at most one event per interval, and a
/// global cap per interval, so a hostile peer cannot fill the log. Suppressed occurrences are counted
/// and reported with the next event that passes.
/// </summary>
public sealed class LogThrottle(TimeProvider time, TimeSpan interval, int globalPerInterval = 50, int maxKeys = 10_000)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _windowStart;
    private int _windowCount;

    private sealed class Entry { public long LastTicks; public int Suppressed; }

    /// <summary>True when the event for <paramref name="key"/> should be logged now; <paramref name="suppressed"/> is how many were dropped since the last one.</summary>
    public bool ShouldLog(string key, out int suppressed)
    {
        long now = time.GetTimestamp();
        long window = (long)(interval.TotalSeconds * time.TimestampFrequency);
        suppressed = 0;
        if (_entries.Count >= maxKeys) _entries.Clear(); // bounded memory under address-spraying floods
        var entry = _entries.GetOrAdd(key, _ => new Entry { LastTicks = long.MinValue / 2 });
        lock (entry)
        {
            if (now - entry.LastTicks < window) { entry.Suppressed++; return false; }
            lock (_entries)
            {
                if (now - _windowStart >= window) { _windowStart = now; _windowCount = 0; }
                if (++_windowCount > globalPerInterval) { entry.Suppressed++; return false; }
            }
            suppressed = entry.Suppressed;
            entry.Suppressed = 0;
            entry.LastTicks = now;
            return true;
        }
    }

    /// <summary>Suffix for a log message ("" or " (N similar suppressed)").</summary>
    public static string Describe(int suppressed) => suppressed == 0 ? "" : $" ({suppressed} similar suppressed)";
}
