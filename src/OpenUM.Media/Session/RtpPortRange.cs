namespace OpenUM.Media;

/// <summary>Hands out even RTP ports from [first, last] (RTCP would take port+1); thread-safe, ports are returned for reuse.</summary>
public sealed class RtpPortRange
{
    private readonly bool[] _inUse;
    private readonly Lock _lock = new();
    private int _next;

    /// <summary>Creates a range; odd bounds are moved inwards to even ports.</summary>
    public RtpPortRange(int first, int last)
    {
        if (first % 2 != 0)
            first++;
        if (last % 2 != 0)
            last--;
        if (first < 2 || last > 65534 || last < first)
            throw new ArgumentOutOfRangeException(nameof(first), $"RTP port range {first}-{last} holds no even port in 2-65534.");
        First = first;
        Last = last;
        _inUse = new bool[(last - first) / 2 + 1];
    }

    /// <summary>Lowest port.</summary>
    public int First { get; }

    /// <summary>Highest port.</summary>
    public int Last { get; }

    /// <summary>How many ports the range holds.</summary>
    public int Count => _inUse.Length;

    /// <summary>Ports currently rented.</summary>
    public int InUse
    {
        get
        {
            lock (_lock)
                return _inUse.Count(b => b);
        }
    }

    /// <summary>Rents the next free even port; round-robin so a just-freed port is not reused at once (late packets of the previous call).</summary>
    public bool TryRent(out int port)
    {
        lock (_lock)
        {
            for (int i = 0; i < _inUse.Length; i++)
            {
                int idx = (_next + i) % _inUse.Length;
                if (!_inUse[idx])
                {
                    _inUse[idx] = true;
                    _next = (idx + 1) % _inUse.Length;
                    port = First + 2 * idx;
                    return true;
                }
            }
        }
        port = 0;
        return false;
    }

    /// <summary>Returns a rented port.</summary>
    public void Return(int port)
    {
        if (port < First || port > Last || port % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(port));
        lock (_lock)
            _inUse[(port - First) / 2] = false;
    }
}
