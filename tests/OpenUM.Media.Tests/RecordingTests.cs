using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

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
        await using var clock = new MediaClock();
        using var peer = new RawPeer();
        await using var s = Open(clock, peer);
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = s.RecordAsync(path, Long, guard.Token);

        const uint t0 = 0xFFFFFE00; // crosses the 32-bit timestamp wrap on purpose
        // Packets 0..9 of 160 samples; 2 and 3 swapped, 5 lost; then a 2 s jump (not filled) for 10 and 11.
        int[] order = [0, 1, 3, 2, 4, 6, 7, 8, 9];
        ushort seq = 500;
        foreach (int k in order)
            peer.SendAudio(s.LocalPort, t0 + (uint)(160 * k), Value(k), seq: (ushort)(seq + k));
        peer.SendAudio(s.LocalPort, unchecked(t0 + 160 * 10 + 16000), Value(10), seq: (ushort)(seq + 10));
        peer.SendAudio(s.LocalPort, unchecked(t0 + 160 * 11 + 16000), Value(11), seq: (ushort)(seq + 11));
        await TestNet.WaitUntil(() => s.Statistics.PacketsReceived == 11, "11 packets");
        guard.Cancel();
        var result = await rec;

        Assert.Equal(RecordingStopReason.Cancelled, result.Reason);
        var expected = new List<short>();
        for (int k = 0; k < 12; k++)
            expected.AddRange(Enumerable.Repeat(k == 5 ? (short)0 : Value(k), 160));
        var samples = AudioClip.FromWavFile(path).Samples.ToArray();
        Assert.Equal(expected.ToArray(), samples);
        Assert.Equal(TimeSpan.FromMilliseconds(240), result.Duration);
        Assert.Equal(1, s.Statistics.PacketsLost);
    }

    [Fact]
    public async Task DuplicatesAndLatePacketsAreNotWrittenTwice()
    {
        await using var clock = new MediaClock();
        using var peer = new RawPeer();
        await using var s = Open(clock, peer);
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = s.RecordAsync(path, Long, guard.Token);
        peer.SendAudio(s.LocalPort, 1000, Value(0), seq: 1);
        peer.SendAudio(s.LocalPort, 1160, Value(1), seq: 2);
        peer.SendAudio(s.LocalPort, 1160, Value(1), seq: 2);  // duplicate
        peer.SendAudio(s.LocalPort, 1000, Value(9), seq: 3);  // old timestamp, new seq: late audio, dropped
        peer.SendAudio(s.LocalPort, 1320, Value(2), seq: 4);
        await TestNet.WaitUntil(() => s.Statistics.PacketsReceived == 5, "5 packets");
        guard.Cancel();
        await rec;
        var expected = new[] { 0, 1, 2 }.SelectMany(k => Enumerable.Repeat(Value(k), 160)).ToArray();
        Assert.Equal(expected, AudioClip.FromWavFile(path).Samples.ToArray());
    }

    [Fact]
    public async Task DtmfIsReportedOncePerKeyPressAndHashStopsTheRecording()
    {
        await using var clock = new MediaClock();
        using var peer = new RawPeer();
        await using var s = Open(clock, peer);
        var digits = new List<char>();
        s.DtmfReceived += d => { lock (digits) digits.Add(d); };
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = s.RecordAsync(path, Long, guard.Token);

        peer.SendAudio(s.LocalPort, 8000, Value(1));
        // Key "1": start (marker), continuation, end sent three times (RFC 4733 §2.5.1.4).
        peer.SendEvent(s.LocalPort, 8160, 1, false, 160, marker: true);
        peer.SendEvent(s.LocalPort, 8160, 1, false, 320);
        for (int i = 0; i < 3; i++)
            peer.SendEvent(s.LocalPort, 8160, 1, true, 480);
        // Key "1" again: first packet lost, only the end packets arrive.
        for (int i = 0; i < 3; i++)
            peer.SendEvent(s.LocalPort, 9600, 1, true, 480);
        // A late retransmission of the first press must not count again; nor must hook flash (event 16).
        peer.SendEvent(s.LocalPort, 8160, 1, true, 480);
        peer.SendEvent(s.LocalPort, 11000, 16, false, 160, marker: true);
        peer.SendAudio(s.LocalPort, 12000, Value(2));
        await TestNet.WaitUntil(() => s.Statistics.PacketsReceived == 12, "12 packets");
        Assert.False(rec.IsCompleted);
        peer.SendEvent(s.LocalPort, 12160, 11, false, 160, marker: true);
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
        await using var clock = new MediaClock();
        using var peer = new RawPeer();
        await using var s = Open(clock, peer);
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = s.RecordAsync(path, Long, guard.Token);
        peer.SendAudio(s.LocalPort, 1000, Value(1), seq: 1);
        peer.SendAudio(s.LocalPort, 1160, Value(2), seq: 2);
        peer.Ssrc = 0xABCDEF01; // e.g. the PBX transferred the call to another media source
        peer.SendAudio(s.LocalPort, 777_000, Value(3), seq: 40000);
        peer.SendAudio(s.LocalPort, 777_160, Value(4), seq: 40001);
        await TestNet.WaitUntil(() => s.Statistics.PacketsReceived == 4, "4 packets");
        guard.Cancel();
        await rec;
        var expected = new[] { 1, 2, 3, 4 }.SelectMany(k => Enumerable.Repeat(Value(k), 160)).ToArray();
        Assert.Equal(expected, AudioClip.FromWavFile(path).Samples.ToArray());
        Assert.Equal(0, s.Statistics.PacketsLost);
    }

    [Fact]
    public async Task MaxDurationTruncatesExactly()
    {
        await using var clock = new MediaClock();
        using var peer = new RawPeer();
        await using var s = Open(clock, peer, AudioCodec.Pcma);
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = s.RecordAsync(path, new RecordingLimits(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)), guard.Token);
        var payload = new byte[160];
        Array.Fill(payload, G711.LinearToALaw(1000));
        for (int k = 0; k < 60; k++)
            peer.SendRtp(s.LocalPort, 8, (uint)(160 * k), payload);
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
        await using var clock = new MediaClock();
        using var peer = new RawPeer();
        await using var s = Open(clock, peer);
        using var guard = TestNet.Guard();
        var path = NewPath();
        var rec = s.RecordAsync(path, Long, guard.Token);
        peer.SendRaw([0x80, 0x00, 0x01], s.LocalPort);                               // short
        peer.SendRaw(Convert.FromHexString("400000010000000000000001FFFF"), s.LocalPort); // version 1
        peer.SendRaw(Convert.FromHexString("A00000010000000000000001FF09"), s.LocalPort); // bad padding
        peer.SendRaw(new byte[5000], s.LocalPort);                                    // oversized
        peer.SendRtp(s.LocalPort, 101, 50, [1, 2, 3]);                                // truncated RFC 4733 payload
        peer.SendRtp(s.LocalPort, 18, 50, new byte[20]);                              // G.729: not negotiated
        peer.SendRtp(s.LocalPort, 13, 50, [40]);                                      // comfort noise
        peer.SendRaw(Convert.FromHexString("80C8000600000001"), s.LocalPort);          // RTCP SR, muxed: ignored
        peer.SendAudio(s.LocalPort, 100, Value(4));
        await TestNet.WaitUntil(() => s.Statistics.PacketsReceived == 9, "9 datagrams");
        guard.Cancel();
        await rec;
        var st = s.Statistics;
        Assert.Equal(5, st.Malformed);
        Assert.Equal(3, st.Ignored);
        Assert.Equal(Enumerable.Repeat(Value(4), 160), AudioClip.FromWavFile(path).Samples.ToArray());
    }

    [Fact]
    public async Task LossIsCountedFromSequenceGapsPerSsrc()
    {
        await using var clock = new MediaClock();
        using var peer = new RawPeer();
        await using var s = Open(clock, peer);
        foreach (ushort seq in new ushort[] { 65534, 65535, 2, 3 }) // wraps; 0 and 1 missing
            peer.SendAudio(s.LocalPort, (uint)(seq * 160), 0, seq: seq);
        await TestNet.WaitUntil(() => s.Statistics.PacketsReceived == 4, "4 packets");
        Assert.Equal(2, s.Statistics.PacketsLost);
        peer.Ssrc = 0x99;
        peer.SendAudio(s.LocalPort, 0, 0, seq: 10);
        peer.SendAudio(s.LocalPort, 160, 0, seq: 11);
        peer.SendAudio(s.LocalPort, 480, 0, seq: 13);
        await TestNet.WaitUntil(() => s.Statistics.PacketsReceived == 7, "7 packets");
        Assert.Equal(3, s.Statistics.PacketsLost);
    }

    [Fact]
    public async Task IdleTimeoutCountsOnlyVoiceAsActivity()
    {
        var time = new FakeTimeProvider();
        await using var clock = new MediaClock(time);
        using var peer = new RawPeer();
        await using var s = Open(clock, peer);
        using var guard = TestNet.Guard();
        var rec = s.RecordAsync(NewPath(), new RecordingLimits(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5)), guard.Token);

        for (int k = 0; k < 3; k++)
            peer.SendAudio(s.LocalPort, (uint)(160 * k), 3000);
        await TestNet.WaitUntil(() => s.Statistics.PacketsReceived == 3, "voice");
        time.Advance(TimeSpan.FromSeconds(4));
        peer.SendAudio(s.LocalPort, 480, 3000);
        await TestNet.WaitUntil(() => s.Statistics.PacketsReceived == 4, "more voice");
        time.Advance(TimeSpan.FromSeconds(4)); // 8 s since start, 4 s since voice
        await Task.Delay(50);
        Assert.False(rec.IsCompleted);

        // Silence (-60 dBFS and digital zero) keeps arriving but does not count as activity.
        for (int k = 4; k < 8; k++)
            peer.SendAudio(s.LocalPort, (uint)(160 * k), (short)(k % 2 == 0 ? 30 : 0));
        await TestNet.WaitUntil(() => s.Statistics.PacketsReceived == 8, "silence");
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
}
