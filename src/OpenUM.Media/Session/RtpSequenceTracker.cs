using Microsoft.Extensions.Logging;
using OpenUM.Media.Rtp;

namespace OpenUM.Media.Session;

/// <summary>What <see cref="RtpSequenceTracker.Track"/> decided about one packet.</summary>
internal enum SequenceVerdict
{
    /// <summary>A new packet of the stream (in order, late, or the first of a new SSRC or a confirmed restart): use it.</summary>
    New,
    /// <summary>An exact duplicate of the highest sequence number seen: dropped.</summary>
    Duplicate,
    /// <summary>A lone packet far out of range: dropped (and counted as ignored) until the next one confirms a restart.</summary>
    Stray,
}

/// <summary>
/// RFC 3550 A.1 sequence number tracking of the received stream: duplicates, restarts, and the loss count of
/// <see cref="MediaStatistics.PacketsLost"/>. Receive thread only; <see cref="PacketsLost"/> is read racily.
/// </summary>
internal sealed class RtpSequenceTracker(ILogger logger, int localPort)
{
    // RFC 3550 A.1: sequence jumps beyond these are a restart (or misordering), not loss.
    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;

    private bool _seqInit;
    private uint _seqSsrc;
    private ushort _maxSeq;
    private long _baseSeq, _cycles, _seqReceived, _lostCarried;
    // RFC 3550 A.1 bad_seq: the sequence number that would confirm a restart; -1 when none is pending.
    private int _badSeq = -1;

    /// <summary>Sequence numbers never received, over every SSRC and restart so far.</summary>
    public long PacketsLost => Math.Max(0, Volatile.Read(ref _lostCarried) + CurrentRunLost());

    private long CurrentRunLost()
    {
        if (!_seqInit)
            return 0;
        long expected = _cycles + _maxSeq - _baseSeq + 1;
        return Math.Max(0, expected - _seqReceived);
    }

    /// <summary>
    /// Counts one packet from the learned source. A lone packet far out of range is dropped: it may be stray or
    /// forged, and must not restart the loss statistics.
    /// </summary>
    public SequenceVerdict Track(in RtpHeader h)
    {
        ushort seq = h.SequenceNumber;
        if (!_seqInit || h.Ssrc != _seqSsrc)
        {
            if (_seqInit)
            {
                Interlocked.Add(ref _lostCarried, CurrentRunLost());
                MediaLog.SsrcChanged(logger, localPort, h.Ssrc);
            }
            Restart(seq);
            _seqSsrc = h.Ssrc;
            _seqInit = true;
            _seqReceived = 1;
            return SequenceVerdict.New;
        }
        ushort delta = (ushort)(seq - _maxSeq);
        if (delta == 0)
            return SequenceVerdict.Duplicate;
        if (delta < MaxDropout)
        {
            if (seq < _maxSeq)
                _cycles += 0x10000;
            _maxSeq = seq;
            _badSeq = -1;
        }
        else if (delta <= 0x10000 - MaxMisorder)
        {
            // RFC 3550 A.1: a jump this large is a sender restart only if the next packet continues from it;
            // one stray packet must not throw away the loss count of the current run.
            if (seq != _badSeq)
            {
                _badSeq = (ushort)(seq + 1);
                return SequenceVerdict.Stray;
            }
            Interlocked.Add(ref _lostCarried, CurrentRunLost());
            Restart(seq);
        }
        _seqReceived++;
        return SequenceVerdict.New;
    }

    private void Restart(ushort seq)
    {
        _seqReceived = 0;
        _baseSeq = seq;
        _maxSeq = seq;
        _cycles = 0;
        _badSeq = -1;
    }
}
