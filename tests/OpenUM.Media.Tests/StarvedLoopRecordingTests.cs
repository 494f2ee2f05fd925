using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Media.Audio;
using OpenUM.Media.Session;

namespace OpenUM.Media.Tests;

// A receive loop that has not run (a server starved of CPU) leaves the caller's datagrams queued on the socket: the
// recording must neither end for idleness while they wait nor be sealed without them when the call ends. A key press's
// handler holds the loop, as a starved thread pool would.
public sealed class StarvedLoopRecordingTests : IDisposable
{
    private static readonly RecordingLimits FiveSecondsIdle = new(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5));
    private const int Frames = 10;
    private const uint FirstTs = 10_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("openum-starved-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static short Value(int k) => G711.MuLawToLinear((byte)(0x80 + 3 * k));

    private static short[] Expected(Func<int, short> value) =>
        Enumerable.Range(0, Frames).SelectMany(k => Enumerable.Repeat(value(k), 160)).ToArray();

    [Fact]
    public async Task TheIdleDeadlineWaitsForVoiceQueuedUnread()
    {
        await using var rig = await HeldRig.StartAsync(_dir);
        rig.Queue(Value);
        rig.Time.Advance(TimeSpan.FromSeconds(6)); // past the idle deadline: nothing handled since the key press
        await TestNet.WaitUntil(() => rig.Recorder.IdleHeldBack >= 1, "the idle stop held back");
        rig.Time.Advance(TimeSpan.FromSeconds(1)); // still queued: held back again, not stopped
        await TestNet.WaitUntil(() => rig.Recorder.IdleHeldBack >= 2, "the idle stop held back again");
        Assert.False(rig.Recording.IsCompleted);

        await rig.ReleaseAsync();
        rig.Time.Advance(TimeSpan.FromSeconds(1)); // the voice just read is activity: not idle
        rig.Bye.Cancel();
        var result = await rig.Recording.WaitAsync(rig.Guard.Token);

        Assert.Equal(RecordingStopReason.Cancelled, result.Reason);
        Assert.Equal(Expected(Value), AudioClip.FromWavFile(rig.Path).Samples.ToArray());
    }

    [Fact]
    public async Task QueuedSilenceEndsTheRecordingOnceRead()
    {
        await using var rig = await HeldRig.StartAsync(_dir);
        rig.Queue(_ => 0);
        rig.Time.Advance(TimeSpan.FromSeconds(6));
        await TestNet.WaitUntil(() => rig.Recorder.IdleHeldBack >= 1, "the idle stop held back");
        Assert.False(rig.Recording.IsCompleted);

        await rig.ReleaseAsync();
        rig.Time.Advance(Recorder.QueuedRecheck); // the queue is empty now: what it held was silence
        var result = await rig.Recording.WaitAsync(rig.Guard.Token);

        Assert.Equal(RecordingStopReason.IdleTimeout, result.Reason);
        Assert.Equal(Expected(_ => 0), AudioClip.FromWavFile(rig.Path).Samples.ToArray());
    }

    // With datagrams queued at the deadline, what decides is how much of the caller's silence the loop has handled,
    // and how long the stop has been held back already.
    [Theory]
    // idleSeconds: how long after the silence handled the deadline is looked at (the silence counts as idle time too).
    [InlineData(0, 6, false)]    // nothing handled since the start: the loop is behind, the stop held back
    [InlineData(4_980, 1, false)]
    [InlineData(5_000, 1, true)] // the idle timeout's worth of silence handled: idle, whatever waits
    [InlineData(0, 9, false)]
    [InlineData(0, 10, true)]    // twice the idle timeout: held back no longer, whatever keeps arriving
    public void QueuedDatagramsHoldTheIdleStopOnlyUntilTheTimeoutOfSilenceIsHandled(int silentMs, int idleSeconds, bool stops)
    {
        var time = new ManualTime();
        var recorder = new Recorder(System.IO.Path.Combine(_dir, "unit.wav"), FiveSecondsIdle, time, NullLogger.Instance)
        {
            Queued = () => true,
        };
        try
        {
            recorder.Start();
            var silence = new short[160];
            for (int ms = 0; ms < silentMs; ms += 20)
            {
                recorder.OnAudio(1, (uint)(8 * ms), silence, time.GetTimestamp());
                time.Advance(TimeSpan.FromMilliseconds(20));
            }
            time.Advance(TimeSpan.FromSeconds(idleSeconds));

            Assert.Equal(!stops, recorder.CheckIdle(time.GetTimestamp()));
            Assert.Equal(stops ? 0 : 1, recorder.IdleHeldBack);
        }
        finally
        {
            recorder.Finish();
        }
    }

    [Theory]
    [InlineData(false)] // the time never moves: the flush can only end by the loop reading what was queued
    [InlineData(true)]  // a grace passes first with the datagrams still queued: the flush waits on
    public async Task DatagramsQueuedAtTheByeAreInTheMessage(bool graceFirst)
    {
        await using var rig = await HeldRig.StartAsync(_dir);
        rig.Queue(Value);
        rig.Bye.Cancel();
        // The grace's timer must be armed before the fake clock moves, or the move is lost on it.
        await TestNet.WaitUntil(() => rig.Recording.IsCompleted || rig.Session.Pair.FlushWaits >= 1, "the recording flushing");
        if (graceFirst)
        {
            rig.Time.Advance(ReceiveLoops.WakeGrace);
            await TestNet.WaitUntil(() => rig.Recording.IsCompleted || rig.Session.Pair.FlushGraces >= 1, "a grace passed");
        }
        Assert.False(rig.Recording.IsCompleted);

        await rig.ReleaseAsync();
        var result = await rig.Recording.WaitAsync(rig.Guard.Token);

        Assert.Equal(RecordingStopReason.Cancelled, result.Reason);
        Assert.Equal(Expected(Value), AudioClip.FromWavFile(rig.Path).Samples.ToArray());
        Assert.Equal(0, rig.Session.Statistics.Malformed); // the marker reached no receiver
        Assert.False(rig.Session.Pair.Flushing);
    }

    [Fact]
    public async Task AMarkerLostOnAnEmptyQueueEndsTheFlushAfterTheGrace()
    {
        await using var rig = await PacedRig.StartAsync();
        var wake = rig.Session.Pair.Wake;
        rig.Session.Pair.Wake = _ => true; // "sent", never arrives (loopback traffic filtered)
        using var guard = TestNet.Guard();
        using var bye = new CancellationTokenSource();
        var path = System.IO.Path.Combine(_dir, "lost.wav");
        var rec = rig.Session.RecordAsync(path, FiveSecondsIdle, bye.Token);
        await rig.SendAsync(p => p.SendAudio(rig.Port, FirstTs, Value(1)));
        bye.Cancel();
        RecordingResult result;
        try
        {
            await TestNet.WaitUntil(() => rec.IsCompleted || rig.Session.Pair.FlushWaits >= 1, "the recording flushing");
            Assert.False(rec.IsCompleted);

            rig.Time.Advance(ReceiveLoops.WakeGrace);
            result = await rec.WaitAsync(guard.Token);
        }
        finally
        {
            rig.Session.Pair.Wake = wake; // the session's close needs its real wake, whatever failed above
        }

        Assert.Equal(RecordingStopReason.Cancelled, result.Reason);
        Assert.Equal(Enumerable.Repeat(Value(1), 160), AudioClip.FromWavFile(path).Samples.ToArray());
        Assert.Equal(0, rig.Session.Pair.FlushGraces);
    }

    [Fact]
    public async Task AByeWithNothingQueuedEndsOnTheMarkerAlone()
    {
        await using var rig = await PacedRig.StartAsync();
        using var guard = TestNet.Guard();
        using var bye = new CancellationTokenSource();
        var rec = rig.Session.RecordAsync(System.IO.Path.Combine(_dir, "idle.wav"), FiveSecondsIdle, bye.Token);
        await rig.SendAsync(p => p.SendAudio(rig.Port, FirstTs, Value(1)));
        long handled = rig.Session.DatagramsHandled;
        bye.Cancel(); // the loop waits on an empty queue: only the marker wakes it
        Assert.Equal(RecordingStopReason.Cancelled, (await rec.WaitAsync(guard.Token)).Reason);

        // The marker was read and taken: the next empty datagram is a peer's, malformed as ever.
        Assert.Equal(0, rig.Session.Statistics.Malformed);
        rig.Peer.SendRaw([], rig.Port);
        await TestNet.WaitUntil(() => rig.Session.DatagramsHandled == handled + 1, "the empty datagram handled");
        Assert.Equal(1, rig.Session.Statistics.Malformed);
    }

    // A recording session on a fake clock whose RTP loop is held in a key press's handler until ReleaseAsync.
    private sealed class HeldRig : IAsyncDisposable
    {
        private readonly ManualResetEventSlim _release = new();
        private readonly RawPeer _peer = new();
        private readonly MediaClock _clock;
        private long _handledBeforeRelease;

        private HeldRig(string dir)
        {
            _clock = new MediaClock(Time);
            Session = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, _clock, NullLogger.Instance);
            Path = System.IO.Path.Combine(dir, Guid.NewGuid().ToString("N") + ".wav");
        }

        public FakeTimeProvider Time { get; } = new();

        public MediaSession Session { get; }

        public string Path { get; }

        public CancellationTokenSource Guard { get; } = TestNet.Guard();

        public CancellationTokenSource Bye { get; } = new();

        public Task<RecordingResult> Recording { get; private set; } = null!;

        public Recorder Recorder { get; private set; } = null!;

        public static async Task<HeldRig> StartAsync(string dir)
        {
            var rig = new HeldRig(dir);
            try
            {
                await rig.HoldAsync();
                return rig;
            }
            catch
            {
                await rig.DisposeAsync();
                throw;
            }
        }

        private async Task HoldAsync()
        {
            Session.Start(TestNet.MediaTo(_peer.Port));
            await TestNet.LearnAsync(_peer, Session);
            Recording = Session.RecordAsync(Path, FiveSecondsIdle, Bye.Token);
            Recorder = Session.Recording!;
            var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Session.DtmfReceived += _ =>
            {
                held.TrySetResult();
                _release.Wait();
            };
            _peer.SendEvent(Session.LocalPort, 5000, 1, false, 160, marker: true);
            await held.Task.WaitAsync(Guard.Token);
            _handledBeforeRelease = Session.DatagramsHandled;
        }

        // Frames of voice (or silence) the loop cannot read yet.
        public void Queue(Func<int, short> value)
        {
            for (int k = 0; k < Frames; k++)
                _peer.SendAudio(Session.LocalPort, FirstTs + (uint)(160 * k), value(k));
            Assert.True(Session.Pair.RtpQueued());
        }

        // Lets the loop go on, and waits until it has handled the key press and the queued frames.
        public async Task ReleaseAsync()
        {
            _release.Set();
            await TestNet.WaitUntil(() => Session.DatagramsHandled >= _handledBeforeRelease + 1 + Frames, "the queued frames handled");
        }

        public async ValueTask DisposeAsync()
        {
            _release.Set();
            await Session.DisposeAsync();
            await _clock.DisposeAsync();
            _peer.Dispose();
            Guard.Dispose();
            Bye.Dispose();
            _release.Dispose();
        }
    }
}
