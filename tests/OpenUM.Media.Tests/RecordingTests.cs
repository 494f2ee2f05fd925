using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Media.Audio;
using OpenUM.Media.Session;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Media.Tests;

// A raw UDP peer sends hand-made RTP to a session that records; the WAV content is checked sample by sample.
public sealed class RecordingTests : IDisposable
{
    private static readonly RecordingLimits Long = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5), '#');
    private readonly string _dir = Directory.CreateTempSubdirectory("openum-rec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string NewPath() => Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".wav");

    private static MediaSession Open(MediaClock clock, RawPeer peer, AudioCodec codec = AudioCodec.Pcmu)
    {
        var s = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, NullLogger.Instance);
        s.Start(TestNet.MediaTo(peer.Port, codec));
        return s;
    }

    private static short Value(int k) => G711.MuLawToLinear((byte)(0x80 + 3 * k));

    [Fact]
    public async Task PacketsAreWrittenInTimestampOrderWithSmallGapsFilled()
    {
        await using var rig = await PacedRig.StartAsync(nextSeq: 500);
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = rig.Session.RecordAsync(path, Long, guard.Token);

        const uint t0 = 0xFFFFFE00; // crosses the 32-bit timestamp wrap on purpose
        // Packets 0..9 of 160 samples; 2 and 3 swapped, 5 lost; then a 2 s jump (not filled) for 10 and 11.
        int[] order = [0, 1, 3, 2, 4, 6, 7, 8, 9];
        ushort seq = 500;
        foreach (int k in order)
            await rig.SendAsync(p => p.SendAudio(rig.Port, t0 + (uint)(160 * k), Value(k), seq: (ushort)(seq + k)));
        await rig.SendAsync(p => p.SendAudio(rig.Port, unchecked(t0 + 160 * 10 + 16000), Value(10), seq: (ushort)(seq + 10)));
        await rig.SendAsync(p => p.SendAudio(rig.Port, unchecked(t0 + 160 * 11 + 16000), Value(11), seq: (ushort)(seq + 11)));
        guard.Cancel();
        var result = await rec;

        Assert.Equal(RecordingStopReason.Cancelled, result.Reason);
        var expected = new List<short>();
        for (int k = 0; k < 12; k++)
            expected.AddRange(Enumerable.Repeat(k == 5 ? (short)0 : Value(k), 160));
        var samples = AudioClip.FromWavFile(path).Samples.ToArray();
        Assert.Equal(expected.ToArray(), samples);
        Assert.Equal(TimeSpan.FromMilliseconds(240), result.Duration);
        Assert.Equal(1, rig.Session.Statistics.PacketsLost);
    }

    [Fact]
    public async Task DuplicatesAndLatePacketsAreNotWrittenTwice()
    {
        await using var rig = await PacedRig.StartAsync(nextSeq: 1);
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = rig.Session.RecordAsync(path, Long, guard.Token);
        await rig.SendAsync(p => p.SendAudio(rig.Port, 1000, Value(0), seq: 1));
        await rig.SendAsync(p => p.SendAudio(rig.Port, 1160, Value(1), seq: 2));
        await rig.SendAsync(p => p.SendAudio(rig.Port, 1160, Value(1), seq: 2));  // duplicate
        await rig.SendAsync(p => p.SendAudio(rig.Port, 1000, Value(9), seq: 3));  // old timestamp, new seq: late audio, dropped
        await rig.SendAsync(p => p.SendAudio(rig.Port, 1320, Value(2), seq: 4));
        guard.Cancel();
        await rec;
        var expected = new[] { 0, 1, 2 }.SelectMany(k => Enumerable.Repeat(Value(k), 160)).ToArray();
        Assert.Equal(expected, AudioClip.FromWavFile(path).Samples.ToArray());
    }

    [Fact]
    public async Task DtmfIsReportedOncePerKeyPressAndHashStopsTheRecording()
    {
        await using var rig = await PacedRig.StartAsync();
        var digits = new List<char>();
        rig.Session.DtmfReceived += d => { lock (digits) digits.Add(d); };
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = rig.Session.RecordAsync(path, Long, guard.Token);
        int port = rig.Port;

        await rig.SendAsync(p => p.SendAudio(port, 8000, Value(1)));
        // Key "1": start (marker), continuation, end sent three times (RFC 4733 §2.5.1.4).
        await rig.SendAsync(p => p.SendEvent(port, 8160, 1, false, 160, marker: true));
        await rig.SendAsync(p => p.SendEvent(port, 8160, 1, false, 320));
        for (int i = 0; i < 3; i++)
            await rig.SendAsync(p => p.SendEvent(port, 8160, 1, true, 480));
        // Key "1" again: first packet lost, only the end packets arrive.
        for (int i = 0; i < 3; i++)
            await rig.SendAsync(p => p.SendEvent(port, 9600, 1, true, 480));
        // A late retransmission of the first press must not count again; nor must hook flash (event 16).
        await rig.SendAsync(p => p.SendEvent(port, 8160, 1, true, 480));
        await rig.SendAsync(p => p.SendEvent(port, 11000, 16, false, 160, marker: true));
        // The audio after the events stands half a second after the first: the clock has moved that much.
        await rig.SendAsync(p => p.SendAudio(port, 12000, Value(2)), TimeSpan.FromMilliseconds(500));
        Assert.False(rec.IsCompleted);
        await rig.SendAsync(p => p.SendEvent(port, 12160, 11, false, 160, marker: true));
        var result = await rec;

        Assert.Equal(RecordingStopReason.StopDigit, result.Reason);
        await TestNet.WaitUntil(() => { lock (digits) return digits.Count == 3; }, "3 digits");
        Assert.Equal(['1', '1', '#'], digits);
        // Audio around the events: 160 samples, a 3840-sample gap filled with silence, 160 samples; no event payload.
        var samples = AudioClip.FromWavFile(path).Samples.ToArray();
        Assert.Equal(160 + 3840 + 160, samples.Length);
        Assert.All(samples[..160], x => Assert.Equal(Value(1), x));
        Assert.All(samples[160..4000], x => Assert.Equal(0, x));
        Assert.All(samples[4000..], x => Assert.Equal(Value(2), x));
    }

    [Fact]
    public async Task AnSsrcChangeStartsANewTimelineWithoutGapFill()
    {
        await using var rig = await PacedRig.StartAsync(nextSeq: 1);
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = rig.Session.RecordAsync(path, Long, guard.Token);
        await rig.SendAsync(p => p.SendAudio(rig.Port, 1000, Value(1), seq: 1));
        await rig.SendAsync(p => p.SendAudio(rig.Port, 1160, Value(2), seq: 2));
        rig.Peer.Ssrc = 0xABCDEF01; // e.g. the PBX transferred the call to another media source
        await rig.SendAsync(p => p.SendAudio(rig.Port, 777_000, Value(3), seq: 40000));
        await rig.SendAsync(p => p.SendAudio(rig.Port, 777_160, Value(4), seq: 40001));
        guard.Cancel();
        await rec;
        var expected = new[] { 1, 2, 3, 4 }.SelectMany(k => Enumerable.Repeat(Value(k), 160)).ToArray();
        Assert.Equal(expected, AudioClip.FromWavFile(path).Samples.ToArray());
        Assert.Equal(0, rig.Session.Statistics.PacketsLost);
    }

    [Fact]
    public async Task MaxDurationTruncatesExactly()
    {
        await using var rig = await PacedRig.StartAsync(AudioCodec.Pcma);
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = rig.Session.RecordAsync(path, new RecordingLimits(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)), guard.Token);
        var payload = new byte[160];
        Array.Fill(payload, G711.LinearToALaw(1000));
        for (int k = 0; k < 60 && !rec.IsCompleted; k++)
            await rig.SendAsync(p => p.SendRtp(rig.Port, 8, (uint)(160 * k), payload));
        var result = await rec;
        Assert.Equal(RecordingStopReason.MaxDuration, result.Reason);
        Assert.Equal(TimeSpan.FromSeconds(1), result.Duration);
        var samples = AudioClip.FromWavFile(path).Samples.ToArray();
        Assert.Equal(8000, samples.Length);
        Assert.All(samples, x => Assert.Equal(G711.ALawToLinear(G711.LinearToALaw(1000)), x));
    }

    [Fact]
    public async Task HostilePacketsAreCountedAndDropped()
    {
        await using var rig = await PacedRig.StartAsync();
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = rig.Session.RecordAsync(path, Long, guard.Token);
        var before = rig.Session.Statistics;
        int port = rig.Port;
        using var otherHost = new RawPeer(IPAddress.Parse("127.0.0.2"));
        await rig.SendAsync(p => p.SendRaw([0x80, 0x00, 0x01], port));                               // short
        await rig.SendAsync(p => p.SendRaw(Convert.FromHexString("400000010000000000000001FFFF"), port)); // version 1
        await rig.SendAsync(p => p.SendRaw(Convert.FromHexString("A00000010000000000000001FF09"), port)); // bad padding
        await rig.SendAsync(p => p.SendRaw(new byte[5000], port));                                    // oversized datagram
        await rig.SendAsync(p => p.SendRtp(port, 101, 50, [1, 2, 3]));                                // truncated RFC 4733 payload
        await rig.SendAsync(p => p.SendRtp(port, 18, 50, new byte[20]));                              // G.729: not negotiated
        await rig.SendAsync(p => p.SendRtp(port, 13, 50, [40]));                                      // comfort noise
        await rig.SendAsync(p => p.SendRaw(Convert.FromHexString("80C8000600000001"), port));          // RTCP SR, muxed: ignored
        await rig.SendAsync(p => p.SendAudio(port, 10, Value(9), samples: 1000));                     // 125 ms in a 20 ms packet
        await rig.SendAsync(p => p.SendAudio(port, 60, Value(9), samples: 40));                       // 5 ms in a 20 ms packet
        await rig.SendAsync(_ => otherHost.SendAudio(port, 100, Value(8)));                           // another host
        await rig.SendAsync(p => p.SendAudio(port, 100, Value(4)));
        guard.Cancel();
        await rec;
        var st = rig.Session.Statistics;
        Assert.Equal(5, st.Malformed - before.Malformed);
        Assert.Equal(3, st.Ignored - before.Ignored);
        Assert.Equal(2, st.PayloadSizeRejected);
        Assert.Equal(1, st.UnexpectedSource);
        Assert.Equal(Enumerable.Repeat(Value(4), 160), AudioClip.FromWavFile(path).Samples.ToArray());
    }

    [Fact]
    public async Task LossIsCountedFromSequenceGapsPerSsrc()
    {
        await using var rig = await PacedRig.StartAsync(nextSeq: 65534);
        foreach (ushort seq in new ushort[] { 65534, 65535, 2, 3 }) // wraps; 0 and 1 missing
            await rig.SendAsync(p => p.SendAudio(rig.Port, (uint)(seq * 160), 0, seq: seq));
        Assert.Equal(2, rig.Session.Statistics.PacketsLost);
        rig.Peer.Ssrc = 0x99;
        await rig.SendAsync(p => p.SendAudio(rig.Port, 0, 0, seq: 10));
        await rig.SendAsync(p => p.SendAudio(rig.Port, 160, 0, seq: 11));
        await rig.SendAsync(p => p.SendAudio(rig.Port, 480, 0, seq: 13));
        Assert.Equal(3, rig.Session.Statistics.PacketsLost);
    }

    [Fact]
    public async Task IdleTimeoutCountsOnlyVoiceAsActivity()
    {
        var time = new FakeTimeProvider();
        await using var clock = new MediaClock(time);
        using var peer = new RawPeer();
        await using var s = Open(clock, peer);
        await TestNet.LearnAsync(peer, s);
        using var guard = TestNet.Guard();
        var rec = s.RecordAsync(NewPath(), new RecordingLimits(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5)), guard.Token);

        for (int k = 0; k < 3; k++)
            peer.SendAudio(s.LocalPort, (uint)(160 * k), 3000);
        await TestNet.WaitUntil(() => s.DatagramsHandled == 7, "voice");
        time.Advance(TimeSpan.FromSeconds(4));
        peer.SendAudio(s.LocalPort, 480, 3000);
        await TestNet.WaitUntil(() => s.DatagramsHandled == 8, "more voice");
        time.Advance(TimeSpan.FromSeconds(4)); // 8 s since start, 4 s since voice
        await Task.Delay(50);
        Assert.False(rec.IsCompleted);

        // Silence (-60 dBFS and digital zero) keeps arriving but does not count as activity.
        for (int k = 4; k < 8; k++)
            peer.SendAudio(s.LocalPort, (uint)(160 * k), (short)(k % 2 == 0 ? 30 : 0));
        await TestNet.WaitUntil(() => s.DatagramsHandled == 12, "silence");
        time.Advance(TimeSpan.FromSeconds(1.5));
        var result = await rec;
        Assert.Equal(RecordingStopReason.IdleTimeout, result.Reason);
        Assert.Equal(TimeSpan.FromMilliseconds(160), result.Duration);
    }

    [Fact]
    public async Task IdleTimeoutWithNoPacketsAtAll()
    {
        var time = new FakeTimeProvider();
        await using var clock = new MediaClock(time);
        using var peer = new RawPeer();
        await using var s = Open(clock, peer);
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = s.RecordAsync(path, new RecordingLimits(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5)), guard.Token);
        time.Advance(TimeSpan.FromSeconds(5));
        var result = await rec;
        Assert.Equal(RecordingStopReason.IdleTimeout, result.Reason);
        Assert.Equal(TimeSpan.Zero, result.Duration);
        Assert.Empty(AudioClip.FromWavFile(path).Samples.ToArray());
    }

    [Fact]
    public async Task ASecondRecordingFailsWithoutTouchingTheRunningOnesFile()
    {
        await using var rig = await PacedRig.StartAsync(nextSeq: 0);
        var s = rig.Session;
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = s.RecordAsync(path, Long, guard.Token);
        // 220 x 160 samples = 70 kB: more than the file buffer, so audio is on disk before the second attempt. Sent in
        // bursts of 20 packets (400 ms), the clock moving after each burst as much as the burst lasts.
        const int n = 160, bursts = 11, perBurst = 20;
        for (int b = 0; b < bursts; b++)
        {
            long before = s.DatagramsHandled;
            for (int i = 0; i < perBurst; i++)
            {
                int k = b * perBurst + i;
                rig.Peer.SendAudio(s.LocalPort, (uint)(n * k), Value(k % 50), samples: n, seq: (ushort)k);
            }
            await TestNet.WaitUntil(() => s.DatagramsHandled == before + perBurst, "a burst");
            rig.Time.Advance(TimeSpan.FromMilliseconds(20 * perBurst));
        }
        await TestNet.WaitUntil(() => new FileInfo(path).Length > 44, "audio flushed to the file");

        // Same path: it used to open (and truncate) the file before noticing the recording in progress.
        await Assert.ThrowsAsync<InvalidOperationException>(() => s.RecordAsync(path, Long, CancellationToken.None));
        int last = bursts * perBurst;
        await rig.SendAsync(p => p.SendAudio(s.LocalPort, (uint)(n * last), Value(last % 50), samples: n, seq: (ushort)last));
        guard.Cancel();
        var result = await rec;

        Assert.Equal(RecordingStopReason.Cancelled, result.Reason);
        var expected = Enumerable.Range(0, last + 1).SelectMany(k => Enumerable.Repeat(Value(k % 50), n)).ToArray();
        Assert.Equal(expected, AudioClip.FromWavFile(path).Samples.ToArray());
    }

    [Fact]
    public async Task AnExistingFileIsNeverOverwrittenAndTheSessionCanStillRecord()
    {
        await using var clock = new MediaClock();
        using var peer = new RawPeer();
        await using var s = Open(clock, peer);
        var existing = NewPath();
        File.WriteAllBytes(existing, [1, 2, 3]);
        await Assert.ThrowsAsync<IOException>(() => s.RecordAsync(existing, Long, CancellationToken.None));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(existing));

        // The failed attempt released the one-recording slot.
        using var cts = new CancellationTokenSource();
        var rec = s.RecordAsync(NewPath(), Long, cts.Token);
        cts.Cancel();
        Assert.Equal(RecordingStopReason.Cancelled, (await rec).Reason);
    }

    [Fact]
    public async Task RecordingsAreReadableByTheOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
            return;
        await using var clock = new MediaClock();
        using var peer = new RawPeer();
        await using var s = Open(clock, peer);
        using var cts = new CancellationTokenSource();
        var path = NewPath();
        var rec = s.RecordAsync(path, Long, cts.Token);
        cts.Cancel();
        await rec;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task DtmfDigitsAreNeverLogged()
    {
        await using var clock = new MediaClock();
        var log = new FakeLogger();
        using var peer = new RawPeer();
        await using var s = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, log);
        s.Start(TestNet.MediaTo(peer.Port));
        var got = new TaskCompletionSource<char>(TaskCreationOptions.RunContinuationsAsynchronously);
        s.DtmfReceived += d => got.TrySetResult(d);
        using var guard = TestNet.Guard();
        await TestNet.LearnAsync(peer, s);
        peer.SendAudio(s.LocalPort, 1000, 0);
        peer.SendEvent(s.LocalPort, 1160, 10, false, 160, marker: true); // '*'
        Assert.Equal('*', await got.Task.WaitAsync(guard.Token));

        // Key presses carry PINs: the event is logged, the digit is not, neither in the text nor as a value.
        // (FakeLogger keeps structured values as strings: a char '*' would be "*".)
        var events = log.Collector.GetSnapshot();
        Assert.Contains(events, e => e.Id.Id == 2304);
        Assert.All(events, e => Assert.DoesNotContain("*", e.Message, StringComparison.Ordinal));
        Assert.All(events, e => Assert.DoesNotContain(e.Fields(), kv => kv.Value is "*"));
    }

    [Fact]
    public async Task ALoneOutOfRangeSequenceNumberDoesNotRestartLossCounting()
    {
        await using var clock = new MediaClock();
        using var peer = new RawPeer();
        await using var s = Open(clock, peer);
        await TestNet.LearnAsync(peer, s, nextSeq: 100);
        var learned = s.Statistics;
        // 105 is lost; 40000 is a single stray packet (RFC 3550 A.1: a restart needs two in a row).
        ushort[] seqs = [100, 101, 102, 103, 104, 40000, 106, 107, 108, 109];
        uint ts = 0;
        foreach (ushort seq in seqs)
            peer.SendAudio(s.LocalPort, ts += 160, 0, seq: seq);
        await TestNet.WaitUntil(() => s.DatagramsHandled == learned.PacketsReceived + seqs.Length, "first run");
        Assert.Equal(1, s.Statistics.PacketsLost);
        Assert.Equal(1, s.Statistics.Ignored - learned.Ignored);

        // A real restart (two consecutive packets) is accepted; the loss of the first run is kept.
        foreach (ushort seq in new ushort[] { 30000, 30001, 30002, 30003 })
            peer.SendAudio(s.LocalPort, ts += 160, 0, seq: seq);
        await TestNet.WaitUntil(() => s.DatagramsHandled == learned.PacketsReceived + seqs.Length + 4, "restart");
        Assert.Equal(1, s.Statistics.PacketsLost);
        Assert.Equal(2, s.Statistics.Ignored - learned.Ignored); // 30000 only proposed the restart
    }

    [Fact]
    public async Task TheClockIsTheOnlyTimerAndKeepsTickingWhileRecording()
    {
        var time = new CountingTimeProvider();
        await using var clock = new MediaClock(time);
        using var peer = new RawPeer();
        await using var s = Open(clock, peer);
        using var guard = TestNet.Guard();
        var rec = s.RecordAsync(NewPath(), new RecordingLimits(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1)), guard.Token);
        // Nothing plays, yet the session is on the clock: the tick checks the idle deadline.
        Assert.Equal(1, clock.ActiveCount);

        var play = s.PlayAsync(AudioClip.Silence(TimeSpan.FromMilliseconds(200)), guard.Token);
        while (!play.IsCompleted)
        {
            guard.Token.ThrowIfCancellationRequested(); // hang guard
            time.Advance(MediaClock.Interval);
            await Task.Delay(1);
        }
        await play;
        Assert.Equal(10, s.Statistics.PacketsSent);
        Assert.Equal(1, clock.ActiveCount); // still recording
        Assert.False(rec.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(RecordingStopReason.IdleTimeout, (await rec).Reason);
        await TestNet.WaitUntil(() => clock.ActiveCount == 0, "clock idle after the recording");
        // One timer for the clock: none per tick (Task.Delay) and none per recording.
        Assert.Equal(1, time.TimersCreated);
    }

    [Fact]
    public async Task FinishingAFileDoesNotBlockTheReceivePath()
    {
        using var stream = new FlushBlockingStream();
        var recorder = new Recorder("test.wav", new WavWriter(stream), Long, TimeProvider.System, NullLogger.Instance);
        recorder.Start();
        var samples = new short[160];
        recorder.OnAudio(1, 0, samples, TimeProvider.System.GetTimestamp());
        recorder.RequestStop(RecordingStopReason.Cancelled);
        var finish = Task.Run(recorder.Finish);
        using var guard = TestNet.Guard();
        await stream.FlushEntered.Task.WaitAsync(guard.Token);

        // The fsync is in progress; a late packet must not wait for it (it used to wait on the recorder's lock).
        await Task.Run(() => recorder.OnAudio(1, 160, samples, TimeProvider.System.GetTimestamp())).WaitAsync(guard.Token); // hang guard
        stream.ReleaseFlush.SetResult();
        await finish.WaitAsync(guard.Token);
        Assert.Equal(TimeSpan.FromMilliseconds(20), recorder.Duration);
    }

    private sealed class FlushBlockingStream : MemoryStream
    {
        public TaskCompletionSource FlushEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource ReleaseFlush { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Flush()
        {
            FlushEntered.TrySetResult();
            ReleaseFlush.Task.Wait(TimeSpan.FromSeconds(30)); // hang guard
        }
    }

    // Counts the timers created through it; time itself is a FakeTimeProvider's.
    private sealed class CountingTimeProvider : TimeProvider
    {
        private readonly FakeTimeProvider _fake = new();
        private int _timers;

        public int TimersCreated => Volatile.Read(ref _timers);

        public void Advance(TimeSpan delta) => _fake.Advance(delta);

        public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

        public override long GetTimestamp() => _fake.GetTimestamp();

        public override long TimestampFrequency => _fake.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => _fake.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return _fake.CreateTimer(callback, state, dueTime, period);
        }
    }
}
