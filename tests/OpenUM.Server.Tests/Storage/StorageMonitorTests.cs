using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Calls;
using OpenUM.Server.Storage;
using OpenUM.Server.Tests.Logging;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Server.Tests.Storage;

/// <summary>The storage monitor over a fake statvfs: thresholds, hysteresis, inodes, read-only, failures, caching, the timer, metrics.</summary>
public sealed class StorageMonitorTests : IAsyncLifetime
{
    private const long MB = StoragePolicy.BytesPerMB;
    private readonly FakeProbe _probe = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger _log = new();
    private readonly string _root = "/srv/openum-" + Guid.NewGuid().ToString("N");
    private StoragePolicy _policy = new(10, 100, 0); // fixed: 10 MB, 100 inodes
    private int _active;
    private StorageMonitor? _monitor;

    private StorageMonitor Monitor(params string[] extraPaths) =>
        _monitor = new StorageMonitor([_root, .. extraPaths], _probe, () => _policy, () => _active, _time, _log);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_monitor is not null) await _monitor.DisposeAsync();
    }

    private int Count(int id) => _log.Collector.GetSnapshot().Count(e => e.Id.Id == id);

    private void Disk(long freeBytes, long freeInodes = 1_000_000, bool readOnly = false, string? path = null) =>
        _probe.Set(path ?? _root, new FilesystemSample(freeBytes, freeInodes, readOnly));

    /// <summary>Lets the sample age past MaxSampleAge, so the next check samples again.</summary>
    private void Later() => _time.Advance(StorageMonitor.MaxSampleAge);

    [Fact]
    public void BelowTheThresholdNewCallsAreRefusedOnceWithEvent2060NamingTheNumbers()
    {
        Disk(50 * MB);
        var monitor = Monitor();
        Assert.Equal(StorageVerdict.Available, monitor.Check(0));

        Later();
        Disk(9 * MB, 5000);
        var verdict = monitor.Check(0);
        Assert.False(verdict.CanRecord);
        Assert.True(verdict.Writable);
        Assert.Contains(_root, verdict.Reason, StringComparison.Ordinal);
        Assert.Contains("9.0 MB", verdict.Reason, StringComparison.Ordinal);
        Assert.Contains("10.0 MB", verdict.Reason, StringComparison.Ordinal);
        Assert.Contains("--min-free-space-mb", verdict.Reason, StringComparison.Ordinal);

        var low = Assert.Single(_log.Collector.GetSnapshot(), e => e.Id.Id == 2060);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, low.Level);
        Assert.Equal(StorageState.Low, low.Field<StorageState>("State"));
        Assert.Contains("low on space", low.Field<string>("Reason"), StringComparison.Ordinal);
        Assert.Equal(_root, low.Field<string>("Path"));
        Assert.Equal(9 * MB, low.Field<long>("FreeBytes"));
        Assert.Equal(5000L, low.Field<long>("FreeInodes"));
        Assert.Equal(10 * MB, low.Field<long>("ThresholdBytes"));
        Assert.Equal(100L, low.Field<long>("ThresholdInodes"));
        Assert.False(low.Field<bool>("ReadOnly"));
        Assert.Equal(11 * MB, low.Field<long>("ResumeBytes"));

        // Still low: every check refuses, no second event.
        for (int i = 0; i < 5; i++) { Later(); Assert.False(monitor.Check(0).CanRecord); }
        Assert.Equal(1, Count(2060));
        Assert.Equal(StorageState.Low, monitor.Status.State);
    }

    [Fact]
    public void HysteresisAShortageEndsOnlyAboveTheMarginAndTheLineDoesNotFlap()
    {
        var monitor = Monitor();
        // Free space wobbling across the 10 MB line (a recording grows, a delivery frees its WAV).
        long[] wobble = [9 * MB, 10 * MB + 1, 10 * MB - 1, 10 * MB + 512 * 1024, 10 * MB - 1, 11 * MB - 1];
        foreach (long free in wobble)
        {
            Disk(free);
            Later();
            Assert.False(monitor.Check(0).CanRecord, $"{free} bytes ended the shortage below the resume level");
        }
        Assert.Equal(1, Count(2060));
        Assert.Equal(0, Count(2061));

        Disk(11 * MB);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(monitor.Check(0).CanRecord);
        var available = Assert.Single(_log.Collector.GetSnapshot(), e => e.Id.Id == 2061);
        Assert.Equal(11 * MB, available.Field<long>("FreeBytes"));
        Assert.True(available.Field<double>("OutageSeconds") >= 30, "the outage is measured from the first refusal");

        // Back above the line: small dips above the threshold do not start a new shortage...
        Disk(10 * MB);
        Later();
        Assert.True(monitor.Check(0).CanRecord);
        // ... but one below it does.
        Disk(10 * MB - 1);
        Later();
        Assert.False(monitor.Check(0).CanRecord);
        Assert.Equal(2, Count(2060));
    }

    [Fact]
    public void TheAutomaticThresholdIsAReservePerCallInProgressAndOneMore()
    {
        _policy = new StoragePolicy(0, 0, 4 * MB);
        Disk(9 * MB);
        var monitor = Monitor();
        Assert.True(monitor.Check(0).CanRecord);   // 4 MB for the new call
        Assert.True(monitor.Check(1).CanRecord);   // 8 MB for one in progress and the new one
        var refused = monitor.Check(2);            // 12 MB
        Assert.False(refused.CanRecord);
        Assert.Contains("room for the 2 call(s) in progress and one more", refused.Reason, StringComparison.Ordinal);
        var low = Assert.Single(_log.Collector.GetSnapshot(), e => e.Id.Id == 2060);
        Assert.Equal(12 * MB, low.Field<long>("ThresholdBytes"));
        Assert.Equal(3L * OpenUM.Directory.UmServer.InodesPerCall, low.Field<long>("ThresholdInodes"));
        Assert.StartsWith("space automatic, inodes automatic", low.Field<string>("Basis"), StringComparison.Ordinal);

        // Calls end: at 0 in progress 4 MB are needed and 5 MB end the shortage (margin: 1 MB at least).
        Assert.True(monitor.Check(0).CanRecord);
        Assert.Equal(1, Count(2061));
    }

    [Fact]
    public void InodesCountLikeSpaceUnlessTheFilesystemHasNoInodeCount()
    {
        Disk(500 * MB, freeInodes: 99);
        var monitor = Monitor();
        var verdict = monitor.Check(0);
        Assert.False(verdict.CanRecord);
        Assert.Contains("99 inodes", verdict.Reason, StringComparison.Ordinal);
        Assert.Equal(99L, Assert.Single(_log.Collector.GetSnapshot(), e => e.Id.Id == 2060).Field<long>("FreeInodes"));

        // 100 is the threshold, 116 ends it (a tenth, at least 16).
        Disk(500 * MB, freeInodes: 115);
        Later();
        Assert.False(monitor.Check(0).CanRecord);
        Disk(500 * MB, freeInodes: 116);
        Later();
        Assert.True(monitor.Check(0).CanRecord);

        Disk(500 * MB, freeInodes: -1); // btrfs: no inode count, nothing to check
        Later();
        Assert.True(monitor.Check(0).CanRecord);
    }

    [Fact]
    public void ReadOnlyRefusesEvenWithSpaceAndRecoversWithoutRestart()
    {
        Disk(500 * MB);
        var monitor = Monitor();
        Assert.True(monitor.Check(0).Writable);

        Disk(500 * MB, readOnly: true);
        Later();
        var verdict = monitor.Check(0);
        Assert.False(verdict.CanRecord);
        Assert.False(verdict.Writable);
        Assert.Contains("read-only", verdict.Reason, StringComparison.Ordinal);
        var ro = Assert.Single(_log.Collector.GetSnapshot(), e => e.Id.Id == 2060);
        Assert.Equal(StorageState.ReadOnly, ro.Field<StorageState>("State"));
        Assert.True(ro.Field<bool>("ReadOnly"));
        Assert.Equal(500 * MB, ro.Field<long>("FreeBytes"));

        Disk(500 * MB);
        Later();
        Assert.Equal(StorageVerdict.Available, monitor.Check(0));
        var back = Assert.Single(_log.Collector.GetSnapshot(), e => e.Id.Id == 2061);
        Assert.False(back.Field<bool>("ReadOnly"));
        Assert.Equal(StorageState.ReadOnly, back.Field<StorageState>("PreviousState"));
    }

    [Fact]
    public void ReadOnlyThenWritableButFullIsLowWithItsOwnEvent()
    {
        Disk(1 * MB, readOnly: true);
        var monitor = Monitor();
        monitor.Refresh();
        Assert.Equal(StorageState.ReadOnly, monitor.Status.State);
        Disk(1 * MB);
        Later();
        var verdict = monitor.Check(0);
        Assert.True(verdict.Writable);
        Assert.False(verdict.CanRecord);
        Assert.Equal([StorageState.ReadOnly, StorageState.Low],
            _log.Collector.GetSnapshot().Where(e => e.Id.Id == 2060).Select(e => e.Field<StorageState>("State")));
        Assert.Equal(0, Count(2061));
    }

    [Fact]
    public void AFailedCheckRefusesAndSaysWhyUntilItWorksAgain()
    {
        _probe.Fail(_root, new IOException("statvfs: Input/output error (errno 5)"));
        var monitor = Monitor();
        var verdict = monitor.Check(0);
        Assert.False(verdict.Writable);
        Assert.Contains("Input/output error", verdict.Reason, StringComparison.Ordinal);
        var failed = Assert.Single(_log.Collector.GetSnapshot(), e => e.Id.Id == 2060);
        Assert.Equal(StorageState.Unchecked, failed.Field<StorageState>("State"));
        Assert.Contains("Input/output error", failed.Field<string>("Reason"), StringComparison.Ordinal);

        Disk(500 * MB);
        Later();
        Assert.True(monitor.Check(0).CanRecord);
        Assert.Equal(1, Count(2061));
    }

    [Fact]
    public void AWriteProbeRefusedWithErofsIsReadOnlyUntilAProbeSucceeds()
    {
        Disk(500 * MB);
        var monitor = Monitor();
        monitor.Refresh();
        Assert.Equal(StorageState.Available, monitor.Status.State);

        // The mount flags still say read-write, but a file cannot be created: read-only all the same.
        _probe.RefuseWrites(_root, true);
        monitor.Refresh();
        Assert.Equal(StorageState.ReadOnly, monitor.Status.State);
        Assert.True(monitor.Status.Sample.ReadOnly);
        // A call's check (statvfs only, no write) does not forget what the last probe found.
        Later();
        Assert.False(monitor.Check(0).Writable);
        Assert.Equal(1, Count(2060));

        _probe.RefuseWrites(_root, false);
        Later();
        Assert.False(monitor.Check(0).Writable); // until the next probe
        monitor.Refresh();
        Assert.Equal(StorageState.Available, monitor.Status.State);
        Assert.Equal(1, Count(2061));
    }

    [Fact]
    public void AReportedWriteFailureSamplesAtOnceButAtMostOncePerSampleAge()
    {
        Disk(500 * MB);
        var monitor = Monitor();
        monitor.Refresh();
        int before = _probe.Calls;
        Disk(1 * MB);
        monitor.ReportWriteFailure(); // the sample is fresh: no new statvfs
        Assert.Equal(before, _probe.Calls);
        Assert.Equal(StorageState.Available, monitor.Status.State);

        Later();
        for (int i = 0; i < 10; i++) monitor.ReportWriteFailure();
        Assert.Equal(before + 1, _probe.Calls);
        Assert.Equal(StorageState.Low, monitor.Status.State);
        Assert.Equal(1, Count(2060));
    }

    [Fact]
    public void TheFullestFilesystemDecidesAndMissingSubdirectoriesAreSkipped()
    {
        string spool = _root + "/spool", maildir = _root + "/maildir", outbox = _root + "/outbox";
        Disk(500 * MB);
        Disk(500 * MB, path: spool);
        _probe.Fail(outbox, new DirectoryNotFoundException("statvfs: No such file or directory (errno 2)"));
        Disk(3 * MB, path: maildir); // a mount of its own, nearly full
        var monitor = Monitor(spool, maildir, outbox);
        var verdict = monitor.Check(0);
        Assert.False(verdict.CanRecord);
        Assert.Contains(maildir, verdict.Reason, StringComparison.Ordinal);
        Assert.Equal(maildir, monitor.Status.Path);

        // The data directory itself missing is no reason to skip: nothing can be stored.
        _probe.Fail(_root, new DirectoryNotFoundException("statvfs: No such file or directory (errno 2)"));
        Later();
        Assert.False(monitor.Check(0).Writable);
        Assert.Equal(StorageState.Unchecked, monitor.Status.State);
    }

    [Fact]
    public void ChecksUseASampleAtMostASecondOld()
    {
        Disk(500 * MB);
        var monitor = Monitor("/elsewhere");
        Disk(500 * MB, path: "/elsewhere");
        for (int i = 0; i < 100; i++) monitor.Check(i % 3);
        Assert.Equal(2, _probe.Calls); // one statvfs per path for the 100 checks

        _time.Advance(StorageMonitor.MaxSampleAge - TimeSpan.FromMilliseconds(1));
        monitor.Check(0);
        Assert.Equal(2, _probe.Calls);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        monitor.Check(0);
        Assert.Equal(4, _probe.Calls);
    }

    [Fact]
    public async Task TheTimerNoticesAShortageWithoutAnyCall()
    {
        Disk(500 * MB);
        var monitor = Monitor();
        monitor.Start();
        Assert.Equal(StorageState.Available, monitor.Status.State);
        _active = 1;
        Disk(15 * MB);
        _policy = new StoragePolicy(0, 0, 8 * MB); // automatic: 16 MB for the call in progress and one more
        await AdvanceUntilAsync(() => monitor.Status.State == StorageState.Low);
        Assert.Equal(16 * MB, Assert.Single(_log.Collector.GetSnapshot(), e => e.Id.Id == 2060).Field<long>("ThresholdBytes"));

        Disk(500 * MB);
        await AdvanceUntilAsync(() => monitor.Status.State == StorageState.Available);
        Assert.Equal(1, Count(2061));
    }

    [Fact]
    public void TheGaugesReportFreeSpaceInodesThresholdAndState()
    {
        Disk(9 * MB, 4242);
        var monitor = Monitor();
        monitor.Refresh();
        var seen = Measure();
        Assert.Equal(9 * MB, seen["openum.storage.free_bytes"]);
        Assert.Equal(4242, seen["openum.storage.free_inodes"]);
        Assert.Equal(10 * MB, seen["openum.storage.threshold_bytes"]);
        Assert.Equal((long)StorageState.Low, seen["openum.storage.state"]);

        Disk(200 * MB, -1, readOnly: true);
        Later();
        monitor.Refresh();
        seen = Measure();
        Assert.Equal((long)StorageState.ReadOnly, seen["openum.storage.state"]);
        Assert.Equal(200 * MB, seen["openum.storage.free_bytes"]);
        Assert.False(seen.ContainsKey("openum.storage.free_inodes"), "no inode count, no inode measurement");
    }

    [Fact]
    public void ThePolicyFollowsTheServerAndTheLongestRecordingItServes()
    {
        OpenUM.Directory.DialPlan Plan(string name, int minutes) =>
            new() { Name = name, NumberOfDigitsInExtension = 4, MaxRecordingDuration = TimeSpan.FromMinutes(minutes) };
        var config = new OpenUM.Directory.ConfigurationSnapshot(1, [Plan("short", 5), Plan("long", 60)], [], [], [new() { Name = "um1" }], []);
        var policy = StoragePolicy.From(config, "um1");
        Assert.Equal(OpenUM.Directory.UmServer.RecordingReserveBytes(TimeSpan.FromMinutes(60)), policy.ReserveBytesPerCall);

        config = new OpenUM.Directory.ConfigurationSnapshot(2, config.DialPlans, [], [],
            [new() { Name = "um1", DialPlans = ["short"], MinFreeSpaceMB = 700, MinFreeInodes = 900 }], []);
        policy = StoragePolicy.From(config, "um1");
        Assert.Equal(OpenUM.Directory.UmServer.RecordingReserveBytes(TimeSpan.FromMinutes(5)), policy.ReserveBytesPerCall);
        var required = policy.Required(activeCalls: 40);
        Assert.Equal((700 * MB, 900L, 770 * MB, 990L), (required.Bytes, required.Inodes, required.ResumeBytes, required.ResumeInodes));
        Assert.StartsWith("space fixed, inodes fixed: openum server set", required.Basis, StringComparison.Ordinal);
        // Space fixed, inodes automatic: each part says which it is.
        var mixed = (policy with { MinFreeInodes = 0 }).Required(activeCalls: 1);
        Assert.Equal(2L * OpenUM.Directory.UmServer.InodesPerCall, mixed.Inodes);
        Assert.StartsWith("space fixed, inodes automatic: automatic is room for the 1 call(s)", mixed.Basis, StringComparison.Ordinal);

        // No server object yet, no dial plan: the defaults (automatic, 20-minute recordings).
        Assert.Equal(StoragePolicy.Default, StoragePolicy.From(new OpenUM.Directory.ConfigurationSnapshot(0, [], [], [], [], []), "um1"));
        Assert.Equal(OpenUM.Directory.UmServer.RecordingReserveBytes(TimeSpan.FromMinutes(20)), StoragePolicy.Default.Required(0).Bytes);
    }

    [Fact]
    public void StatVfsReadsTheRealFilesystem()
    {
        string dir = System.IO.Directory.CreateTempSubdirectory("openum-statvfs-").FullName;
        try
        {
            var sample = new StatVfsProbe().Sample(dir);
            long drive = new DriveInfo(dir).AvailableFreeSpace;
            // Other processes write meanwhile: the two reads agree within 64 MB, and both are of this filesystem.
            Assert.InRange(sample.FreeBytes, Math.Max(0, drive - 64 * MB), drive + 64 * MB);
            Assert.False(sample.ReadOnly);
            Assert.Throws<DirectoryNotFoundException>(() => new StatVfsProbe().Sample(Path.Combine(dir, "missing")));
            // The write probe succeeds here and leaves nothing behind (the non-recursive delete below would fail);
            // a missing directory is no EROFS. (A read-only mount, EROFS, is checked by the interop test as root.)
            Assert.False(new StatVfsProbe().RefusesWrites(dir));
            Assert.Empty(System.IO.Directory.EnumerateFileSystemEntries(dir));
            Assert.False(new StatVfsProbe().RefusesWrites(Path.Combine(dir, "missing")));
        }
        finally
        {
            System.IO.Directory.Delete(dir);
        }
    }

    private Dictionary<string, long> Measure()
    {
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StorageMonitor.MeterName && instrument.Name.StartsWith("openum.storage.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
                if (tag.Key == "openum.data_directory" && (string?)tag.Value == _root) seen[instrument.Name] = value;
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    /// <summary>Moves the fake clock a sampling interval at a time until the condition holds (a hang guard, not a timing claim).</summary>
    private async Task AdvanceUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the sampling loop never got there");
            _time.Advance(StorageMonitor.SampleInterval);
            await Task.Delay(20);
        }
    }

    private sealed class FakeProbe : IFilesystemProbe
    {
        private readonly Dictionary<string, Func<FilesystemSample>> _paths = [];
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void Set(string path, FilesystemSample sample) { lock (_paths) _paths[path] = () => sample; }

        public void Fail(string path, Exception error) { lock (_paths) _paths[path] = () => throw error; }

        private readonly HashSet<string> _refusing = [];

        public void RefuseWrites(string path, bool refuse) { lock (_paths) { if (refuse) _refusing.Add(path); else _refusing.Remove(path); } }

        public bool RefusesWrites(string directory) { lock (_paths) return _refusing.Contains(directory); }

        public FilesystemSample Sample(string path)
        {
            Interlocked.Increment(ref _calls);
            Func<FilesystemSample>? sample;
            lock (_paths) _paths.TryGetValue(path, out sample);
            return sample is null ? throw new DirectoryNotFoundException("statvfs " + path + ": No such file or directory (errno 2)") : sample();
        }
    }
}
