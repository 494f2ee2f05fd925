using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace OpenUM.Media.Tests;

// The per-packet paths must not allocate (thousands of calls x 50 packets/s each way).
public sealed class AllocationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("openum-alloc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ReceivingAndRecordingAPacketAllocatesNothing()
    {
        await using var clock = new MediaClock();
        await using var s = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, NullLogger.Instance);
        s.Start(TestNet.MediaTo(9));
        using var cts = new CancellationTokenSource();
        var rec = s.RecordAsync(Path.Combine(_dir, "r.wav"), new RecordingLimits(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5)), cts.Token);

        var packets = new byte[1000][];
        for (int k = 0; k < packets.Length; k++)
        {
            packets[k] = new byte[172];
            RtpHeader.Write(packets[k], 0, false, (ushort)k, (uint)(160 * k), 42);
            packets[k].AsSpan(12).Fill(G711.LinearToMuLaw((short)(k * 7)));
        }
        var from = new IPEndPoint(IPAddress.Loopback, 40000).Serialize();
        s.OnDatagram(packets[0], from); // latching logs and copies the address once
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 1; k < packets.Length; k++)
            s.OnDatagram(packets[k], from);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        cts.Cancel();
        var result = await rec;
        Assert.Equal(0, allocated);
        Assert.Equal(TimeSpan.FromSeconds(20), result.Duration);
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
