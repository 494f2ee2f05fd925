using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Media.Audio;
using OpenUM.Media.Rtp;
using OpenUM.Media.Session;
using OpenUM.Media.Srtp;
using OpenUM.Media.Tests.Srtp;

namespace OpenUM.Media.Tests;

// The per-packet paths must not allocate (thousands of calls x 50 packets/s each way).
public sealed class AllocationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("openum-alloc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ReceivingAndRecordingAPacketAllocatesNothing()
    {
        // Time moves 20 ms per packet, as in a call: the recording is bound to the clock.
        var time = new ManualTime();
        await using var clock = new MediaClock(time);
        await using var s = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, NullLogger.Instance);
        s.Start(TestNet.MediaTo(9));
        var packets = new byte[1000][];
        for (int k = 0; k < packets.Length; k++)
        {
            packets[k] = new byte[172];
            RtpHeader.Write(packets[k], 0, false, (ushort)k, (uint)(160 * k), 42);
            packets[k].AsSpan(12).Fill(G711.LinearToMuLaw((short)(k * 7)));
        }
        var from = new IPEndPoint(IPAddress.Loopback, 40000).Serialize();
        // Learning the source copies its address and logs once.
        for (int k = 0; k < MediaSourcePolicy.DefaultProbation; k++)
            s.OnDatagram(packets[k], from);
        using var cts = new CancellationTokenSource();
        var rec = s.RecordAsync(Path.Combine(_dir, "r.wav"), new RecordingLimits(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5)), cts.Token);

        // A stranger on the same host (competing) and another host (not allowed), and oversized audio from the learned
        // source, all interleaved: what a hostile peer sends must not allocate either (it is counted, not logged here).
        var stranger = new IPEndPoint(IPAddress.Loopback, 40002).Serialize();
        var otherHost = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 40000).Serialize();
        var oversized = new byte[12 + 700]; // within the receive buffer, over twice the 20 ms frame
        RtpHeader.Write(oversized, 0, false, 1, 1, 42);
        s.OnDatagram(packets[0], stranger);  // the first of each kind copies the address once
        s.OnDatagram(packets[0], otherHost);
        int start = MediaSourcePolicy.DefaultProbation;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = start; k < packets.Length; k++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            s.OnDatagram(packets[k], from);
            s.OnDatagram(packets[k], stranger);
            s.OnDatagram(packets[k], otherHost);
            s.OnDatagram(oversized, from);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        cts.Cancel();
        var result = await rec;
        Assert.Equal(0, allocated);
        Assert.Equal(TimeSpan.FromMilliseconds(20 * (packets.Length - start)), result.Duration);
        Assert.Equal(2 * (packets.Length - start) + 2, s.Statistics.UnexpectedSource);
        Assert.Equal(packets.Length - start, s.Statistics.PayloadSizeRejected);
    }

    [Fact]
    public async Task WatchingForTheFaxToneAllocatesNothing()
    {
        // The fax tone detector runs on every audio packet of a voice mail call, greeting and recording alike: 950
        // packets of a 1000 Hz tone (the full analysis, never a detection), then 1100 Hz until it is declared, all
        // while recording; the detection and its event happen inside the measured loop.
        var time = new ManualTime();
        await using var clock = new MediaClock(time);
        await using var s = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, NullLogger.Instance);
        s.Start(TestNet.MediaTo(9));
        const int count = 1000, tonePackets = 950;
        var packets = new byte[count][];
        for (int k = 0; k < count; k++)
        {
            packets[k] = new byte[172];
            RtpHeader.Write(packets[k], 0, false, (ushort)k, (uint)(160 * k), 42);
            int hz = k < tonePackets ? 1000 : 1100;
            for (int i = 0; i < 160; i++)
                packets[k][12 + i] = G711.LinearToMuLaw((short)(8000 * Math.Sin(2 * Math.PI * hz * (160 * k + i) / 8000.0)));
        }
        var from = new IPEndPoint(IPAddress.Loopback, 40000).Serialize();
        for (int k = 0; k < MediaSourcePolicy.DefaultProbation; k++)
            s.OnDatagram(packets[k], from);
        int detected = 0;
        s.FaxToneDetected += () => detected++;
        s.StartFaxToneDetection();
        using var cts = new CancellationTokenSource();
        var rec = s.RecordAsync(Path.Combine(_dir, "f.wav"), new RecordingLimits(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5)), cts.Token);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = MediaSourcePolicy.DefaultProbation; k < count; k++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            s.OnDatagram(packets[k], from);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        cts.Cancel();
        await rec;
        Assert.Equal(0, allocated);
        Assert.Equal(1, detected);
        // Started again it hears the next burst afresh; stopped, it hears nothing.
        int seq = count;
        void Burst()
        {
            for (int k = 0; k < 30; k++, seq++)
            {
                var again = (byte[])packets[tonePackets + k].Clone();
                RtpHeader.Write(again, 0, false, (ushort)seq, (uint)(160 * seq), 42);
                s.OnDatagram(again, from);
            }
        }
        s.StartFaxToneDetection();
        Burst();
        Assert.Equal(2, detected);
        s.StartFaxToneDetection();
        s.StopFaxToneDetection();
        Burst();
        Assert.Equal(2, detected);
    }

    [Fact]
    public async Task ReceivingSrtpAllocatesNothing()
    {
        // The receiver checks SRTP before anything else: authenticated audio, SRTCP multiplexed on the RTP port
        // (RFC 5761) and forged packets (counted, not logged here) all take that step, and none of them may allocate.
        const SrtpSuite suite = SrtpSuite.AesCm128HmacSha1_80;
        var peerKey = SrtpMasterKey.Generate(suite);
        using var peer = new SrtpContext(new SrtpPolicy(peerKey));
        await using var clock = new MediaClock();
        await using var s = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, NullLogger.Instance);
        s.Start(TestNet.MediaTo(9) with { Srtp = new SrtpSession(suite, new SrtpPolicy(SrtpMasterKey.Generate(suite)), new SrtpPolicy(peerKey)) });
        const int count = 1000, warmUp = 10;
        var audio = new byte[count][];
        var reports = new byte[count][];
        var forged = new byte[count][];
        for (int k = 0; k < count; k++)
        {
            audio[k] = SrtpTestPackets.ProtectRtp(peer, SrtpTestPackets.RtpPacket((ushort)k, 42), 172);
            reports[k] = SrtpTestPackets.ProtectRtcp(peer, SrtpTestPackets.Rtcp(42), 32);
            forged[k] = [.. audio[k]];
            forged[k][^1] ^= 0xFF;
        }
        var from = new IPEndPoint(IPAddress.Loopback, 9).Serialize();
        // The first authenticated packet learns the source (an address copy and a log line).
        for (int k = 0; k < warmUp; k++)
        {
            s.OnDatagram(forged[k], from);
            s.OnDatagram(audio[k], from);
            s.OnDatagram(reports[k], from);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = warmUp; k < count; k++)
        {
            s.OnDatagram(forged[k], from);
            s.OnDatagram(audio[k], from);
            s.OnDatagram(reports[k], from);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        var srtp = s.SrtpStatistics;
        Assert.Equal(count, srtp.RtpAuthenticationFailures);
        Assert.Equal(count, srtp.RtcpPackets);
        Assert.Equal(count, srtp.Rejected);
        // Only the reports are ignored: every authenticated audio packet was taken, none held back or lost.
        var stats = s.Statistics;
        Assert.Equal(count, stats.Ignored);
        Assert.Equal(0, stats.UnexpectedSource + stats.Malformed + stats.PacketsLost);
    }

    [Fact]
    public async Task SendingAFrameAllocatesNothing()
    {
        var time = new FakeTimeProvider();
        await using var clock = new MediaClock(time); // fake time: its own loop ticks once and then waits
        await using var s = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, NullLogger.Instance);
        using var sink = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        s.Start(TestNet.MediaTo(((IPEndPoint)sink.Client.LocalEndPoint!).Port));
        var play = s.PlayAsync(AudioClip.Tone(440, TimeSpan.FromSeconds(60)), CancellationToken.None);
        IPacedSource source = s;
        long step = time.TimestampFrequency / 50;
        long now = time.GetTimestamp() + step;
        source.OnTick(now);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++)
        {
            now += step;
            source.OnTick(now);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.InRange(s.Statistics.PacketsSent, 501, 503);
        await s.DisposeAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => play);
    }
}
