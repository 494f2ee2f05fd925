using System.Security.Cryptography;

namespace OpenUM.Media.Session;

/// <summary>Hands out even RTP ports from [first, last] (RTCP would take port+1); thread-safe, ports are returned for reuse.</summary>
public sealed class RtpPortRange
{
    private readonly bool[] _inUse;
    // Indices of free ports in [0, _freeCount): renting swaps a random one out, returning appends, both O(1).
    private readonly int[] _free;
    private int _freeCount;
    private readonly Lock _lock = new();

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
        _free = new int[_inUse.Length];
        for (int i = 0; i < _free.Length; i++)
            _free[i] = i;
        _freeCount = _free.Length;
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
                return _inUse.Length - _freeCount;
        }
    }

    /// <summary>
    /// Rents a free even port chosen at random (CSPRNG): predictable ports would let an attacker aim RTP at the
    /// next call before its peer does (RTP bleed). Random choice also makes immediate reuse of a just-returned
    /// port unlikely (late packets of the previous call).
    /// </summary>
    public bool TryRent(out int port)
    {
        lock (_lock)
        {
            if (_freeCount > 0)
            {
                int k = RandomNumberGenerator.GetInt32(_freeCount);
                int idx = _free[k];
                _free[k] = _free[--_freeCount];
                _inUse[idx] = true;
                port = First + 2 * idx;
                return true;
            }
        }
        port = 0;
        return false;
    }

    /// <summary>Returns a rented port (returning a port that is not rented does nothing).</summary>
    public void Return(int port)
    {
        if (port < First || port > Last || port % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(port));
        lock (_lock)
        {
            int idx = (port - First) / 2;
            // The flag keeps a double Return from putting the port on the free list twice (it would be rented twice).
            if (!_inUse[idx])
                return;
            _inUse[idx] = false;
            _free[_freeCount++] = idx;
        }
    }
}
