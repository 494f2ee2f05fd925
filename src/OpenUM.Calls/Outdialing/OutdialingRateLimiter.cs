namespace OpenUM.Calls.Outdialing;

/// <summary>
/// Per-user and per-server outdialing limits (OUT-3) as token buckets refilled continuously over the
/// window: a burst of the whole allowance is possible, then calls are spread out. Time comes from the
/// <see cref="TimeProvider"/> at each call; nothing runs in the background.
/// </summary>
public sealed class OutdialingRateLimiter(TimeProvider time, int perUser, int perServer, TimeSpan window, int maxUsers = 100_000)
{
    private readonly Dictionary<string, Bucket> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly Bucket _server = new(perServer, time.GetTimestamp());
    private readonly Lock _lock = new();

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens = tokens;
        public long Stamp = stamp;
    }

    /// <summary>
    /// Takes one call from both allowances when both have one; otherwise takes nothing and says which is
    /// exhausted (denied attempts do not count, so a refused flood cannot lock out the next good call).
    /// </summary>
    public OutdialingReason TryAcquire(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = time.GetTimestamp();
        lock (_lock)
        {
            Refill(_server, perServer, now);
            if (!_users.TryGetValue(user, out var bucket))
            {
                if (_users.Count >= maxUsers)
                {
                    EvictFull(now);
                }

                bucket = new Bucket(perUser, now);
            }

            Refill(bucket, perUser, now);
            if (bucket.Tokens < 1)
            {
                return OutdialingReason.UserRateLimit;
            }

            if (_server.Tokens < 1)
            {
                return OutdialingReason.ServerRateLimit;
            }

            bucket.Tokens--;
            _server.Tokens--;
            _users[user] = bucket;
            return OutdialingReason.Allowed;
        }
    }

    private void Refill(Bucket bucket, int capacity, long now)
    {
        var elapsed = time.GetElapsedTime(bucket.Stamp, now);
        bucket.Stamp = now;
        if (elapsed > TimeSpan.Zero)
        {
            bucket.Tokens = Math.Min(capacity, bucket.Tokens + (capacity * elapsed.TotalSeconds / window.TotalSeconds));
        }
    }

    // A full bucket carries no state, so forgetting it is exact; only users still limited are kept.
    private void EvictFull(long now)
    {
        foreach (var (key, bucket) in _users.ToArray())
        {
            Refill(bucket, perUser, now);
            if (bucket.Tokens >= perUser)
            {
                _users.Remove(key);
            }
        }
    }
}
