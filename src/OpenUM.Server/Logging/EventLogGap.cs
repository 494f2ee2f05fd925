using System.Globalization;

namespace OpenUM.Server.Logging;

/// <summary>
/// The events an event log did not take since it last took one: how many, and the times of the first and the
/// last. When the log takes events again it gets event 2063 with these, so the log itself shows its gap.
/// Not thread-safe: the owning provider serializes.
/// </summary>
public sealed class EventLogGap
{
    /// <summary>Events lost since the last one written (0: no gap).</summary>
    public long Count { get; private set; }

    /// <summary>Time of the first event lost.</summary>
    public DateTimeOffset FirstLost { get; private set; }

    /// <summary>Time of the last event lost.</summary>
    public DateTimeOffset LastLost { get; private set; }

    /// <summary>Why the first event of the gap was lost.</summary>
    public string Reason { get; private set; } = "";

    /// <summary>Counts an event of <paramref name="at"/> that was not written; <paramref name="reason"/> is asked for only on the first.</summary>
    public void Lost<TArg>(DateTimeOffset at, Func<TArg, string> reason, TArg arg) => Lost(at, 1, reason, arg);

    /// <summary>Counts <paramref name="count"/> events of <paramref name="at"/> that were not written (one failed write of several lines).</summary>
    public void Lost<TArg>(DateTimeOffset at, long count, Func<TArg, string> reason, TArg arg)
    {
        if (count <= 0) return;
        if (Count == 0)
        {
            FirstLost = at;
            Reason = reason(arg);
        }
        Count += count;
        LastLost = at;
    }

    /// <summary>Ends the gap (its 2063 was written).</summary>
    public void Clear() => Count = 0;

    /// <summary>A time as 2063 gives it: ISO 8601 UTC with fractions, like the lines' own "time".</summary>
    public static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
}
