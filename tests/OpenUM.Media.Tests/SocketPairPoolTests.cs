using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Media.Session;

namespace OpenUM.Media.Tests;

// A range made with keepIdle keeps the bound RTP/RTCP socket pairs of ended sessions for the next ones: their loops go
// on reading, and what arrives while no session is attached is dropped, never handed to the next call.
public sealed class SocketPairPoolTests
{
    // 8 even ports: at most a quarter (2) are kept idle, whatever keepIdle says.
    private static RtpPortRange NewRange(int keepIdle, out int first)
    {
        first = 20000 + 16 * Random.Shared.Next(0, 600);
        return new RtpPortRange(first, first + 14, keepIdle);
    }

    [Fact]
    public async Task AnEndedSessionsPairServesTheNextOneAndWhatArrivedBetweenIsDropped()
    {
        await using var clock = new MediaClock();
        await using var range = NewRange(keepIdle: 2, out _);
        using var peer = new RawPeer();
        var first = MediaSession.Open(IPAddress.Loopback, range, clock, NullLogger.Instance);
        int port = first.LocalPort;
        first.Start(TestNet.MediaTo(peer.Port));
        await TestNet.LearnAsync(peer, first);
        await first.DisposeAsync();

        Assert.Equal(1, range.Idle);
        Assert.Equal(1, range.InUse); // the idle pair keeps its port
        var pair = Assert.Single(range.IdlePairs());
        peer.SendAudio(port, 0, 1000); // to nobody
        peer.SendRaw(new byte[28], port + 1);
        await TestNet.WaitUntil(() => pair.Dropped == 2, "both datagrams read and dropped");

        var second = MediaSession.Open(IPAddress.Loopback, range, clock, NullLogger.Instance);
        Assert.Equal(port, second.LocalPort);
        Assert.Equal(0, range.Idle);
        peer.SendAudio(port, 0, 1000); // before Start: dropped too
        await TestNet.WaitUntil(() => pair.Dropped == 3, "the datagram before Start dropped");
        second.Start(TestNet.MediaTo(peer.Port));
        await TestNet.LearnAsync(peer, second);
        Assert.Equal(MediaSourcePolicy.DefaultProbation, second.Statistics.PacketsReceived);
        Assert.Equal(0, second.Statistics.Malformed);
        await second.DisposeAsync();
        Assert.Equal(1, range.Idle);
    }

    [Fact]
    public async Task AtMostAQuarterOfTheRangeIsKeptAndTheRestIsClosedAndReturned()
    {
        await using var clock = new MediaClock();
        var range = NewRange(keepIdle: 100, out _);
        var sessions = Enumerable.Range(0, 3).Select(_ => MediaSession.Open(IPAddress.Loopback, range, clock, NullLogger.Instance)).ToList();
        foreach (var s in sessions)
            await s.DisposeAsync();

        Assert.Equal(2, range.Idle);
        Assert.Equal(2, range.InUse);
        var kept = range.IdlePairs().Select(p => p.Port).ToHashSet();
        int closed = Assert.Single(sessions, s => !kept.Contains(s.LocalPort)).LocalPort;
        AssertBindable(closed);

        await range.DisposeAsync();
        Assert.Equal(0, range.Idle);
        Assert.Equal(0, range.InUse);
        foreach (int port in kept)
            AssertBindable(port);
    }

    [Fact]
    public async Task ARangeWithoutKeepIdleClosesEveryPairAndADisposedRangeKeepsNone()
    {
        await using var clock = new MediaClock();
        var plain = NewRange(keepIdle: 0, out _);
        var s = MediaSession.Open(IPAddress.Loopback, plain, clock, NullLogger.Instance);
        await s.DisposeAsync();
        Assert.Equal(0, plain.Idle);
        Assert.Equal(0, plain.InUse);
        AssertBindable(s.LocalPort);

        var pooled = NewRange(keepIdle: 2, out _);
        var open = MediaSession.Open(IPAddress.Loopback, pooled, clock, NullLogger.Instance);
        await pooled.DisposeAsync(); // the server stops while a call is still up
        await open.DisposeAsync();
        Assert.Equal(0, pooled.Idle);
        Assert.Equal(0, pooled.InUse);
        AssertBindable(open.LocalPort);
    }

    [Fact]
    public async Task AnIdlePairServesOnlySessionsOnItsOwnAddress()
    {
        await using var clock = new MediaClock();
        await using var range = NewRange(keepIdle: 2, out _);
        var a = MediaSession.Open(IPAddress.Loopback, range, clock, NullLogger.Instance);
        await a.DisposeAsync();
        var other = IPAddress.Parse("127.0.0.2"); // another loopback address stands in for another interface
        await using var b = MediaSession.Open(other, range, clock, NullLogger.Instance);
        Assert.Equal(other, b.LocalAddress);
        Assert.NotEqual(a.LocalPort, b.LocalPort);
        Assert.Equal(1, range.Idle);
    }

    [Fact]
    public async Task DisposeWaitsForTheDatagramBeingHandledAndAHandlerMayDisposeItsOwnSession()
    {
        await using var clock = new MediaClock();
        await using var range = NewRange(keepIdle: 2, out _);
        using var peer = new RawPeer();
        using var guard = TestNet.Guard();
        var held = MediaSession.Open(IPAddress.Loopback, range, clock, NullLogger.Instance);
        held.Start(TestNet.MediaTo(peer.Port));
        using var release = new ManualResetEventSlim();
        var inHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        held.DtmfReceived += _ =>
        {
            inHandler.TrySetResult();
            release.Wait();
        };
        await TestNet.LearnAsync(peer, held);
        peer.SendEvent(held.LocalPort, 5000, 1, false, 160, marker: true);
        await inHandler.Task.WaitAsync(guard.Token);
        var dispose = held.DisposeAsync().AsTask();
        Assert.False(dispose.IsCompleted); // the key press is still being handled
        Assert.Equal(0, range.Idle);       // so the pair cannot serve another call yet
        release.Set();
        await dispose.WaitAsync(guard.Token);
        Assert.Equal(1, range.Idle);

        // A handler that ends its own call, on the receive thread: no wait for itself.
        var next = MediaSession.Open(IPAddress.Loopback, range, clock, NullLogger.Instance);
        next.Start(TestNet.MediaTo(peer.Port));
        var ended = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        next.DtmfReceived += _ => ended.TrySetResult(next.DisposeAsync().AsTask());
        await TestNet.LearnAsync(peer, next);
        peer.SendEvent(next.LocalPort, 9000, 2, false, 160, marker: true);
        await (await ended.Task.WaitAsync(guard.Token)).WaitAsync(guard.Token);
        Assert.Equal(1, range.Idle);
    }

    [Fact]
    public async Task APairWhoseLoopEndedIsClosedNotKept()
    {
        await using var clock = new MediaClock();
        await using var range = NewRange(keepIdle: 2, out _);
        var s = MediaSession.Open(IPAddress.Loopback, range, clock, NullLogger.Instance);
        Assert.True(s.Pair.Receiving);
        s.Pair.Rtp.Dispose(); // the RTP loop ends (a receive failure would end it the same way)
        await TestNet.WaitUntil(() => !s.Pair.Receiving, "the RTP loop ended");
        await s.DisposeAsync();
        Assert.Equal(0, range.Idle);
        Assert.Equal(0, range.InUse);
    }

    private static void AssertBindable(int port)
    {
        using var rtp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        rtp.Bind(new IPEndPoint(IPAddress.Loopback, port));
        using var rtcp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        rtcp.Bind(new IPEndPoint(IPAddress.Loopback, port + 1));
    }
}
