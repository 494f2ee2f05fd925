using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using OpenUM.Media.Audio;
using OpenUM.Media.Rtp;
using OpenUM.Media.Sdp;

namespace OpenUM.Media.Session;

/// <summary>
/// The receiving half of a media session: per datagram of its RTP and RTCP ports (from the receive loops of its
/// <see cref="RtpSocketPair"/>), the SRTP check
/// (<see cref="MediaSecurity"/>), the source check (<see cref="RtpSourceGate"/>), the payload size, sequence
/// tracking (<see cref="RtpSequenceTracker"/>), and the hand-off of audio to the recorder and the fax tone detector
/// (<see cref="FaxToneDetected"/>) and of key presses to the recorder and <see cref="DtmfReceived"/>.
/// </summary>
/// <remarks>
/// The per-packet state is the receive thread's own (the RTCP loop only counts reports). The negotiated media and
/// the recording arrive through volatile fields: Start and Update write the media under the session's lock,
/// RecordAsync sets and clears the recording.
/// </remarks>
internal sealed class RtpReceiver
{
    // What can arrive, not a round number: the largest audio payload accepted is two frames of the longest packet time
    // (G.711, one byte a sample), and an RTP datagram holds it with a full header (15 CSRCs), the largest SRTP trailer
    // (a 16-byte tag and a 4-byte MKI) and ~280 bytes of header extension. A datagram that fills a buffer may have been
    // truncated and is dropped. The RTCP port only authenticates and counts reports (one source's SR or RR with SDES:
    // ~100 bytes). Two buffers per socket pair, held while its loops wait; the decode buffer is on the stack.
    internal const int MaxAudioPayload = 2 * OfferAnswer.MaxPtimeMs * 8;
    internal const int RtpBufferSize = 1024;
    internal const int RtcpBufferSize = 512;

    private readonly int _localPort;
    private readonly RtpSourceGate _gate;
    private readonly MediaSecurity _security;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RtpSequenceTracker _sequence;
    private volatile NegotiatedMedia? _media;
    private volatile Recorder? _recorder;
    private volatile CngDetector? _faxTone;

    // RFC 4733 de-duplication: one event per (SSRC, RTP timestamp).
    private bool _haveEvent;
    private uint _eventSsrc, _eventTimestamp;

    // Datagrams the receive loop has finished with (PacketsReceived counts them on arrival): lets tests wait until
    // a packet's effects (learning, recording, events) have happened rather than until it has arrived.
    private long _handled;
    private long _packetsReceived, _bytesReceived, _malformed, _ignored, _badPayloadSize;

    /// <param name="localPort">The RTP port, for log lines.</param>
    /// <param name="gate">Decides which sources' packets are used.</param>
    /// <param name="security">Checks SRTP/SRTCP before anything else looks at a packet.</param>
    /// <param name="time">The clock's time, for learning and recording.</param>
    /// <param name="logger">For dropped packets, learned sources and receive failures.</param>
    public RtpReceiver(int localPort, RtpSourceGate gate, MediaSecurity security, TimeProvider time, ILogger logger)
    {
        _localPort = localPort;
        (_gate, _security, _time, _logger) = (gate, security, time, logger);
        _sequence = new RtpSequenceTracker(logger, localPort);
    }

    /// <summary>Raised on the receive thread once per RFC 4733 key press.</summary>
    public event Action<char>? DtmfReceived;

    /// <summary>Raised on the receive thread when <see cref="FaxToneDetector"/> declares the fax calling tone.</summary>
    public event Action? FaxToneDetected;

    /// <summary>Watches the caller's decoded audio for the fax calling tone while set; null when nobody listens for it.</summary>
    public CngDetector? FaxToneDetector
    {
        get => _faxTone;
        set => _faxTone = value;
    }

    /// <summary>The negotiated media packets are checked against; set under the session's lock (Start, Update).</summary>
    public NegotiatedMedia? Media
    {
        get => _media;
        set => _media = value;
    }

    /// <summary>The running recording, fed from the receive thread and checked on the clock's tick; null when none runs.</summary>
    public Recorder? Recorder
    {
        get => _recorder;
        set => _recorder = value;
    }

    /// <summary>Datagrams the RTP loop has finished with.</summary>
    public long DatagramsHandled => Interlocked.Read(ref _handled);

    /// <summary>The receive side of <see cref="MediaStatistics"/>, with the sender's counters.</summary>
    public MediaStatistics Statistics(long packetsSent, long bytesSent) => new(
        Interlocked.Read(ref _packetsReceived), Interlocked.Read(ref _bytesReceived), packetsSent, bytesSent,
        _sequence.PacketsLost, Interlocked.Read(ref _malformed), Interlocked.Read(ref _ignored) + _gate.OnProbation,
        _gate.Unexpected, Interlocked.Read(ref _badPayloadSize));

    /// <summary>Handles one datagram of the RTP port from the receive loop (<see cref="RtpSocketPair"/>).</summary>
    public void Received(Span<byte> packet, SocketAddress from)
    {
        try
        {
            OnDatagram(packet, from);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug in handling one packet (or a context disposed at hang-up) must not silence the rest of the call.
            MediaLog.ReceiveFailed(_logger, _localPort, ex);
        }
        Interlocked.Increment(ref _handled);
    }

    /// <summary>An oversized datagram, or an ICMP error surfaced on the RTP socket.</summary>
    public void CountMalformed()
    {
        Interlocked.Increment(ref _malformed);
        Interlocked.Increment(ref _handled);
    }

    /// <summary>Handles one datagram of the RTCP port from the receive loop.</summary>
    public void OnRtcpDatagram(Span<byte> packet, SocketAddress from)
    {
        // Only an address the call's RTP could come from may report on it; others are not worth the crypto.
        if (packet.Length is >= 8 and < RtcpBufferSize && _gate.AcceptsRtcpFrom(from))
            _security.OnRtcp(packet, onRtpPort: false);
    }

    /// <summary>Handles one datagram of the RTP port (the receive loop; tests call it directly).</summary>
    public void OnDatagram(Span<byte> packet, SocketAddress from)
    {
        Interlocked.Increment(ref _packetsReceived);
        Interlocked.Add(ref _bytesReceived, packet.Length);
        if (packet.Length >= 2 && packet[0] >> 6 == 2 && packet[1] is >= 200 and <= 204)
        {
            // RTCP multiplexed on the RTP port (RFC 5761): authenticated when SRTP is on, not interpreted yet.
            Interlocked.Increment(ref _ignored);
            if (packet.Length < RtpBufferSize && _gate.AcceptsRtcpFrom(from))
                _security.OnRtcp(packet, onRtpPort: true);
            return;
        }
        if (packet.Length >= RtpBufferSize)
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
        if (!_gate.Accept(from, h, authenticated, now, media))
            return;
        var payload = packet.Slice(h.HeaderLength, h.PayloadLength);
        if (isAudio && !PayloadFits(payload.Length, media))
            return;
        switch (_sequence.Track(h))
        {
            case SequenceVerdict.Duplicate:
                return;
            case SequenceVerdict.Stray:
                Interlocked.Increment(ref _ignored);
                return;
        }
        if (isAudio)
            OnAudio(h, payload, media.Codec, now);
        else
        {
            OnTelephoneEvent(from, h, payload, now);
        }
    }

    // The decoded samples live on the stack for the packet's handling: the recorder and the fax tone detector copy what
    // they keep. Not zeroed first (SkipLocalsInit): the decoder writes every sample that is read.
    [SkipLocalsInit]
    private void OnAudio(in RtpHeader h, ReadOnlySpan<byte> payload, AudioCodec codec, long now)
    {
        Span<short> samples = stackalloc short[MaxAudioPayload];
        samples = samples[..payload.Length];
        G711.Decode(payload, samples, codec);
        _recorder?.OnAudio(h.Ssrc, h.Timestamp, samples, now);
        if (_faxTone is { } cng && cng.Process(samples))
            OnFaxTone();
    }

    private void OnTelephoneEvent(SocketAddress from, in RtpHeader h, ReadOnlySpan<byte> payload, long now)
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
        if (!_gate.TrustsKeysFrom(from, now))
        {
            Interlocked.Increment(ref _ignored); // a source that may be a stranger's has not held the stream long enough
            return;
        }
        MediaLog.DtmfReceived(_logger, _localPort);
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

    private void OnFaxTone()
    {
        var handler = FaxToneDetected;
        if (handler is null)
            return;
        try
        {
            handler();
        }
        catch (Exception ex)
        {
            MediaLog.DtmfHandlerFailed(_logger, ex);
        }
    }

    // G.711 carries one byte per sample: a packet must hold between half and twice the negotiated packet time.
    // Larger ones are how a peer would stretch a recording far beyond the time the call lasted.
    private bool PayloadFits(int length, NegotiatedMedia media)
    {
        int frame = media.SamplesPerFrame;
        if (length >= frame / 2 && length <= frame * 2)
            return true;
        long n = Interlocked.Increment(ref _badPayloadSize);
        if (MediaLog.IsPowerOfTen(n) && _logger.IsEnabled(LogLevel.Warning))
            MediaLog.PayloadSizeRejected(_logger, _localPort, length, media.PtimeMs, frame / 2, frame * 2, n);
        return false;
    }

    /// <summary>
    /// Pinned receive buffers shared by the sessions one after another: a call costs no allocation on the pinned heap
    /// (which only a full collection compacts), and a pending receive needs no pin of its own. Each pool keeps at most
    /// <see cref="MaxPooled"/> buffers (one per concurrent receive loop up to that).
    /// </summary>
    internal sealed class ReceiveBuffers(int size)
    {
        private const int MaxPooled = 4096;

        /// <summary>The RTP ports' buffers.</summary>
        public static readonly ReceiveBuffers Rtp = new(RtpBufferSize);

        /// <summary>The RTCP ports' buffers.</summary>
        public static readonly ReceiveBuffers Rtcp = new(RtcpBufferSize);

        private readonly System.Collections.Concurrent.ConcurrentQueue<byte[]> _pool = new();
        private int _count;

        public byte[] Rent()
        {
            if (_pool.TryDequeue(out var buffer))
            {
                Interlocked.Decrement(ref _count);
                return buffer;
            }
            return GC.AllocateUninitializedArray<byte>(size, pinned: true);
        }

        public void Return(byte[] buffer)
        {
            if (Interlocked.Increment(ref _count) > MaxPooled)
            {
                Interlocked.Decrement(ref _count);
                return;
            }
            _pool.Enqueue(buffer);
        }
    }
}
