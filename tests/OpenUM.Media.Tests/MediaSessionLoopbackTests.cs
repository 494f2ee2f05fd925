using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Media.Audio;
using OpenUM.Media.Rtp;
using OpenUM.Media.Session;

namespace OpenUM.Media.Tests;

public sealed class MediaSessionLoopbackTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("openum-media-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static MediaSession Open(MediaClock clock) =>
        MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, NullLogger.Instance);

    [Theory]
    [InlineData(AudioCodec.Pcmu)]
    [InlineData(AudioCodec.Pcma)]
    public async Task PlayedToneIsRecordedOnTheOtherSideAndHashStopsIt(AudioCodec codec)
    {
        await using var clock = new MediaClock();
        await using var a = Open(clock);
        await using var b = Open(clock);
        Assert.Equal(0, a.LocalPort % 2);
        a.Start(TestNet.MediaTo(b.LocalPort, codec));
        b.Start(TestNet.MediaTo(a.LocalPort, codec));
        var digits = new List<char>();
        b.DtmfReceived += d => { lock (digits) digits.Add(d); };

        using var guard = TestNet.Guard();
        var path = Path.Combine(_dir, "tone.wav");
        var recording = b.RecordAsync(path, new RecordingLimits(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30), '#'), guard.Token);
        var tone = AudioClip.Tone(440, TimeSpan.FromSeconds(1), 0.3);
        await a.PlayAsync(tone, guard.Token);
        await a.SendDtmfAsync('#', guard.Token);
        var result = await recording;

        Assert.Equal(RecordingStopReason.StopDigit, result.Reason);
        Assert.Equal(path, result.WavPath);
        var recorded = AudioClip.FromWavFile(path).Samples.ToArray();
        Assert.Equal(result.Duration, TimeSpan.FromSeconds(recorded.Length / 8000.0));

        // What the far end should hear: the tone through one G.711 encode/decode, without the first frames, which
        // only made b learn where a sends from (probation).
        var codes = new byte[tone.Samples.Length];
        G711.Encode(tone.Samples.Span, codes, codec);
        var decoded = new short[codes.Length];
        G711.Decode(codes, decoded, codec);
        var expected = decoded[((MediaSourcePolicy.DefaultProbation - 1) * 160)..];
        Assert.InRange(recorded.Length, expected.Length - 160, expected.Length + 160);
        Assert.True(Correlation(expected, recorded) > 0.99, $"correlation {Correlation(expected, recorded)}");

        // 50 audio packets + 7 telephone-event packets (4 + 3 end packets), one key press reported.
        await TestNet.WaitUntil(() => b.Statistics.PacketsReceived == a.Statistics.PacketsSent, "all packets delivered");
        Assert.Equal(57, a.Statistics.PacketsSent);
        Assert.Equal(['#'], digits);
        Assert.Equal(0, b.Statistics.PacketsLost);
        Assert.Equal(0, b.Statistics.Malformed);
    }

    [Fact]
    public async Task Ipv6LoopbackWorks()
    {
        await using var clock = new MediaClock();
        await using var a = MediaSession.Open(IPAddress.IPv6Loopback, TestNet.Ports, clock, NullLogger.Instance);
        await using var b = MediaSession.Open(IPAddress.IPv6Loopback, TestNet.Ports, clock, NullLogger.Instance);
        a.Start(new NegotiatedMedia(AudioCodec.Pcma, 8, 101, new IPEndPoint(IPAddress.IPv6Loopback, b.LocalPort), MediaDirection.SendRecv, 20));
        b.Start(new NegotiatedMedia(AudioCodec.Pcma, 8, 101, new IPEndPoint(IPAddress.IPv6Loopback, a.LocalPort), MediaDirection.SendRecv, 20));
        var got = new TaskCompletionSource<char>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.DtmfReceived += d => got.TrySetResult(d);
        using var guard = TestNet.Guard();
        await a.PlayAsync(AudioClip.Tone(1000, TimeSpan.FromMilliseconds(60)), guard.Token);
        await a.SendDtmfAsync('D', guard.Token);
        Assert.Equal('D', await got.Task.WaitAsync(guard.Token));
        await TestNet.WaitUntil(() => b.Statistics.PacketsReceived == 10, "3 audio + 7 event packets");
    }

    [Fact]
    public async Task PlayingOnADisposedClockFails()
    {
        var clock = new MediaClock();
        await using var a = Open(clock);
        a.Start(TestNet.MediaTo(9));
        await clock.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => { _ = a.PlayAsync(AudioClip.Silence(TimeSpan.FromSeconds(1)), CancellationToken.None); });
    }

    [Fact]
    public async Task TwoQueuedClipsPlayInOrderAndPartialFramesArePadded()
    {
        await using var clock = new MediaClock();
        await using var a = Open(clock);
        using var peer = new RawPeer();
        a.Start(TestNet.MediaTo(peer.Port));
        using var guard = TestNet.Guard();
        var first = a.PlayAsync(AudioClip.Tone(1000, TimeSpan.FromMilliseconds(50)), guard.Token); // 2.5 frames -> 3
        var second = a.PlayAsync(AudioClip.Silence(TimeSpan.FromMilliseconds(40)), guard.Token);   // 2 frames
        await first;
        Assert.InRange(a.Statistics.PacketsSent, 3, 5);
        await second;
        Assert.Equal(5, a.Statistics.PacketsSent);

        var packets = new List<byte[]>();
        for (int i = 0; i < 5; i++)
            packets.Add(await peer.ReceiveAsync(guard.Token));
        var headers = packets.Select(p => { Assert.True(RtpHeader.TryParse(p, out var h)); return h; }).ToList();
        Assert.True(headers[0].Marker);
        Assert.All(headers.Skip(1), h => Assert.False(h.Marker));
        for (int i = 1; i < 5; i++)
        {
            Assert.Equal((ushort)(headers[0].SequenceNumber + i), headers[i].SequenceNumber);
            Assert.Equal(headers[0].Timestamp + (uint)(160 * i), headers[i].Timestamp);
            Assert.Equal(headers[0].Ssrc, headers[i].Ssrc);
        }
        Assert.All(packets, p => Assert.Equal(172, p.Length));
        Assert.All(packets[2].AsSpan(12 + 80).ToArray(), b => Assert.Equal(G711.MuLawSilence, b)); // padding of the 3rd frame
    }

    [Fact]
    public async Task SendDtmfFollowsRfc4733()
    {
        await using var clock = new MediaClock();
        await using var a = Open(clock);
        using var peer = new RawPeer();
        a.Start(TestNet.MediaTo(peer.Port));
        using var guard = TestNet.Guard();
        await a.SendDtmfAsync('5', guard.Token);
        var hs = new List<(RtpHeader H, TelephoneEvent E)>();
        for (int i = 0; i < 7; i++)
        {
            var p = await peer.ReceiveAsync(guard.Token);
            Assert.True(RtpHeader.TryParse(p, out var h));
            Assert.True(TelephoneEvent.TryParse(p.AsSpan(h.HeaderLength, h.PayloadLength), out var e));
            hs.Add((h, e));
        }
        Assert.All(hs, x => Assert.Equal(101, x.H.PayloadType));
        Assert.All(hs, x => Assert.Equal(5, x.E.Event));
        Assert.All(hs, x => Assert.Equal(hs[0].H.Timestamp, x.H.Timestamp));
        Assert.Equal([true, false, false, false, false, false, false], hs.Select(x => x.H.Marker));
        Assert.Equal([160, 320, 480, 640, 800, 800, 800], hs.Select(x => (int)x.E.Duration));
        Assert.Equal([false, false, false, false, true, true, true], hs.Select(x => x.E.End));
        for (int i = 1; i < 7; i++)
            Assert.Equal((ushort)(hs[0].H.SequenceNumber + i), hs[i].H.SequenceNumber);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = a.SendDtmfAsync('x', guard.Token); });
    }

    [Fact]
    public async Task SendDtmfWithoutTelephoneEventFails()
    {
        await using var clock = new MediaClock();
        await using var a = Open(clock);
        a.Start(TestNet.MediaTo(9, te: null));
        Assert.Throws<InvalidOperationException>(() => { _ = a.SendDtmfAsync('1', CancellationToken.None); });
    }

    [Fact]
    public void SameHostComparesOnlyTheAddress()
    {
        static System.Net.SocketAddress Sa(string ip, int port) => new IPEndPoint(IPAddress.Parse(ip), port).Serialize();
        Assert.True(RtpSourceLearning.SameHost(Sa("192.0.2.1", 4000), Sa("192.0.2.1", 5000)));
        Assert.False(RtpSourceLearning.SameHost(Sa("192.0.2.1", 4000), Sa("192.0.2.2", 4000)));
        Assert.True(RtpSourceLearning.SameHost(Sa("2001:db8::1", 4000), Sa("2001:db8::1", 6000)));
        Assert.False(RtpSourceLearning.SameHost(Sa("2001:db8::1", 4000), Sa("2001:db8::2", 4000)));
        Assert.True(RtpSourceLearning.SameHost(Sa("::ffff:192.0.2.1", 4000), Sa("::ffff:192.0.2.1", 7000)));
        Assert.False(RtpSourceLearning.SameHost(Sa("::ffff:192.0.2.1", 4000), Sa("192.0.2.1", 4000)));
    }

    [Fact]
    public async Task HoldStopsSendingButPlaybackCompletes()
    {
        await using var clock = new MediaClock();
        await using var a = Open(clock);
        using var peer = new RawPeer();
        a.Start(TestNet.MediaTo(peer.Port));
        using var guard = TestNet.Guard();
        await a.PlayAsync(AudioClip.Silence(TimeSpan.FromMilliseconds(40)), guard.Token);
        Assert.Equal(2, a.Statistics.PacketsSent);
        a.Update(TestNet.MediaTo(peer.Port, direction: MediaDirection.RecvOnly));
        await a.PlayAsync(AudioClip.Silence(TimeSpan.FromMilliseconds(60)), guard.Token);
        Assert.Equal(2, a.Statistics.PacketsSent);
        a.Update(TestNet.MediaTo(peer.Port));
        await a.PlayAsync(AudioClip.Silence(TimeSpan.FromMilliseconds(20)), guard.Token);
        Assert.Equal(3, a.Statistics.PacketsSent);
    }

    [Fact]
    public async Task CancelledPlaybackThrowsAndTheSessionKeepsWorking()
    {
        await using var clock = new MediaClock();
        await using var a = Open(clock);
        using var peer = new RawPeer();
        a.Start(TestNet.MediaTo(peer.Port));
        using var cts = new CancellationTokenSource();
        var longPlay = a.PlayAsync(AudioClip.Silence(TimeSpan.FromSeconds(30)), cts.Token);
        await TestNet.WaitUntil(() => a.Statistics.PacketsSent > 0, "playback started");
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => longPlay);
        await TestNet.WaitUntil(() => clock.ActiveCount == 0, "clock idle after the cancelled clip");
        using var guard = TestNet.Guard();
        long before = a.Statistics.PacketsSent;
        await a.PlayAsync(AudioClip.Silence(TimeSpan.FromMilliseconds(20)), guard.Token);
        Assert.Equal(before + 1, a.Statistics.PacketsSent);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a.PlayAsync(AudioClip.Silence(TimeSpan.FromSeconds(1)), cts.Token));
    }

    [Fact]
    public async Task DisposeCancelsPlaybackAndRecording()
    {
        await using var clock = new MediaClock();
        var a = Open(clock);
        a.Start(TestNet.MediaTo(9));
        var play = a.PlayAsync(AudioClip.Silence(TimeSpan.FromSeconds(30)), CancellationToken.None);
        var path = Path.Combine(_dir, "disposed.wav");
        var rec = a.RecordAsync(path, new RecordingLimits(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)), CancellationToken.None);
        await a.DisposeAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => play);
        var result = await rec;
        Assert.Equal(RecordingStopReason.Cancelled, result.Reason);
        Assert.Equal(TimeSpan.Zero, result.Duration);
        Assert.Empty(AudioClip.FromWavFile(path).Samples.ToArray());
        Assert.Throws<ObjectDisposedException>(() => { _ = a.PlayAsync(AudioClip.Silence(TimeSpan.FromSeconds(1)), CancellationToken.None); });
    }

    [Fact]
    public async Task MisuseIsReported()
    {
        await using var clock = new MediaClock();
        await using var a = Open(clock);
        var clip = AudioClip.Silence(TimeSpan.FromMilliseconds(20));
        Assert.Throws<InvalidOperationException>(() => { _ = a.PlayAsync(clip, CancellationToken.None); });
        await Assert.ThrowsAsync<InvalidOperationException>(() => a.RecordAsync(Path.Combine(_dir, "x.wav"),
            new RecordingLimits(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)), CancellationToken.None));
        Assert.Throws<InvalidOperationException>(() => a.Update(TestNet.MediaTo(9)));
        a.Start(TestNet.MediaTo(9));
        Assert.Throws<InvalidOperationException>(() => a.Start(TestNet.MediaTo(9)));
        using var cts = new CancellationTokenSource();
        var first = a.RecordAsync(Path.Combine(_dir, "1.wav"), new RecordingLimits(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60)), cts.Token);
        await Assert.ThrowsAsync<InvalidOperationException>(() => a.RecordAsync(Path.Combine(_dir, "2.wav"),
            new RecordingLimits(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60)), CancellationToken.None));
        cts.Cancel();
        Assert.Equal(RecordingStopReason.Cancelled, (await first).Reason);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => a.RecordAsync(Path.Combine(_dir, "3.wav"),
            new RecordingLimits(TimeSpan.Zero, TimeSpan.FromSeconds(1)), CancellationToken.None));
    }

    [Fact]
    public async Task OpenSkipsPortsTakenByOthersAndFailsWhenNoneIsLeft()
    {
        await using var clock = new MediaClock();
        int first = 20000 + 2 * Random.Shared.Next(0, 5000);
        var range = new RtpPortRange(first, first + 2);
        using var blocker = new System.Net.Sockets.UdpClient();
        try
        {
            blocker.Client.Bind(new IPEndPoint(IPAddress.Loopback, first));
        }
        catch (System.Net.Sockets.SocketException)
        {
            return; // someone else has it, which blocks it just as well
        }
        await using (var s = MediaSession.Open(IPAddress.Loopback, range, clock, NullLogger.Instance))
        {
            Assert.Equal(first + 2, s.LocalPort);
            var ex = Assert.Throws<System.Net.Sockets.SocketException>(() => MediaSession.Open(IPAddress.Loopback, range, clock, NullLogger.Instance));
            Assert.Contains(first.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        }
        Assert.Equal(0, range.InUse);
    }

    private static double Correlation(short[] x, short[] y)
    {
        int n = Math.Min(x.Length, y.Length);
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            sxy += (double)x[i] * y[i];
            sxx += (double)x[i] * x[i];
            syy += (double)y[i] * y[i];
        }
        return sxy / Math.Sqrt(sxx * syy);
    }
}
