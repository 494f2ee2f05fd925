using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenUM.Media.Audio;
using OpenUM.Media.Rtp;

namespace OpenUM.Media.Session;

/// <summary>
/// The sending half of a media session: clips and RFC 4733 key presses queued by callers and sent in ptime frames
/// on the <see cref="MediaClock"/>'s tick, the stream's SSRC, sequence number and timestamp, and the address the
/// packets go to (the SDP address until the receiver learns the peer's source).
/// </summary>
/// <remarks>
/// Callers queue, the clock thread sends, and the SIP side (Start, Update) and the receive thread (a learned
/// source) move the destination and the media: all of it under the session's lock, which also keeps an Update
/// from changing the SRTP send context while a tick protects a packet.
/// </remarks>
internal sealed class RtpSender
{
    // After a late tick, send at most this many overdue frames at once; older ones are skipped in time.
    private const int MaxBurstFrames = 3;
    private const int DtmfToneMs = 100;
    private const int DtmfEndRepeats = 3;
    private const byte DtmfVolume = 10; // -10 dBm0

    private readonly Socket _socket;
    private readonly int _localPort;
    private readonly Lock _lock;
    private readonly MediaSecurity _security;
    private readonly MediaClock _clock;
    private readonly IPacedSource _pacedBy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Queue<PlayItem> _queue = new();
    // One send buffer per sending thread (the clock's), not per call: a frame is encoded, protected and sent within
    // one Tick, under the session's lock, so no two sessions' frames share it at once.
    [ThreadStatic]
    private static byte[]? t_sendBuffer;
    private readonly uint _ssrc;
    private ushort _seq;
    private uint _ts;
    private bool _running, _marker = true, _hasSent;
    private long _runStart, _framesSent, _lastFrameAt;
    private bool _sendErrorLogged, _srtpStopLogged;
    private volatile NegotiatedMedia? _media;
    private volatile SocketAddress? _destination;
    private volatile bool _stopped;
    private long _packetsSent, _bytesSent;

    /// <param name="socket">The session's RTP socket (owned by the session).</param>
    /// <param name="localPort">For log lines.</param>
    /// <param name="sessionLock">The session's lock, which guards all the sender's state.</param>
    /// <param name="security">Protects each packet when SRTP is on.</param>
    /// <param name="clock">Paces the frames.</param>
    /// <param name="pacedBy">What the clock ticks: the session, which also checks its recording on the tick.</param>
    /// <param name="logger">For send failures.</param>
    public RtpSender(Socket socket, int localPort, Lock sessionLock, MediaSecurity security, MediaClock clock, IPacedSource pacedBy, ILogger logger)
    {
        _socket = socket;
        _localPort = localPort;
        _lock = sessionLock;
        _security = security;
        _clock = clock;
        _pacedBy = pacedBy;
        _time = clock.TimeProvider;
        _logger = logger;
        // RFC 3550 §5.1: random SSRC, initial sequence number and timestamp (known-plaintext hardening for SRTP).
        _ssrc = SecureRandomDraws.NextUInt32();
        _seq = (ushort)SecureRandomDraws.NextUInt32();
        _ts = SecureRandomDraws.NextUInt32();
    }

    /// <summary>The negotiated media frames are sent with; set under the session's lock (Start, Update).</summary>
    public NegotiatedMedia? Media
    {
        get => _media;
        set => _media = value;
    }

    /// <summary>Where packets go: the SDP address, then the learned source; set under the session's lock.</summary>
    public SocketAddress? Destination
    {
        get => _destination;
        set => _destination = value;
    }

    /// <summary>Packets sent so far.</summary>
    public long PacketsSent => Interlocked.Read(ref _packetsSent);

    /// <summary>Bytes sent so far (RTP or SRTP packets).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>True while a play is queued; read under the session's lock.</summary>
    public bool HasQueued => _queue.Count > 0;

    /// <summary>Refuses further plays and stops sending; called under the session's lock when disposal begins.</summary>
    public void Stop() => _stopped = true;

    /// <summary>Queues a clip; see <see cref="MediaSession.PlayAsync"/>.</summary>
    public Task PlayAsync(AudioClip clip, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(clip);
        if (clip.Samples.IsEmpty)
            return Task.CompletedTask;
        return Enqueue(new PlayItem(clip, -1), ct);
    }

    /// <summary>Queues a key press; see <see cref="MediaSession.SendDtmfAsync"/>.</summary>
    public Task SendDtmfAsync(char digit, CancellationToken ct)
    {
        int ev = TelephoneEvent.FromDigit(digit);
        if (ev < 0)
            throw new ArgumentOutOfRangeException(nameof(digit), digit, "DTMF digits are 0-9, *, #, A-D.");
        if (_media is { TelephoneEventPayloadType: null })
            throw new InvalidOperationException("The peer did not negotiate telephone-event (RFC 4733).");
        return Enqueue(new PlayItem(null, ev), ct);
    }

    private Task Enqueue(PlayItem item, CancellationToken ct)
    {
        // The session's public methods forward here: the exception names the session the caller knows.
        ObjectDisposedException.ThrowIf(_stopped, typeof(MediaSession));
        if (_media is null)
            throw new InvalidOperationException("Start the media session before playing.");
        ObjectDisposedException.ThrowIf(_clock.IsDisposed, _clock);
        if (ct.IsCancellationRequested)
            return Task.FromCanceled(ct);
        if (ct.CanBeCanceled)
            item.Registration = ct.UnsafeRegister(static (s, t) => ((PlayItem)s!).Cancel(t), item);
        lock (_lock)
        {
            if (_stopped)
            {
                item.Cancel(CancellationToken.None);
                return item.Done.Task;
            }
            _queue.Enqueue(item);
        }
        _clock.Activate(_pacedBy);
        return item.Done.Task;
    }

    /// <summary>Sends the frames due at <paramref name="now"/> (clock thread); false when nothing is left to play.</summary>
    public bool Tick(long now)
    {
        lock (_lock)
        {
            var media = _media;
            if (_stopped || media is null)
                return false;
            var frame = TimeSpan.FromMilliseconds(media.PtimeMs);
            if (!_running)
            {
                if (!HasPlayableItem())
                    return false;
                _running = true;
                _runStart = now;
                _framesSent = 0;
                _marker = true;
                // RFC 3550 §5.1: the timestamp keeps counting sampling instants across the pause.
                if (_hasSent)
                {
                    long idle = (long)(_time.GetElapsedTime(_lastFrameAt, now).TotalSeconds * AudioClip.SampleRate) - media.SamplesPerFrame;
                    if (idle > 0)
                        _ts += (uint)Math.Min(idle, int.MaxValue);
                }
            }
            long due = _time.GetElapsedTime(_runStart, now).Ticks / frame.Ticks + 1;
            if (due - _framesSent > MaxBurstFrames)
                _framesSent = due - MaxBurstFrames;
            while (_framesSent < due)
            {
                if (!SendFrame(media))
                    break;
                _framesSent++;
                _lastFrameAt = now;
                _hasSent = true;
            }
            if (HasPlayableItem())
                return true;
            _running = false;
            return false;
        }
    }

    private bool HasPlayableItem()
    {
        while (_queue.TryPeek(out var head) && head.IsCancelled)
            _queue.Dequeue();
        return _queue.Count > 0;
    }

    // Room for the longest frame (320 bytes at 40 ms) with any SRTP trailer, and to spare: one per thread, not per call.
    internal static byte[] SendBuffer => t_sendBuffer ??= new byte[RtpHeader.FixedSize + 2048];

    private bool SendFrame(NegotiatedMedia media)
    {
        if (!HasPlayableItem())
            return false;
        var item = _queue.Peek();
        int spf = media.SamplesPerFrame;
        if (item.Event >= 0)
            return SendDtmfFrame(media, item, spf);

        var samples = item.Clip!.Samples.Span;
        int n = Math.Min(spf, samples.Length - item.Position);
        var payload = SendBuffer.AsSpan(RtpHeader.FixedSize, spf);
        G711.Encode(samples.Slice(item.Position, n), payload, media.Codec);
        payload[n..].Fill(G711.SilenceCode(media.Codec)); // the clip's last frame is padded to a whole ptime
        item.Position += n;
        Send(media, media.PayloadType, _marker, _ts, spf);
        _marker = false;
        _ts += (uint)spf;
        if (item.Position >= samples.Length)
            Finish(item);
        return true;
    }

    // RFC 4733 §2.5.1: every packet of one event carries the event's start timestamp and a growing duration;
    // the end packet is sent three times.
    private bool SendDtmfFrame(NegotiatedMedia media, PlayItem item, int spf)
    {
        if (media.TelephoneEventPayloadType is not { } pt)
        {
            item.Fail(new InvalidOperationException("telephone-event is no longer negotiated"));
            _queue.Dequeue();
            return true;
        }
        int toneFrames = Math.Max(2, DtmfToneMs / media.PtimeMs);
        if (item.Position == 0)
            item.EventTimestamp = _ts;
        int k = item.Position;
        bool end = k >= toneFrames - 1;
        var ev = new TelephoneEvent((byte)item.Event, end, DtmfVolume, (ushort)(Math.Min(k + 1, toneFrames) * spf));
        ev.Write(SendBuffer.AsSpan(RtpHeader.FixedSize));
        Send(media, pt, k == 0, item.EventTimestamp, TelephoneEvent.Size);
        item.Position++;
        if (item.Position >= toneFrames + DtmfEndRepeats - 1)
        {
            _ts = item.EventTimestamp + (uint)(item.Position * spf);
            _marker = true; // audio after an event starts a new talkspurt
            Finish(item);
        }
        return true;
    }

    private void Finish(PlayItem item)
    {
        _queue.Dequeue();
        item.Complete();
    }

    private void Send(NegotiatedMedia media, int payloadType, bool marker, uint timestamp, int payloadLength)
    {
        var to = _destination;
        if (!media.CanSend || to is null)
            return;
        var buffer = SendBuffer;
        RtpHeader.Write(buffer, payloadType, marker, _seq, timestamp, _ssrc);
        int length = RtpHeader.FixedSize + payloadLength;
        try
        {
            if (!_security.TryProtectRtp(buffer, ref length, out var status))
            {
                // Key exhausted (or a bug): never fall back to sending clear audio on a Secured call.
                if (!_srtpStopLogged)
                {
                    _srtpStopLogged = true;
                    MediaLog.SrtpSendStopped(_logger, _localPort, status);
                }
                return;
            }
            // The sequence number is spent even if the send fails: an SRTP index must never protect two payloads.
            _seq++;
            int sent = _socket.SendTo(buffer.AsSpan(0, length), SocketFlags.None, to);
            Interlocked.Increment(ref _packetsSent);
            Interlocked.Add(ref _bytesSent, sent);
        }
        catch (SocketException ex)
        {
            // A send error (unreachable peer) is not worth tearing the call down for; log it once per session.
            if (!_sendErrorLogged)
            {
                _sendErrorLogged = true;
                MediaLog.SendFailed(_logger, _localPort, ex.SocketErrorCode.ToString());
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Cancels every queued play; at disposal, after <see cref="Stop"/>.</summary>
    public void CancelPlayout()
    {
        PlayItem[] items;
        lock (_lock)
        {
            items = [.. _queue];
            _queue.Clear();
        }
        foreach (var item in items)
            item.Cancel(CancellationToken.None);
    }

    private sealed class PlayItem(AudioClip? clip, int ev)
    {
        private volatile bool _cancelled;

        public AudioClip? Clip { get; } = clip;
        public int Event { get; } = ev;
        public int Position { get; set; }
        public uint EventTimestamp { get; set; }
        public CancellationTokenRegistration Registration { get; set; }
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool IsCancelled => _cancelled;

        public void Cancel(CancellationToken token)
        {
            _cancelled = true;
            Done.TrySetCanceled(token);
        }

        public void Complete()
        {
            Registration.Unregister();
            Done.TrySetResult();
        }

        public void Fail(Exception ex)
        {
            Registration.Unregister();
            Done.TrySetException(ex);
        }
    }
}
