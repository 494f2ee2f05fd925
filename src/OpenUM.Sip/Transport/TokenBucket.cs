namespace OpenUM.Sip.Transport;

// A token bucket on TimeProvider timestamps: `rate` tokens a second, at most `burst` saved up. Not thread-safe:
// the owner holds its lock around it.
internal struct TokenBucket(double burst, long now)
{
    private double _tokens = burst;
    private long _updated = now;

    public bool TryTake(long now, double rate, double burst, long frequency)
    {
        Refill(now, rate, burst, frequency);
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }

    // Full again: forgetting the bucket would give its owner nothing it does not already have.
    public bool IsFull(long now, double rate, double burst, long frequency)
    {
        Refill(now, rate, burst, frequency);
        return _tokens >= burst;
    }

    private void Refill(long now, double rate, double burst, long frequency)
    {
        if (now > _updated) _tokens = Math.Min(burst, _tokens + (now - _updated) * rate / frequency);
        _updated = Math.Max(_updated, now);
    }
}
