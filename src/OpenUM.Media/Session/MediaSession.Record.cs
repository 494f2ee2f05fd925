namespace OpenUM.Media.Session;

public sealed partial class MediaSession
{
    // Claimed under _lock before the file is created and released after it is complete: one recording at a time.
    private bool _recording;

    /// <summary>
    /// Records what the peer sends into a new 8 kHz PCM16 WAV file (owner-only permissions; an existing file is an
    /// <see cref="IOException"/>, never overwritten), streamed to disk, until the stop digit, the idle timeout (no
    /// packets or only frames below about -50 dBFS, measured with the clock's TimeProvider and checked on the
    /// clock's tick), the maximum duration (of audio, or of time on the clock), or cancellation (BYE). The file never
    /// holds more audio than the time since the recording started plus half a second. One recording at a time.
    /// A write error (disk full...) ends the recording as <see cref="RecordingStopReason.WriteFailed"/>, keeping what
    /// landed with a header that says so; it is not thrown. Creating the file can still throw <see cref="IOException"/>.
    /// </summary>
    public async Task<RecordingResult> RecordAsync(string wavPath, RecordingLimits limits, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(wavPath);
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.MaxDuration <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(limits), "MaxDuration must be positive.");
        if (limits.IdleTimeout <= TimeSpan.Zero && limits.IdleTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(limits), "IdleTimeout must be positive (or infinite).");
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_media is null)
            throw new InvalidOperationException("Start the media session before recording.");
        // The idle timeout is checked by the clock's tick; without a clock it would never fire.
        ObjectDisposedException.ThrowIf(_clock.IsDisposed, _clock);

        // Claim first, create the file second: a second call must fail without touching the file system
        // (it used to create its file before the check, truncating the running recording when the paths matched).
        lock (_lock)
        {
            if (_recording)
                throw new InvalidOperationException("A recording is already in progress on this session.");
            _recording = true;
        }
        Recorder recorder;
        try
        {
            recorder = new Recorder(wavPath, limits, _time, _logger);
        }
        catch
        {
            ReleaseRecording();
            throw;
        }

        RecordingStopReason reason;
        try
        {
            recorder.Start();
            _recorder = recorder;
            // Keeps the clock ticking while the recording runs, even when nothing plays (idle deadline check).
            _clock.Activate(this);
            if (_disposed)
                recorder.RequestStop(RecordingStopReason.Cancelled);
            using (ct.UnsafeRegister(static s => ((Recorder)s!).RequestStop(RecordingStopReason.Cancelled), recorder))
                reason = await recorder.Stopped.ConfigureAwait(false);
        }
        catch
        {
            _recorder = null;
            recorder.Abandon();
            ReleaseRecording();
            throw;
        }
        _recorder = null;
        try
        {
            recorder.Finish();
        }
        finally
        {
            ReleaseRecording();
        }
        string? writeError = null;
        if (recorder.WriteError is { } error)
        {
            // The file keeps what landed before the error; the caller decides what to tell the caller and the recipient.
            reason = RecordingStopReason.WriteFailed;
            writeError = RecordingWriteError.Describe(error);
            MediaLog.RecordingWriteFailed(_logger, wavPath, writeError, recorder.Duration);
        }
        MediaLog.RecordingStopped(_logger, wavPath, reason, recorder.Duration);
        // A jitter-sized shortfall of silence is normal; audio dropped by the clock never is.
        if (recorder.AudioDropped > TimeSpan.Zero || recorder.GapNotFilled >= TimeSpan.FromMilliseconds(100))
            MediaLog.RecordingClamped(_logger, wavPath, recorder.GapNotFilled, recorder.AudioDropped);
        if (recorder.Duration == TimeSpan.Zero)
            WarnIfNothingHeard(wavPath);
        return new RecordingResult(reason, recorder.Duration, wavPath) { WriteError = writeError };
    }

    private void ReleaseRecording()
    {
        lock (_lock)
            _recording = false;
    }
}
