namespace OpenUM.Media;

public sealed partial class MediaSession
{
    /// <summary>
    /// Records what the peer sends into an 8 kHz PCM16 WAV file, streamed to disk, until the stop digit, the idle
    /// timeout (no packets or only frames below about -50 dBFS, measured with the clock's TimeProvider), the
    /// maximum audio duration, or cancellation (BYE). One recording at a time.
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

        var recorder = new Recorder(wavPath, limits, _time, _logger);
        lock (_lock)
        {
            if (_recorder is not null)
            {
                recorder.Abandon();
                throw new InvalidOperationException("A recording is already in progress on this session.");
            }
            _recorder = recorder;
        }
        RecordingStopReason reason;
        try
        {
            recorder.Start();
            if (_disposed)
                recorder.RequestStop(RecordingStopReason.Cancelled);
            using (ct.UnsafeRegister(static s => ((Recorder)s!).RequestStop(RecordingStopReason.Cancelled), recorder))
                reason = await recorder.Stopped.ConfigureAwait(false);
        }
        catch
        {
            _recorder = null;
            recorder.Abandon();
            throw;
        }
        _recorder = null;
        recorder.Finish();
        MediaLog.RecordingStopped(_logger, wavPath, reason, recorder.Duration);
        return new RecordingResult(reason, recorder.Duration, wavPath);
    }
}
