using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using OpenUM.Calls;

namespace OpenUM.Server.Storage;

/// <summary>Whether new calls can be stored.</summary>
public enum StorageState
{
    /// <summary>Enough free space and inodes, writable: calls are taken.</summary>
    Available,
    /// <summary>Below the threshold (or not yet back above it plus the margin): new voice mail calls are turned away.</summary>
    Low,
    /// <summary>Mounted read-only: new calls are turned away, subscriber access too.</summary>
    ReadOnly,
    /// <summary>statvfs failed on the data directory (gone, unreadable): treated as read-only.</summary>
    Unchecked,
}

/// <summary>The last sample and the state it led to.</summary>
public readonly record struct StorageStatus(StorageState State, FilesystemSample Sample, string Path, StorageRequirement Required);

/// <summary>
/// Back-pressure before loss: samples the free space, free inodes and read-only flag of the data directory's
/// filesystems (the root and its spool, maildir and outbox, which may be mounts of their own) every
/// <see cref="SampleInterval"/>, and again before a call when the last sample is older than <see cref="MaxSampleAge"/>.
/// Below the policy's threshold new calls are turned away until the free space is back above it plus a margin
/// (hysteresis); read-only turns them away until the filesystem is writable again. Each change of state is one
/// event (2060 entering or changing, 2061 leaving); the state and the free space are gauges of the meter
/// "OpenUM.Server" and properties of those events.
/// </summary>
public sealed class StorageMonitor : IStorageGate, IAsyncDisposable
{
    /// <summary>Name of the meter of the storage gauges.</summary>
    public const string MeterName = "OpenUM.Server";

    /// <summary>How often the filesystems are sampled without calls.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(5);

    /// <summary>A call is decided on a sample at most this old (so at most one statvfs per path per second for calls).</summary>
    public static readonly TimeSpan MaxSampleAge = TimeSpan.FromSeconds(1);

    private readonly string[] _paths;
    private readonly bool[] _refusesWrites; // the last write probe of each path (timer samples only), guarded by _gate
    private readonly IFilesystemProbe _probe;
    private readonly Func<StoragePolicy> _policy;
    private readonly Func<int> _activeCalls;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Meter _meter = new(MeterName);
    private readonly Lock _gate = new();
    private CancellationTokenSource? _stop;
    private Task? _loop;

    // Guarded by _gate.
    private bool _sampled;
    private long _sampledAt, _shortageSince, _sampleVersion, _reasonVersion = -1;
    private FilesystemSample _sample;
    private string _samplePath;
    private string? _error;
    private StorageState _state = StorageState.Available;
    private StorageRequirement _required, _reasonRequired;
    private StorageVerdict _verdict = StorageVerdict.Available;

    /// <summary>
    /// Watches <paramref name="paths"/> (the first is the data directory itself; the others are skipped while they
    /// do not exist) under the policy <paramref name="policy"/> returns; <paramref name="activeCalls"/> counts the
    /// calls in progress for the periodic samples.
    /// </summary>
    public StorageMonitor(IReadOnlyList<string> paths, IFilesystemProbe probe, Func<StoragePolicy> policy, Func<int> activeCalls,
        TimeProvider time, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfZero(paths.Count);
        (_paths, _probe, _policy, _activeCalls, _time, _logger) = ([.. paths], probe, policy, activeCalls, time, logger);
        _samplePath = _paths[0];
        _refusesWrites = new bool[_paths.Length];
        KeyValuePair<string, object?>[] tags = [new("openum.data_directory", _paths[0])];
        _meter.CreateObservableGauge("openum.storage.free_bytes", () => new Measurement<long>(Status.Sample.FreeBytes, tags),
            unit: "By", description: "Bytes free on the data directory's fullest filesystem");
        _meter.CreateObservableGauge("openum.storage.free_inodes", () => Status.Sample is { HasInodeLimit: true } s
                ? [new Measurement<long>(s.FreeInodes, tags)] : Array.Empty<Measurement<long>>(),
            unit: "{inode}", description: "Inodes free on the data directory's filesystem (absent when it has no inode count)");
        _meter.CreateObservableGauge("openum.storage.threshold_bytes", () => new Measurement<long>(Status.Required.Bytes, tags),
            unit: "By", description: "Free bytes a new call needs now");
        _meter.CreateObservableGauge("openum.storage.state", () => new Measurement<int>((int)Status.State, tags),
            description: "0 = calls taken, 1 = low on space or inodes, 2 = read-only, 3 = cannot be checked");
    }

    /// <summary>The data directory paths a server's monitor watches: the root, then spool, maildir and outbox.</summary>
    public static IReadOnlyList<string> PathsOf(DataDirectory data) => [data.Root, data.Spool, data.Maildir, data.Outbox];

    /// <summary>The last sample, state and threshold.</summary>
    public StorageStatus Status
    {
        get { lock (_gate) return new StorageStatus(_state, _sample, _samplePath, _required); }
    }

    /// <summary>Samples now (an event if the state changes), then every <see cref="SampleInterval"/> until disposed.</summary>
    public void Start()
    {
        if (_loop is not null) throw new InvalidOperationException("already started");
        Refresh();
        _stop = new CancellationTokenSource();
        _loop = LoopAsync(_stop.Token);
    }

    /// <inheritdoc />
    public StorageVerdict Check(int activeCalls)
    {
        lock (_gate)
        {
            if (!_sampled || _time.GetElapsedTime(_sampledAt) >= MaxSampleAge) SampleLocked(probeWrites: false);
            EvaluateLocked(activeCalls);
            return _verdict;
        }
    }

    /// <summary>Samples the filesystems now and re-evaluates the state with the calls in progress.</summary>
    public void Refresh()
    {
        int active = _activeCalls();
        lock (_gate)
        {
            SampleLocked(probeWrites: true);
            EvaluateLocked(active);
        }
    }

    /// <summary>
    /// Someone's write to the data directory failed (ENOSPC, EROFS, EIO): samples again at once rather than at the
    /// next tick, so the next call already sees the cause. At most one extra sample per <see cref="MaxSampleAge"/>,
    /// however many writes fail.
    /// </summary>
    public void ReportWriteFailure()
    {
        lock (_gate)
        {
            if (_sampled && _time.GetElapsedTime(_sampledAt) < MaxSampleAge) return;
        }
        try { Refresh(); }
        catch (Exception e) { Fail(e); }
    }

    private void Fail(Exception e)
    {
        int active;
        try { active = _activeCalls(); }
        catch (InvalidOperationException) { active = 0; }
        lock (_gate)
        {
            (_error, _sampleVersion) = (e.GetType().Name + ": " + e.Message, _sampleVersion + 1);
            EvaluateLocked(active, StoragePolicy.Default);
        }
    }

    /// <summary>
    /// The next state: read-only wins; from Available a shortage starts below the threshold; from any other state it
    /// ends only at the resume levels (the threshold plus the margin), so a disk at the line does not flap.
    /// </summary>
    public static StorageState Next(StorageState current, FilesystemSample sample, StorageRequirement required)
    {
        if (sample.ReadOnly) return StorageState.ReadOnly;
        if (current == StorageState.Available)
        {
            bool below = sample.FreeBytes < required.Bytes || (sample.HasInodeLimit && sample.FreeInodes < required.Inodes);
            return below ? StorageState.Low : StorageState.Available;
        }
        bool clear = sample.FreeBytes >= required.ResumeBytes && (!sample.HasInodeLimit || sample.FreeInodes >= required.ResumeInodes);
        return clear ? StorageState.Available : StorageState.Low;
    }

    // statvfs on every path; with probeWrites (the timer, a reported write failure: not a call's decision, which
    // stays at one system call per path) also a file created and deleted, whose EROFS counts until the next probe.
    private void SampleLocked(bool probeWrites)
    {
        _sampled = true;
        _sampledAt = _time.GetTimestamp();
        _sampleVersion++;
        long freeBytes = long.MaxValue, freeInodes = -1;
        bool readOnly = false;
        string? bytesPath = null, readOnlyPath = null;
        for (int i = 0; i < _paths.Length; i++)
        {
            FilesystemSample s;
            try
            {
                s = _probe.Sample(_paths[i]);
            }
            catch (DirectoryNotFoundException) when (i > 0)
            {
                continue; // spool, maildir or outbox not created yet: nothing of ours is stored there.
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                (_error, _samplePath) = (e.Message, _paths[i]);
                return;
            }
            if (s.ReadOnly) _refusesWrites[i] = false; // the flag says it; nothing to probe
            else if (probeWrites) _refusesWrites[i] = _probe.RefusesWrites(_paths[i]);
            if (_refusesWrites[i]) s = s with { ReadOnly = true };
            if (s.FreeBytes < freeBytes) (freeBytes, bytesPath) = (s.FreeBytes, _paths[i]);
            if (s.HasInodeLimit && (freeInodes < 0 || s.FreeInodes < freeInodes)) freeInodes = s.FreeInodes;
            if (s.ReadOnly && !readOnly) (readOnly, readOnlyPath) = (true, _paths[i]);
        }
        _error = null;
        _sample = new FilesystemSample(freeBytes, freeInodes, readOnly);
        _samplePath = readOnlyPath ?? bytesPath ?? _paths[0];
    }

    private void EvaluateLocked(int activeCalls, StoragePolicy? policy = null)
    {
        var required = (policy ?? _policy()).Required(activeCalls);
        var previous = _state;
        var next = _error is not null ? StorageState.Unchecked : Next(previous, _sample, required);
        (_state, _required) = (next, required);
        if (next == StorageState.Available)
            _verdict = StorageVerdict.Available;
        else if (_reasonVersion != _sampleVersion || _reasonRequired != required || previous != next)
        {
            // The reason goes into every refusal's 1021: built once per sample, not once per call.
            (_reasonVersion, _reasonRequired) = (_sampleVersion, required);
            _verdict = new StorageVerdict(false, next == StorageState.Low, Describe(next, required));
        }
        if (previous == next) return;
        // Logged under the lock so that two threads crossing the line cannot write their events out of order.
        if (previous == StorageState.Available) _shortageSince = _time.GetTimestamp();
        var s = _sample;
        if (next == StorageState.Available)
            StorageEvents.StorageAvailable(_logger, _samplePath, Math.Round(_time.GetElapsedTime(_shortageSince).TotalSeconds, 1), previous,
                s.FreeBytes, s.FreeInodes, s.ReadOnly, required.Bytes, required.Inodes, required.Basis);
        else
            StorageEvents.StorageBackPressure(_logger, next, _samplePath, Advice(next), s.FreeBytes, s.FreeInodes, s.ReadOnly,
                required.Bytes, required.Inodes, required.Basis, required.ResumeBytes, required.ResumeInodes);
    }

    // What the operator does about each state (2060); the numbers are the event's other properties.
    private string Advice(StorageState state) => state switch
    {
        StorageState.ReadOnly => "mounted read-only or refusing writes (EROFS), as after a filesystem error: find the cause, then remount it read-write",
        StorageState.Unchecked => "cannot be checked (" + _error + ")",
        _ => "low on space or inodes: free space, grow the filesystem or lower the threshold",
    };

    private string Describe(StorageState state, StorageRequirement required)
    {
        var s = _sample;
        return state switch
        {
            StorageState.ReadOnly => $"the data directory's filesystem at {_samplePath} is read-only; remount it read-write and calls are taken again without a restart",
            StorageState.Unchecked => $"the data directory's filesystem at {_samplePath} cannot be checked: {_error}",
            _ => $"the data directory's filesystem at {_samplePath} has {Mb(s.FreeBytes)} MB and {Inodes(s)} free, below the {Mb(required.Bytes)} MB and " +
                 $"{required.Inodes} inodes a new call needs ({required.Basis}); calls are taken again from {Mb(required.ResumeBytes)} MB and {required.ResumeInodes} inodes",
        };

        static string Mb(long bytes) => (bytes / (double)StoragePolicy.BytesPerMB).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        static string Inodes(FilesystemSample s) => s.HasInodeLimit ? s.FreeInodes + " inodes" : "no inode limit";
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(SampleInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try { Refresh(); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A policy or counter failure must not stop the sampling. Not knowing is not "fine": new calls are
                    // refused as Unchecked (2060, with the error) until a sample succeeds again.
                    Fail(e);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_stop is not null) await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await _loop.ConfigureAwait(false);
        _stop?.Dispose();
        _meter.Dispose();
    }
}
