using System.Net.Sockets;
using OpenUM.Media.Audio;
using OpenUM.Media.Rtp;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Session;

public sealed partial class MediaSession : IPacedSource
{
    // After a late tick, send at most this many overdue frames at once; older ones are skipped in time.
    private const int MaxBurstFrames = 3;
    private const int DtmfToneMs = 100;
    private const int DtmfEndRepeats = 3;
    private const byte DtmfVolume = 10; // -10 dBm0

    private readonly Queue<PlayItem> _queue = new();
    private readonly byte[] _sendBuffer = new byte[RtpHeader.FixedSize + 2048];
    private ushort _seq;
    private uint _ts;
    private bool _running, _marker = true, _hasSent;
    private long _runStart, _framesSent, _lastFrameAt;
    private bool _sendErrorLogged, _srtpStopLogged;

    /// <summary>Plays a clip in ptime frames paced by the <see cref="MediaClock"/>; completes after its last frame was sent. While on hold the frames are consumed but not sent.</summary>
    public Task PlayAsync(AudioClip clip, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(clip);
        if (clip.Samples.IsEmpty)
            return Task.CompletedTask;
        return Enqueue(new PlayItem(clip, -1), ct);
    }

    /// <summary>Sends one RFC 4733 key press (100 ms, marker on the first packet, three end packets); audio pauses meanwhile.</summary>
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
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_media is null)
            throw new InvalidOperationException("Start the media session before playing.");
        ObjectDisposedException.ThrowIf(_clock.IsDisposed, _clock);
        if (ct.IsCancellationRequested)
            return Task.FromCanceled(ct);
        if (ct.CanBeCanceled)
            item.Registration = ct.UnsafeRegister(static (s, t) => ((PlayItem)s!).Cancel(t), item);
        lock (_lock)
        {
            if (_disposed)
            {
                item.Cancel(CancellationToken.None);
                return item.Done.Task;
            }
            _queue.Enqueue(item);
        }
        _clock.Activate(this);
        return item.Done.Task;
    }

    bool IPacedSource.HasWork
    {
        get
        {
            lock (_lock)
                return !_disposed && (_queue.Count > 0 || _recorder is { Stopped.IsCompleted: false });
        }
    }

    // The session stays on the clock while it plays or records: the tick also checks the recording's idle deadline,
    // so there is no timer per recording (DESIGN: one pacing loop, no per-call timers).
    bool IPacedSource.OnTick(long now)
    {
        if (_disposed)
            return false;
        bool recording = _recorder is { } recorder && recorder.CheckIdle(now);
        return TickPlayout(now) | recording;
    }

    private bool TickPlayout(long now)
    {
        lock (_lock)
        {
            var media = _media;
            if (_disposed || media is null)
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
        var payload = _sendBuffer.AsSpan(RtpHeader.FixedSize, spf);
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
        ev.Write(_sendBuffer.AsSpan(RtpHeader.FixedSize));
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
        var to = _sendTo;
        if (!media.CanSend || to is null)
            return;
        RtpHeader.Write(_sendBuffer, payloadType, marker, _seq, timestamp, _ssrc);
        int length = RtpHeader.FixedSize + payloadLength;
        try
        {
            if (!_security.TryProtectRtp(_sendBuffer, ref length, out var status))
            {
                // Key exhausted (or a bug): never fall back to sending clear audio on a Secured call.
                if (!_srtpStopLogged)
                {
                    _srtpStopLogged = true;
                    MediaLog.SrtpSendStopped(_logger, LocalPort, status);
                }
                return;
            }
            // The sequence number is spent even if the send fails: an SRTP index must never protect two payloads.
            _seq++;
            int sent = _socket.SendTo(_sendBuffer.AsSpan(0, length), SocketFlags.None, to);
            Interlocked.Increment(ref _packetsSent);
            Interlocked.Add(ref _bytesSent, sent);
        }
        catch (SocketException ex)
        {
            // A send error (unreachable peer) is not worth tearing the call down for; log it once per session.
            if (!_sendErrorLogged)
            {
                _sendErrorLogged = true;
                MediaLog.SendFailed(_logger, LocalPort, ex.SocketErrorCode.ToString());
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void CancelPlayout()
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
