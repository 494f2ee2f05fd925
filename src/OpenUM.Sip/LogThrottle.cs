using System.Collections.Concurrent;

namespace OpenUM.Sip;

/// <summary>
/// Rate limit for events a peer can trigger (a stranger reaches every port): per key at most one event per
/// interval, and a global cap per interval, so a flood cannot fill the log. Suppressed occurrences are
/// counted and reported with the next event that passes. Lives with the transport because that is where
/// strangers arrive; every layer that logs on their behalf uses it.
/// </summary>
public sealed class LogThrottle(TimeProvider time, TimeSpan interval, int globalPerInterval = 50, int maxKeys = 10_000)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly long _window = (long)(interval.TotalSeconds * time.TimestampFrequency);
    private readonly Lock _global = new();
    private long _windowStart = long.MinValue / 2;
    private int _windowCount;
    private int _keys; // approximate: ConcurrentDictionary.Count takes every bucket lock

    private sealed class Entry { public long LastTicks = long.MinValue / 2; public int Suppressed; }

    /// <summary>True when the event for <paramref name="key"/> should be logged now; <paramref name="suppressed"/> is how many were dropped since the last one.</summary>
    public bool ShouldLog(string key, out int suppressed)
    {
        long now = time.GetTimestamp();
        suppressed = 0;
        if (!_entries.TryGetValue(key, out var entry))
        {
            // Bounded memory under address-spraying floods: forget everyone rather than grow.
            if (Interlocked.Increment(ref _keys) > maxKeys)
            {
                _entries.Clear();
                Volatile.Write(ref _keys, 1);
            }
            entry = _entries.GetOrAdd(key, static _ => new Entry());
        }
        lock (entry)
        {
            if (now - entry.LastTicks < _window) { entry.Suppressed++; return false; }
            lock (_global)
            {
                if (now - _windowStart >= _window) { _windowStart = now; _windowCount = 0; }
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
