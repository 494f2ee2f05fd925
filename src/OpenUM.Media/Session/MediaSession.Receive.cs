using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenUM.Media.Audio;
using OpenUM.Media.Rtp;

namespace OpenUM.Media.Session;

public sealed partial class MediaSession
{
    // Audio packets are far below this; a datagram that fills the buffer may have been truncated and is dropped.
    private const int ReceiveBufferSize = 4096;
    // RFC 3550 A.1: sequence jumps beyond these are a restart (or misordering), not loss.
    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;
    private const int ComfortNoisePayloadType = 13;

    private readonly short[] _decodeBuffer = new short[ReceiveBufferSize];

    // Sequence tracking for the current SSRC (receive thread only; read racily for statistics).
    private bool _seqInit;
    private uint _seqSsrc;
    private ushort _maxSeq;
    private long _baseSeq, _cycles, _seqReceived, _lostCarried;
    // RFC 3550 A.1 bad_seq: the sequence number that would confirm a restart; -1 when none is pending.
    private int _badSeq = -1;

    // RFC 4733 de-duplication: one event per (SSRC, RTP timestamp).
    private bool _haveEvent;
    private uint _eventSsrc, _eventTimestamp;

    private long PacketsLost => Math.Max(0, Volatile.Read(ref _lostCarried) + CurrentRunLost());

    private long CurrentRunLost()
    {
        if (!_seqInit)
            return 0;
        long expected = _cycles + _maxSeq - _baseSeq + 1;
        return Math.Max(0, expected - _seqReceived);
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        // One buffer and one SocketAddress for the life of the session: the steady-state loop allocates nothing.
        var buffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferSize, pinned: true);
        var from = new SocketAddress(_socket.AddressFamily);
        while (!ct.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await _socket.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, from, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.MessageSize or SocketError.ConnectionReset)
            {
                // Oversized datagram, or an ICMP error surfaced on the socket: the socket is still usable.
                Interlocked.Increment(ref _malformed);
                Interlocked.Increment(ref _handled);
                continue;
            }
            catch (SocketException ex)
            {
                if (!ct.IsCancellationRequested)
                    MediaLog.ReceiveFailed(_logger, LocalPort, ex);
                return;
            }
            try
            {
                OnDatagram(buffer.AsSpan(0, n), from);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A bug in handling one packet must not silence the rest of the call.
                MediaLog.ReceiveFailed(_logger, LocalPort, ex);
            }
            Interlocked.Increment(ref _handled);
        }
    }

    // Datagrams the receive loop has finished with (PacketsReceived counts them on arrival): lets tests wait until
    // a packet's effects (learning, recording, events) have happened rather than until it has arrived.
    private long _handled;

    internal long DatagramsHandled => Interlocked.Read(ref _handled);

    internal void OnDatagram(Span<byte> packet, SocketAddress from)
    {
        Interlocked.Increment(ref _packetsReceived);
        Interlocked.Add(ref _bytesReceived, packet.Length);
        if (packet.Length >= 2 && packet[0] >> 6 == 2 && packet[1] is >= 200 and <= 204)
        {
            // RTCP multiplexed on the RTP port (RFC 5761): authenticated when SRTP is on, not interpreted yet.
            Interlocked.Increment(ref _ignored);
            if (packet.Length < ReceiveBufferSize && AcceptsRtcpFrom(from))
                _security.OnRtcp(packet, onRtpPort: true);
            return;
        }
        if (packet.Length >= ReceiveBufferSize)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        // SRTP first: nothing unauthenticated may be learned, be recorded, or count as a key press.
        if (!_security.TryUnprotectRtp(ref packet, out bool authenticated))
            return;
        if (!RtpHeader.TryParse(packet, out var h))
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        var media = _media;
        if (media is null)
        {
            Interlocked.Increment(ref _ignored);
            return;
        }
        bool isAudio = h.PayloadType == media.PayloadType;
        bool isEvent = h.PayloadType == media.TelephoneEventPayloadType;
        if (!isAudio && !isEvent)
        {
            // Comfort noise (RFC 3389) and anything not negotiated: ignored; for the recorder it is silence.
            Interlocked.Increment(ref _ignored);
            return;
        }

        long now = _time.GetTimestamp();
        if (!AcceptSource(from, h, authenticated, now, media))
            return;
        var payload = packet.Slice(h.HeaderLength, h.PayloadLength);
        if (isAudio && !PayloadFits(payload.Length, media))
            return;
        if (!TrackSequence(h))
            return; // exact duplicate, or a lone out-of-range sequence number
        if (isAudio)
        {
            var samples = _decodeBuffer.AsSpan(0, payload.Length);
            G711.Decode(payload, samples, media.Codec);
            _recorder?.OnAudio(h.Ssrc, h.Timestamp, samples, now);
        }
        else
        {
            OnTelephoneEvent(h, payload, now);
        }
    }

    private void OnTelephoneEvent(in RtpHeader h, ReadOnlySpan<byte> payload, long now)
    {
        if (!TelephoneEvent.TryParse(payload, out var ev))
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        // A later timestamp is a new key press; the same or an older one is a continuation, an end-packet
        // retransmission or a late packet of an earlier press (RFC 4733 §2.5.1.3).
        bool isNew = !_haveEvent || h.Ssrc != _eventSsrc || (int)(h.Timestamp - _eventTimestamp) > 0;
        if (!isNew)
            return;
        _haveEvent = true;
        _eventSsrc = h.Ssrc;
        _eventTimestamp = h.Timestamp;
        if (TelephoneEvent.ToDigit(ev.Event) is not { } digit)
            return; // hook flash and tones: not DTMF
        MediaLog.DtmfReceived(_logger, LocalPort);
        _recorder?.OnDigit(digit, now);
        var handler = DtmfReceived;
        if (handler is null)
            return;
        try
        {
            handler(digit);
        }
        catch (Exception ex)
        {
            MediaLog.DtmfHandlerFailed(_logger, ex);
        }
    }

    // Compares only the IP address bytes of two sockaddrs (sockaddr_in: 4 bytes at offset 4; sockaddr_in6: 16 bytes
    // at offset 8), so the port, IPv6 flow info and scope id do not matter; no allocation on the receive path.
    internal static bool SameHost(SocketAddress a, SocketAddress b)
    {
        if (a.Family != b.Family)
            return false;
        (int offset, int length) = a.Family switch
        {
            AddressFamily.InterNetwork => (4, 4),
            AddressFamily.InterNetworkV6 => (8, 16),
            _ => (0, 0),
        };
        if (length == 0 || a.Size < offset + length || b.Size < offset + length)
            return false;
        return a.Buffer.Span.Slice(offset, length).SequenceEqual(b.Buffer.Span.Slice(offset, length));
    }

    // Returns false for an exact duplicate of the highest sequence number seen, and for a lone packet far out of
    // range (dropped: it may be stray or forged, and must not restart the loss statistics).
    private bool TrackSequence(in RtpHeader h)
    {
        ushort seq = h.SequenceNumber;
        if (!_seqInit || h.Ssrc != _seqSsrc)
        {
            if (_seqInit)
            {
                Interlocked.Add(ref _lostCarried, CurrentRunLost());
                MediaLog.SsrcChanged(_logger, LocalPort, h.Ssrc);
            }
            RestartSequence(seq);
            _seqSsrc = h.Ssrc;
            _seqInit = true;
            _seqReceived = 1;
            return true;
        }
        ushort delta = (ushort)(seq - _maxSeq);
        if (delta == 0)
            return false;
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
                Interlocked.Increment(ref _ignored);
                return false;
            }
            Interlocked.Add(ref _lostCarried, CurrentRunLost());
            RestartSequence(seq);
        }
        _seqReceived++;
        return true;
    }

    private void RestartSequence(ushort seq)
    {
        _seqReceived = 0;
        _baseSeq = seq;
        _maxSeq = seq;
        _cycles = 0;
        _badSeq = -1;
    }
}
