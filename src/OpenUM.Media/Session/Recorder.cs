using System.Buffers;
using Microsoft.Extensions.Logging;
using OpenUM.Media.Audio;

namespace OpenUM.Media.Session;

// Packet-driven recording of one session into a WAV file. Runs on the receive thread (OnAudio/OnDigit), on the
// media clock's tick (CheckIdle: no timer per recording) and on cancellation callbacks (RequestStop); one lock
// keeps the file and the reorder slots consistent.
//
// The recording is bound to wall time, not only to what the peer claims: a silence fill for a timestamp gap is at
// most the time that really passed since the audio before the gap arrived, the file never holds more than the time
// since the recording started plus JitterAllowance (audio beyond that is dropped and counted), and MaxDuration is
// checked on the clock as well as on the samples. A peer jumping its timestamps or sending huge packets therefore
// cannot turn seconds of call into minutes of message.
//
// "No voice handled for IdleTimeout" is not "the caller is silent" when the receive loop has fallen behind (a server
// starved of CPU): the idle stop waits while datagrams are queued unread (Queued), looking again every QueuedRecheck
// until the loop has read them, unless the loop has already handled IdleTimeout of the caller's silence (the caller
// was silent that long, whatever waits), and for one more IdleTimeout at most (a loop further behind loses the call's
// end; a flood to the port gains a stranger no more). A cancelled recording
// (BYE) still takes audio until Finish, so that what the caller sent before its BYE can be handed over first.
internal sealed class Recorder
{
    // How often an idle deadline held back by a queued datagram is looked at again: an ioctl per look, not per tick.
    internal static readonly TimeSpan QueuedRecheck = TimeSpan.FromMilliseconds(250);
    private const int MaxGapFillSamples = AudioClip.SampleRate; // gaps up to 1 s become silence, longer ones are skipped
    // Audio may arrive a little ahead of the recording's own clock: packets in flight when it started, a burst after
    // a network stall, the reorder window. Half a second covers that with room to spare.
    internal static readonly TimeSpan JitterAllowance = TimeSpan.FromMilliseconds(500);
    private const long JitterAllowanceSamples = AudioClip.SampleRate / 2;
    private const int ReorderSlots = 3;
    // A slot holds one packet: the largest the receiver passes on (two frames of 40 ms), 1.25 KiB (a 2 KiB array from
    // the pool). At 8 KiB a stall that made every call hold packets at once left megabytes of dropped pool arrays.
    internal const int SlotCapacity = RtpReceiver.MaxAudioPayload;
    // -50 dBFS: RMS 32768 * 10^(-50/20) ≈ 103.6; compared as a mean square to avoid a square root per packet.
    private const long SilenceMeanSquare = 10_737;

    private readonly Lock _lock = new();
    private readonly WavWriter _writer;
    private readonly RecordingLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _maxSamples, _idleSamples;
    private readonly TaskCompletionSource<RecordingStopReason> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // One spare slot: at most ReorderSlots - 1 packets are held between calls, so a new one always fits.
    private readonly Slot[] _slots = new Slot[ReorderSlots + 1];
    private long _lastActivity;
    private long _startedAt;
    // The clock's tick only: when the idle stop was last held back by a queued datagram, and how often it was.
    private long _heldBackAt;
    private int _idleHeldBack;
    // The receive thread's: samples of silence handled since the last voice or key press.
    private long _silentSamples;
    // Under _lock: the arrival time of the packet being handled, and of the last packet whose audio was written.
    private long _now, _writtenArrival;
    private long _gapNotFilled, _overBudget;
    private int _slotBuffers;
    private bool _finished;
    private IOException? _writeError;
    private bool _haveStream;
    private uint _ssrc;
    private uint _nextTs;

    public Recorder(string path, RecordingLimits limits, TimeProvider time, ILogger logger)
        : this(path, new WavWriter(path), limits, time, logger)
    {
    }

    // The writer is passed in by tests (a stream that blocks on flush).
    internal Recorder(string path, WavWriter writer, RecordingLimits limits, TimeProvider time, ILogger logger)
    {
        Path = path;
        _writer = writer;
        _limits = limits;
        _time = time;
        _logger = logger;
        _maxSamples = (long)(limits.MaxDuration.TotalSeconds * AudioClip.SampleRate);
        _idleSamples = limits.IdleTimeout == Timeout.InfiniteTimeSpan ? long.MaxValue
            : (long)(limits.IdleTimeout.TotalSeconds * AudioClip.SampleRate);
        for (int i = 0; i < _slots.Length; i++)
            _slots[i] = new Slot();
    }

    public string Path { get; }

    /// <summary>True when datagrams wait unread on the call's RTP socket; asked only once the idle deadline has passed.</summary>
    public Func<bool>? Queued { get; init; }

    /// <summary>Times the idle stop was held back because datagrams were queued unread (tests).</summary>
    internal int IdleHeldBack => Volatile.Read(ref _idleHeldBack);

    /// <summary>Reorder slots that have needed a buffer so far (tests: in-order audio needs none).</summary>
    internal int SlotBuffers
    {
        get
        {
            lock (_lock)
                return _slotBuffers;
        }
    }

    /// <summary>Slot buffers held right now (tests: each goes back to the pool once its packet is written).</summary>
    internal int HeldBuffers
    {
        get
        {
            lock (_lock)
                return _slots.Count(s => s.Samples is not null);
        }
    }

    /// <summary>Bytes of the slot buffers held right now (tests).</summary>
    internal int HeldBufferBytes
    {
        get
        {
            lock (_lock)
                return _slots.Sum(s => 2 * (s.Samples?.Length ?? 0));
        }
    }

    public Task<RecordingStopReason> Stopped => _stopped.Task;

    public TimeSpan Duration => _writer.Duration;

    /// <summary>Silence not inserted because a timestamp gap was longer than the time that passed.</summary>
    public TimeSpan GapNotFilled => TimeSpan.FromSeconds(Interlocked.Read(ref _gapNotFilled) / (double)AudioClip.SampleRate);

    /// <summary>Audio dropped because the file would have run ahead of the time since the recording started.</summary>
    public TimeSpan AudioDropped => TimeSpan.FromSeconds(Interlocked.Read(ref _overBudget) / (double)AudioClip.SampleRate);

    // Must run before the recorder is visible to the clock's tick, or CheckIdle would see no activity ever.
    public void Start()
    {
        long now = _time.GetTimestamp();
        lock (_lock)
            (_startedAt, _now, _writtenArrival) = (now, now, now);
        Volatile.Write(ref _lastActivity, now);
    }

    /// <summary>
    /// Called on every media clock tick: stops the recording once the idle timeout or the maximum duration (on the
    /// clock, whatever the samples say) has passed; false once stopped.
    /// </summary>
    public bool CheckIdle(long now)
    {
        if (_stopped.Task.IsCompleted)
            return false;
        if (_time.GetElapsedTime(Volatile.Read(ref _startedAt), now) >= _limits.MaxDuration)
        {
            RequestStop(RecordingStopReason.MaxDuration);
            return false;
        }
        var idle = _time.GetElapsedTime(Volatile.Read(ref _lastActivity), now);
        if (_limits.IdleTimeout != Timeout.InfiniteTimeSpan && idle >= _limits.IdleTimeout)
        {
            if (_idleHeldBack > 0 && _time.GetElapsedTime(_heldBackAt, now) < QueuedRecheck)
                return true;
            // Held back for one idle timeout at most: datagrams anyone keeps sending to the port (a stranger's flood
            // is queued like the caller's voice) cannot keep a recording open until its maximum duration.
            if (idle < 2 * _limits.IdleTimeout && Volatile.Read(ref _silentSamples) < _idleSamples && Queued?.Invoke() == true)
            {
                // Not idle yet: what waits may be voice. Decided once the loop has read it.
                _heldBackAt = now;
                Volatile.Write(ref _idleHeldBack, _idleHeldBack + 1);
                return true;
            }
            RequestStop(RecordingStopReason.IdleTimeout);
            return false;
        }
        return true;
    }

    public void RequestStop(RecordingStopReason reason) => _stopped.TrySetResult(reason);

    public void OnDigit(char digit, long now)
    {
        Volatile.Write(ref _lastActivity, now);
        Volatile.Write(ref _silentSamples, 0);
        if (_limits.StopDigit is { } stop && char.ToUpperInvariant(stop) == digit)
            RequestStop(RecordingStopReason.StopDigit);
    }

    public void OnAudio(uint ssrc, uint timestamp, ReadOnlySpan<short> samples, long now)
    {
        if (!IsSilent(samples))
        {
            Volatile.Write(ref _lastActivity, now);
            Volatile.Write(ref _silentSamples, 0);
        }
        else
        {
            Volatile.Write(ref _silentSamples, _silentSamples + samples.Length);
        }
        lock (_lock)
        {
            if (_finished || _writeError is not null || StoppedForGood)
                return;
            _now = now;
            try
            {
                Accept(ssrc, timestamp, samples);
            }
            catch (IOException ex)
            {
                // Disk full, quota, read-only: the writer kept what landed; the recording ends here, and Finish
                // closes the file without writing anything more.
                _writeError = ex;
                _stopped.TrySetResult(RecordingStopReason.WriteFailed);
            }
        }
    }

    // Flushes what is held for reordering, then completes the file (fsync) and closes it outside the lock: the
    // fsync can take many milliseconds and the receive thread must not wait for it. Once _finished is set under
    // the lock, OnAudio no longer touches the writer, so this thread owns it.
    // A write error (here or earlier on the receive thread) does not escape: it is the recording's outcome
    // (WriteError), and the file is closed whatever happens.
    public void Finish()
    {
        lock (_lock)
        {
            if (_finished)
                return;
            _finished = true;
            _now = _time.GetTimestamp();
            try
            {
                while (_writeError is null && WriteEarliestSlot())
                {
                }
            }
            catch (IOException ex)
            {
                _writeError = ex;
            }
            catch
            {
                _writer.Dispose();
                throw;
            }
            ReleaseAll();
        }
        try
        {
            if (_writeError is null)
                _writer.Complete();
        }
        catch (IOException ex)
        {
            _writeError = ex;
        }
        finally
        {
            _writer.Dispose();
        }
    }

    /// <summary>The write error that ended or spoiled the recording (read after <see cref="Finish"/>), or null.</summary>
    public IOException? WriteError
    {
        get
        {
            lock (_lock)
                return _writeError;
        }
    }

    public void Abandon()
    {
        // Also after a write failure: the file still has to be closed. Dispose is idempotent.
        lock (_lock)
        {
            _finished = true;
            ReleaseAll();
        }
        _writer.Dispose();
    }

    // Stopped, and not by a cancellation (BYE): after one, audio is taken until Finish (the tail still queued).
    private bool StoppedForGood =>
        _stopped.Task.IsCompleted && _stopped.Task.Result != RecordingStopReason.Cancelled;

    private static bool IsSilent(ReadOnlySpan<short> samples)
    {
        long sum = 0;
        foreach (short s in samples)
            sum += s * s;
        return sum < SilenceMeanSquare * samples.Length;
    }

    // Writes in RTP timestamp order: a packet ahead of the expected timestamp waits in a small reorder window
    // for the missing one; when the window is full, the gap is closed (silence up to 1 s, a skip beyond).
    private void Accept(uint ssrc, uint ts, ReadOnlySpan<short> samples)
    {
        if (samples.Length > SlotCapacity)
            samples = samples[..SlotCapacity];
        if (!_haveStream || ssrc != _ssrc)
        {
            while (WriteEarliestSlot())
            {
            }
            _haveStream = true;
            _ssrc = ssrc;
            _nextTs = ts;
        }
        int diff = (int)(ts - _nextTs);
        if (diff > 0)
        {
            Hold(ts, samples, _now);
            if (HeldCount() >= ReorderSlots)
                WriteEarliestSlot();
            Drain();
            return;
        }
        if (diff < -MaxGapFillSamples)
        {
            // The timestamp went back by more than a second without an SSRC change: a new timeline.
            while (WriteEarliestSlot())
            {
            }
            _nextTs = ts;
            diff = 0;
        }
        WriteAt(diff, samples, _now);
        Drain();
    }

    // diff <= 0: the packet starts at or before the expected timestamp; only its new tail is written.
    private void WriteAt(int diff, ReadOnlySpan<short> samples, long arrival)
    {
        int skip = -diff;
        if (skip >= samples.Length)
            return; // late duplicate of audio already written
        WriteLimited(samples[skip..]);
        _nextTs += (uint)(samples.Length - skip);
        _writtenArrival = arrival;
    }

    private void Drain()
    {
        bool progress = true;
        while (progress)
        {
            progress = false;
            foreach (var slot in _slots)
            {
                if (slot.Used && (int)(slot.Timestamp - _nextTs) <= 0)
                {
                    slot.Used = false;
                    WriteAt((int)(slot.Timestamp - _nextTs), slot.Samples.AsSpan(0, slot.Length), slot.Arrival);
                    Release(slot);
                    progress = true;
                }
            }
        }
    }

    private bool WriteEarliestSlot()
    {
        Slot? earliest = null;
        foreach (var slot in _slots)
        {
            if (slot.Used && (earliest is null || (int)(slot.Timestamp - earliest.Timestamp) < 0))
                earliest = slot;
        }
        if (earliest is null)
            return false;
        earliest.Used = false;
        int gap = (int)(earliest.Timestamp - _nextTs);
        if (gap > 0)
        {
            if (gap <= MaxGapFillSamples)
            {
                // Lost packets are silence as long as the time they stood for; a timestamp that runs ahead of the
                // clock gets no more silence than the time that really passed since the audio before the gap.
                long passed = ElapsedSamples(_writtenArrival, _now);
                int fill = (int)Math.Clamp(passed, 0, gap);
                _gapNotFilled += gap - fill;
                WriteSilenceLimited(fill);
            }
            _nextTs = earliest.Timestamp;
            gap = 0;
        }
        WriteAt(gap, earliest.Samples.AsSpan(0, earliest.Length), earliest.Arrival);
        Release(earliest);
        Drain();
        return true;
    }

    private void Hold(uint ts, ReadOnlySpan<short> samples, long arrival)
    {
        foreach (var slot in _slots)
        {
            if (slot.Used && slot.Timestamp == ts)
                return; // duplicate of a held packet
        }
        foreach (var slot in _slots)
        {
            if (!slot.Used)
            {
                slot.Used = true;
                slot.Timestamp = ts;
                slot.Arrival = arrival;
                slot.Length = samples.Length;
                // The slot's buffer comes from the shared pool while it holds a packet, and goes back once that packet
                // is written: in-order audio (the usual case) never needs one, a gap holds one for a packet time or
                // two, and a buffer per slot kept for the whole call would be much of what a recording call costs in
                // memory (a generator that stalls makes every call's timestamps jump at once).
                slot.Samples = ArrayPool<short>.Shared.Rent(SlotCapacity);
                _slotBuffers++;
                samples.CopyTo(slot.Samples);
                return;
            }
        }
    }

    // A write error stops the flush with packets still held; their buffers go back to the pool all the same.
    private void ReleaseAll()
    {
        foreach (var slot in _slots)
        {
            slot.Used = false;
            Release(slot);
        }
    }

    private static void Release(Slot slot)
    {
        if (slot.Samples is { } buffer)
        {
            slot.Samples = null;
            ArrayPool<short>.Shared.Return(buffer);
        }
    }

    private int HeldCount()
    {
        int n = 0;
        foreach (var slot in _slots)
            n += slot.Used ? 1 : 0;
        return n;
    }

    private void WriteLimited(ReadOnlySpan<short> samples)
    {
        long room = Room(samples.Length);
        if (room <= 0)
            return;
        if (samples.Length > room)
            samples = samples[..(int)room];
        _writer.Write(samples);
        if (_writer.SamplesWritten >= _maxSamples)
            RequestStop(RecordingStopReason.MaxDuration);
    }

    private void WriteSilenceLimited(int count)
    {
        long room = Room(count);
        if (room <= 0)
            return;
        _writer.WriteSilence((int)Math.Min(count, room));
        if (_writer.SamplesWritten >= _maxSamples)
            RequestStop(RecordingStopReason.MaxDuration);
    }

    // Samples that may still be written: up to MaxDuration, and never ahead of the time since the recording started
    // (plus the jitter allowance). What the wall clock refuses is counted; what MaxDuration refuses ends the recording.
    private long Room(int wanted)
    {
        long written = _writer.SamplesWritten;
        long byClock = ElapsedSamples(_startedAt, _now) + JitterAllowanceSamples - written;
        long room = Math.Min(_maxSamples - written, byClock);
        if (byClock < wanted && byClock < _maxSamples - written)
            _overBudget += wanted - Math.Max(0, byClock);
        return room;
    }

    private long ElapsedSamples(long from, long to) =>
        _time.GetElapsedTime(from, to).Ticks * AudioClip.SampleRate / TimeSpan.TicksPerSecond;

    private sealed class Slot
    {
        public short[]? Samples;
        public bool Used;
        public uint Timestamp;
        public int Length;
        public long Arrival;
    }
}
