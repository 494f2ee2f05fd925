namespace OpenUM.Media.Srtp;

/// <summary>Per-SSRC state of one context: send counters and receive replay windows, each created on first use.</summary>
internal sealed class SrtpStreamState(uint ssrc)
{
    /// <summary>The SSRC this state belongs to.</summary>
    public uint Ssrc { get; } = ssrc;

    /// <summary>Sender: true once an RTP packet was protected.</summary>
    public bool SendStarted;

    /// <summary>Sender: highest RTP packet index protected (ROC * 65536 + SEQ).</summary>
    public ulong SendIndex;

    /// <summary>Sender: last SRTCP index used (the first packet uses 1, as libsrtp and pion do).</summary>
    public uint SendRtcpIndex;

    /// <summary>Receiver: SRTP replay window (its top is the highest authenticated index).</summary>
    public SrtpReplayWindow? RtpReplay;

    /// <summary>Receiver: SRTCP replay window.</summary>
    public SrtpReplayWindow? RtcpReplay;

    /// <summary>
    /// RFC 3711 §3.3.1 / Appendix A: the index of <paramref name="seq"/> relative to the highest index seen,
    /// choosing ROC-1, ROC or ROC+1. False when the guess would be negative (a packet from before the stream began).
    /// </summary>
    public static bool EstimateIndex(bool started, ulong highest, ushort seq, out ulong index)
    {
        if (!started)
        {
            index = seq;
            return true;
        }
        long roc = (long)(highest >> 16);
        int sl = (int)(highest & 0xFFFF);
        long v = roc;
        if (sl < 32768)
        {
            if (seq - sl > 32768)
                v = roc - 1;
        }
        else if (sl - 32768 > seq)
        {
            v = roc + 1;
        }
        if (v < 0 || v > uint.MaxValue)
        {
            index = 0;
            return false;
        }
        index = ((ulong)v << 16) | seq;
        return true;
    }
}

/// <summary>A small fixed-capacity SSRC table; linear search beats hashing at this size.</summary>
internal sealed class SrtpStreamTable(int capacity)
{
    private readonly SrtpStreamState?[] _entries = new SrtpStreamState?[capacity];
    private int _count;

    /// <summary>True when no new SSRC fits.</summary>
    public bool IsFull => _count == _entries.Length;

    /// <summary>The state for <paramref name="ssrc"/>, or null.</summary>
    public SrtpStreamState? Find(uint ssrc)
    {
        for (int i = 0; i < _count; i++)
        {
            var e = _entries[i]!;
            if (e.Ssrc == ssrc)
            {
                return e;
            }
        }
        return null;
    }

    /// <summary>Adds a state for a new SSRC; null when full.</summary>
    public SrtpStreamState? Add(uint ssrc)
    {
        if (IsFull)
            return null;
        var e = new SrtpStreamState(ssrc);
        _entries[_count++] = e;
        return e;
    }
}
