using OpenUM.Media.Audio;
using OpenUM.Media.Rtp;
using OpenUM.Media.Session;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Media.Tests;

// Recordings are bound to the clock: whatever the peer claims with its timestamps and packet sizes, a message is
// never longer than the time the recording ran (plus Recorder.JitterAllowance).
public sealed class RecordingClockTests : IDisposable
{
    private static readonly RecordingLimits Long = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5), '#');
    private readonly string _dir = Directory.CreateTempSubdirectory("openum-recclock-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string NewPath() => Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".wav");

    private static short Value(int k) => G711.MuLawToLinear((byte)(0x80 + 3 * k));

    private static IReadOnlyList<FakeLogRecord> Events(FakeLogger log, int id) => log.Records(id);

    [Fact]
    public async Task ATimestampJumpGetsNoMoreSilenceThanTheTimeThatPassed()
    {
        var log = new FakeLogger();
        await using var rig = await PacedRig.StartAsync(logger: log);
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = rig.Session.RecordAsync(path, Long, guard.Token);
        // Packets 0-4, then the timestamp leaps 0.9 s ahead while the packets keep coming every 20 ms.
        const uint jump = 7200;
        for (int k = 0; k < 10; k++)
        {
            uint ts = (uint)(160 * k) + (k >= 5 ? jump : 0);
            await rig.SendAsync(p => p.SendAudio(rig.Port, ts, Value(k)));
        }
        guard.Cancel();
        var result = await rec;

        // Packet 5 was held for reordering until packet 7 arrived: 60 ms after packet 4, so 480 samples of silence.
        var expected = new List<short>();
        for (int k = 0; k < 10; k++)
        {
            if (k == 5)
                expected.AddRange(new short[480]);
            expected.AddRange(Enumerable.Repeat(Value(k), 160));
        }
        Assert.Equal(expected.ToArray(), AudioClip.FromWavFile(path).Samples.ToArray());
        Assert.Equal(TimeSpan.FromMilliseconds(260), result.Duration);
        var clamped = Assert.Single(Events(log, 2318));
        Assert.Contains("00:00:00.84", clamped.Message, StringComparison.Ordinal); // 7200 - 480 samples not filled
    }

    [Fact]
    public async Task ATimestampJumpFloodIsBoundByTheClock()
    {
        var log = new FakeLogger();
        await using var rig = await PacedRig.StartAsync(logger: log);
        using var guard = TestNet.Guard();
        var rec = rig.Session.RecordAsync(NewPath(), Long, guard.Token);
        long start = rig.Time.GetTimestamp();
        // Every packet claims a gap of almost a second (each used to become a second of silence: 100 s from 2 s).
        for (int k = 0; k < 100; k++)
            await rig.SendAsync(p => p.SendAudio(rig.Port, (uint)(8000 * k), Value(k % 50)));
        var elapsed = rig.Time.GetElapsedTime(start);
        guard.Cancel();
        var result = await rec;

        Assert.Equal(TimeSpan.FromSeconds(2), elapsed);
        Assert.InRange(result.Duration, TimeSpan.FromSeconds(2), elapsed + Recorder.JitterAllowance);
        Assert.Single(Events(log, 2318));
    }

    [Fact]
    public async Task ABurstFasterThanTheClockIsCutAtTheJitterAllowance()
    {
        var log = new FakeLogger();
        await using var rig = await PacedRig.StartAsync(nextSeq: 0, logger: log);
        using var guard = TestNet.Guard();
        var rec = rig.Session.RecordAsync(NewPath(), Long, guard.Token);
        // Two seconds of audio in one instant.
        long before = rig.Session.DatagramsHandled;
        for (int k = 0; k < 100; k++)
            rig.Peer.SendAudio(rig.Port, (uint)(160 * k), Value(k % 50), seq: (ushort)k);
        await TestNet.WaitUntil(() => rig.Session.DatagramsHandled == before + 100, "the burst");
        guard.Cancel();
        var result = await rec;

        Assert.Equal(Recorder.JitterAllowance, result.Duration);
        Assert.Contains("00:00:01.5", Assert.Single(Events(log, 2318)).Message, StringComparison.Ordinal); // 75 packets dropped
    }

    [Fact]
    public async Task MaxDurationIsEnforcedOnTheClockWhateverTheSamplesSay()
    {
        await using var rig = await PacedRig.StartAsync();
        using var guard = TestNet.Guard();
        var rec = rig.Session.RecordAsync(NewPath(), new RecordingLimits(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1)), guard.Token);
        // Voice, but one 20 ms packet every half second, timestamps contiguous: the samples alone would take 100 s.
        for (int k = 0; k < 20 && !rec.IsCompleted; k++)
            await rig.SendAsync(p => p.SendAudio(rig.Port, (uint)(160 * k), 3000), TimeSpan.FromMilliseconds(500));
        var result = await rec.WaitAsync(guard.Token);
        Assert.Equal(RecordingStopReason.MaxDuration, result.Reason);
        Assert.InRange(result.Duration, TimeSpan.FromMilliseconds(80), TimeSpan.FromMilliseconds(100));
    }

    [Theory]
    [InlineData(20, 80, true)]
    [InlineData(20, 320, true)]
    [InlineData(20, 79, false)]
    [InlineData(20, 321, false)]
    [InlineData(40, 160, true)]
    [InlineData(40, 640, true)]
    [InlineData(40, 641, false)]
    [InlineData(10, 40, true)]
    [InlineData(10, 160, true)]
    [InlineData(10, 161, false)]
    public async Task PayloadSizesMustFitTheNegotiatedPtime(int ptime, int bytes, bool accepted)
    {
        await using var clock = new MediaClock();
        await using var s = MediaSession.Open(System.Net.IPAddress.Loopback, TestNet.Ports, clock, new FakeLogger());
        s.Start(TestNet.MediaTo(40000, ptime: ptime));
        var from = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 40000).Serialize();
        var packet = new byte[12 + 160];
        for (ushort k = 0; k < 4; k++)
        {
            RtpHeader.Write(packet, 0, false, k, 160u * k, 1);
            s.OnDatagram(packet, from);
        }
        var probe = new byte[12 + bytes];
        RtpHeader.Write(probe, 0, false, 4, 640, 1);
        s.OnDatagram(probe, from);
        Assert.Equal(accepted ? 0 : 1, s.Statistics.PayloadSizeRejected);
    }
}
