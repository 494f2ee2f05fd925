using System.Net;

namespace OpenUM.Media.Session;

/// <summary>
/// Hands out even RTP ports from [first, last] (RTCP would take port+1); thread-safe, ports are returned for reuse.
/// A range made with <c>keepIdle</c> also keeps up to that many bound socket pairs of ended media sessions for the
/// next ones (<see cref="RtpSocketPair"/>): a call then creates, binds and closes no socket.
/// </summary>
/// <remarks>
/// An idle pair is taken at random among those bound to the requested address (CSPRNG, as ports are rented), so its
/// port is no easier to guess than a fresh one's; its loops drop whatever arrives while it is idle. At most a quarter
/// of the range is kept idle, so sessions on another address still find free ports. Idle pairs are closed when the
/// range is disposed; none is closed for being idle long (at most <c>keepIdle</c> pairs stay bound).
/// </remarks>
public sealed class RtpPortRange : IAsyncDisposable
{
    private readonly bool[] _inUse;
    // Indices of free ports in [0, _freeCount): renting swaps a random one out, returning appends, both O(1).
    private readonly int[] _free;
    private int _freeCount;
    private readonly Lock _lock = new();
    private readonly int _keepIdle;
    private readonly List<RtpSocketPair> _idle = [];
    private bool _disposed;

    /// <summary>Creates a range that keeps no idle socket pair; odd bounds are moved inwards to even ports.</summary>
    public RtpPortRange(int first, int last) : this(first, last, 0)
    {
    }

    /// <summary>Creates a range that keeps up to <paramref name="keepIdle"/> idle socket pairs (at most a quarter of its ports).</summary>
    public RtpPortRange(int first, int last, int keepIdle)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keepIdle);
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
        _keepIdle = Math.Min(keepIdle, _inUse.Length / 4);
    }

    /// <summary>Lowest port.</summary>
    public int First { get; }

    /// <summary>Highest port.</summary>
    public int Last { get; }

    /// <summary>How many ports the range holds.</summary>
    public int Count => _inUse.Length;

    /// <summary>Idle socket pairs kept for the next sessions (their ports count as rented).</summary>
    public int Idle
    {
        get
        {
            lock (_lock)
                return _idle.Count;
        }
    }

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
                int k = SecureRandomDraws.Next(_freeCount);
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

    // Tests: the idle pairs as they are now.
    internal RtpSocketPair[] IdlePairs()
    {
        lock (_lock)
            return [.. _idle];
    }

    /// <summary>An idle pair bound to <paramref name="address"/>, chosen at random, or null.</summary>
    internal RtpSocketPair? TryTakeIdle(IPAddress address)
    {
        lock (_lock)
        {
            int n = _idle.Count;
            if (n == 0)
                return null;
            // One address is the rule; with several, the search goes on from the random start.
            int start = SecureRandomDraws.Next(n);
            for (int i = 0; i < n; i++)
            {
                int k = (start + i) % n;
                var pair = _idle[k];
                if (!pair.Address.Equals(address))
                    continue;
                _idle[k] = _idle[n - 1];
                _idle.RemoveAt(n - 1);
                return pair;
            }
            return null;
        }
    }

    /// <summary>Keeps a detached pair for the next session (if its loops still run), or closes it and returns its port.</summary>
    internal async ValueTask ReleaseAsync(RtpSocketPair pair)
    {
        lock (_lock)
        {
            if (!_disposed && _idle.Count < _keepIdle && pair.Receiving)
            {
                _idle.Add(pair);
                return;
            }
        }
        await pair.CloseAsync().ConfigureAwait(false);
        Return(pair.Port);
    }

    /// <summary>Closes the idle pairs; sessions still open close theirs when they end.</summary>
    public async ValueTask DisposeAsync()
    {
        RtpSocketPair[] idle;
        lock (_lock)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }
        foreach (var pair in idle)
        {
            await pair.CloseAsync().ConfigureAwait(false);
            Return(pair.Port);
        }
    }
}
