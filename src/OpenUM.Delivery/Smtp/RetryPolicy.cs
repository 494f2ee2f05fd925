namespace OpenUM.Delivery.Smtp;

/// <summary>
/// Exponential backoff with jitter: the n-th retry waits about <c>initial × 2^(n-1)</c>, at most
/// <c>max</c>, scaled by a random factor in [0.5, 1.0] ("equal jitter"), so many items that failed together
/// (a smart host outage) do not come back in lock-step.
/// </summary>
public sealed class RetryPolicy(TimeSpan initial, TimeSpan max, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    /// <summary>The first retry interval.</summary>
    public TimeSpan Initial { get; } = initial;
    /// <summary>The longest interval.</summary>
    public TimeSpan Max { get; } = max;

    /// <summary>How long to wait after <paramref name="attempts"/> failed attempts (1 = after the first).</summary>
    public TimeSpan Delay(int attempts)
    {
        int exponent = Math.Clamp(attempts - 1, 0, 30);
        double ceiling = Math.Min(Max.TotalMilliseconds, Initial.TotalMilliseconds * Math.Pow(2, exponent));
        double jitter;
        lock (_random) jitter = 0.5 + (_random.NextDouble() * 0.5);
        return TimeSpan.FromMilliseconds(ceiling * jitter);
    }
}
