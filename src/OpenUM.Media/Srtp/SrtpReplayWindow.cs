using System.Numerics;

namespace OpenUM.Media.Srtp;

/// <summary>
/// Sliding replay window over packet indices (RFC 3711 §3.3.2): a ring bitmap indexed by index mod a power of two,
/// so sliding costs one bit clear per step and no allocation.
/// </summary>
internal sealed class SrtpReplayWindow
{
    private readonly ulong[] _bits;
    private readonly ulong _mask;
    private readonly int _size;
    private ulong _top;
    private bool _started;

    /// <summary>A window of <paramref name="size"/> packets (64..32768).</summary>
    public SrtpReplayWindow(int size)
    {
        _size = size;
        int storage = (int)BitOperations.RoundUpToPowerOf2((uint)size);
        _bits = new ulong[storage / 64];
        _mask = (ulong)storage - 1;
    }

    /// <summary>True once an index has been committed.</summary>
    public bool Started => _started;

    /// <summary>Highest index committed so far.</summary>
    public ulong Top => _top;

    /// <summary>Whether <paramref name="index"/> may be accepted; changes nothing.</summary>
    public SrtpStatus Check(ulong index)
    {
        if (!_started || index > _top)
            return SrtpStatus.Ok;
        if (_top - index >= (ulong)_size)
            return SrtpStatus.ReplayTooOld;
        ulong bit = index & _mask;
        return (_bits[bit >> 6] & (1UL << (int)(bit & 63))) != 0 ? SrtpStatus.ReplayDuplicate : SrtpStatus.Ok;
    }

    /// <summary>Records <paramref name="index"/> as received; call only after <see cref="Check"/> and the tag passed.</summary>
    public void Commit(ulong index)
    {
        if (!_started)
        {
            _started = true;
            _top = index;
        }
        else if (index > _top)
        {
            ulong step = index - _top;
            if (step > _mask)
            {
                Array.Clear(_bits);
            }
            else
            {
                // Indices top+1..index are new: clear the slots they reuse.
                for (ulong i = _top + 1; i <= index; i++)
                {
                    ulong b = i & _mask;
                    _bits[b >> 6] &= ~(1UL << (int)(b & 63));
                }
            }
            _top = index;
        }
        ulong bit = index & _mask;
        _bits[bit >> 6] |= 1UL << (int)(bit & 63);
    }
}
