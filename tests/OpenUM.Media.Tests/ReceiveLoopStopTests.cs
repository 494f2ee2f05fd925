using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Media.Audio;
using OpenUM.Media.Rtp;
using OpenUM.Media.Session;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Media.Tests;

// First-chance exceptions are process-wide: these tests run alone (after the parallel ones), and count only those
// raised with the media session's code on the throwing thread's stack.
[CollectionDefinition(nameof(ReceiveLoopStopTests), DisableParallelization = true)]
public sealed class ReceiveLoopStopCollection;

// A session's RTP and RTCP receive loops end when it is disposed: by a flag and an empty datagram each socket sends
// itself, without an exception; by closing the socket under the loop only when that wake cannot be sent or is lost.
[Collection(nameof(ReceiveLoopStopTests))]
public sealed class ReceiveLoopStopTests
{
    public static TheoryData<string, string> Addresses => new()
    {
        { "127.0.0.1", "127.0.0.1" },
        { "0.0.0.0", "127.0.0.1" },    // wildcard: woken on loopback
        { "::1", "::1" },
        { "::", "127.0.0.1" },         // dual mode, an IPv4 peer seen as mapped; woken on ::1
        { "::", "::1" },
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public async Task DisposeEndsBothLoopsWithoutAnException(string bind, string peerAddress)
    {
        using var exceptions = new MediaExceptions();
        var log = new FakeLogger();
        await using var clock = new MediaClock();
        using var peer = new Peer(IPAddress.Parse(peerAddress));
        var s = MediaSession.Open(IPAddress.Parse(bind), TestNet.Ports, clock, log);
        s.Start(new NegotiatedMedia(AudioCodec.Pcmu, 0, 101, new IPEndPoint(peer.Address, peer.Port), MediaDirection.SendRecv, 20));

        for (int i = 0; i < 8; i++)
            peer.SendAudio(s.LocalPort, (ushort)i);
        await TestNet.WaitUntil(() => s.DatagramsHandled == 8, "eight packets handled");
        // Before closing an empty datagram is what it always was: malformed, and the loop goes on.
        peer.Send(s.LocalPort, []);
        await TestNet.WaitUntil(() => s.DatagramsHandled == 9, "the empty datagram handled");
        Assert.Equal(1, s.Statistics.Malformed);
        peer.Send(s.LocalPort + 1, new byte[28]); // to the RTCP loop
        peer.SendAudio(s.LocalPort, 8);
        await TestNet.WaitUntil(() => s.DatagramsHandled == 10, "the loop still running");

        using var guard = TestNet.Guard();
        await s.DisposeAsync().AsTask().WaitAsync(guard.Token); // returns once both loops have ended

        Assert.Empty(exceptions.Seen);
        Assert.Empty(log.Records(2319));
        Assert.Equal(9, s.Statistics.PacketsReceived - s.Statistics.Malformed);
    }

    [Fact]
    public async Task DatagramsBeforeStartAreDroppedAndThoseAfterItHandled()
    {
        await using var clock = new MediaClock();
        using var peer = new Peer(IPAddress.Loopback);
        await using var s = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, NullLogger.Instance);
        for (int i = 0; i < 5; i++)
            peer.SendAudio(s.LocalPort, (ushort)i);
        // The loops run from Open on (the socket pair may serve several calls); nobody is attached before Start.
        await TestNet.WaitUntil(() => s.Pair.Dropped == 5, "the early packets read and dropped");
        s.Start(new NegotiatedMedia(AudioCodec.Pcmu, 0, 101, new IPEndPoint(peer.Address, peer.Port), MediaDirection.SendRecv, 20));
        for (int i = 5; i < 8; i++)
            peer.SendAudio(s.LocalPort, (ushort)i);
        await TestNet.WaitUntil(() => s.DatagramsHandled == 3, "the packets after Start handled");
        Assert.Equal(3, s.Statistics.PacketsReceived);
        Assert.Equal(5, s.Pair.Dropped);
    }

    [Fact]
    public async Task AFullReceiveBufferDropsTheWakeAndTheLoopStillEnds()
    {
        using var exceptions = new MediaExceptions();
        var log = new FakeLogger();
        var time = new FakeTimeProvider(); // the wake's grace never runs out: only the flag can end the loop
        await using var clock = new MediaClock(time);
        using var peer = new RawPeer();
        var s = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, log);
        s.Start(TestNet.MediaTo(peer.Port));
        using var release = new ManualResetEventSlim();
        var inHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A key press holds the receive thread while the peer fills the socket's receive buffer.
        s.DtmfReceived += _ =>
        {
            inHandler.TrySetResult();
            release.Wait();
        };
        using var guard = TestNet.Guard();
        await TestNet.LearnAsync(peer, s);
        peer.SendEvent(s.LocalPort, 5000, 1, false, 160, marker: true);
        await inHandler.Task.WaitAsync(guard.Token);

        var payload = new byte[160];
        uint ts = 6000;
        while (UdpDrops(s.LocalPort) == 0)
        {
            for (int i = 0; i < 50; i++, ts += 160)
                peer.SendRtp(s.LocalPort, 0, ts, payload);
        }
        long drops = UdpDrops(s.LocalPort);
        // The pair closes while its loop is held (a session's dispose waits for the handler before its pair goes).
        var close = s.Pair.CloseAsync().AsTask();
        Assert.Equal(drops + 1, UdpDrops(s.LocalPort)); // the wake itself was dropped
        Assert.False(close.IsCompleted);
        release.Set();
        await close.WaitAsync(guard.Token);
        await s.DisposeAsync().AsTask().WaitAsync(guard.Token);

        Assert.Empty(exceptions.Seen);
        Assert.Empty(log.Records(2319));
    }

    [Fact]
    public async Task ASocketThatCannotAddressItselfIsClosedUnderTheLoop()
    {
        // Bound to loopback's broadcast address, a socket may not send to itself (EACCES without SO_BROADCAST).
        var log = new FakeLogger();
        await using var clock = new MediaClock();
        var s = MediaSession.Open(IPAddress.Parse("127.255.255.255"), TestNet.Ports, clock, log);
        s.Start(TestNet.MediaTo(40000));
        using var guard = TestNet.Guard();
        await s.DisposeAsync().AsTask().WaitAsync(guard.Token);

        var events = log.Records(2319);
        Assert.Equal(2, events.Count); // RTP and RTCP
        Assert.All(events, e => Assert.Contains("could not be sent", e.Message, StringComparison.Ordinal));
        Assert.Contains(events, e => e.Message.Contains($"port {s.LocalPort + 1}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ALostWakeEndsTheLoopsAfterTheGrace()
    {
        var log = new FakeLogger();
        var time = new FakeTimeProvider();
        await using var clock = new MediaClock(time);
        var s = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, log);
        s.Pair.Wake = _ => true; // "sent", never arrives (loopback traffic filtered)
        s.Start(TestNet.MediaTo(40000));
        var dispose = s.DisposeAsync().AsTask();
        Assert.False(dispose.IsCompleted); // nothing can end the loops before the grace
        time.Advance(ReceiveLoops.WakeGrace);
        using var guard = TestNet.Guard();
        await dispose.WaitAsync(guard.Token);

        var e = Assert.Single(log.Records(2319));
        Assert.Contains("no wake arrived", e.Message, StringComparison.Ordinal);
    }

    // The drops column of /proc/net/udp for the socket bound to 127.0.0.1:port.
    private static long UdpDrops(int port)
    {
        string local = string.Create(CultureInfo.InvariantCulture, $"0100007F:{port:X4}");
        foreach (var line in File.ReadLines("/proc/net/udp"))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > 12 && f[1] == local)
                return long.Parse(f[^1], CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"no UDP socket on {local} in /proc/net/udp");
    }

    // First-chance exceptions raised while the media session's code is on the thread's stack (walked at the throw:
    // the exception's own trace then holds only the throwing frame).
    private sealed class MediaExceptions : IDisposable
    {
        [ThreadStatic]
        private static bool t_inHandler;

        public MediaExceptions() => AppDomain.CurrentDomain.FirstChanceException += OnException;

        public ConcurrentQueue<string> Seen { get; } = new();

        private void OnException(object? sender, FirstChanceExceptionEventArgs e)
        {
            if (t_inHandler)
                return;
            t_inHandler = true;
            try
            {
                string stack = Environment.StackTrace;
                if (stack.Contains("OpenUM.Media.Session.", StringComparison.Ordinal))
                    Seen.Enqueue($"{e.Exception.GetType().Name}: {e.Exception.Message}\n{stack}");
            }
            finally
            {
                t_inHandler = false;
            }
        }

        public void Dispose() => AppDomain.CurrentDomain.FirstChanceException -= OnException;
    }

    // A peer of either family (RawPeer speaks IPv4 only).
    private sealed class Peer : IDisposable
    {
        private readonly Socket _socket;
        private ushort _seq = 100;

        public Peer(IPAddress address)
        {
            _socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            _socket.Bind(new IPEndPoint(address, 0));
        }

        public IPAddress Address => ((IPEndPoint)_socket.LocalEndPoint!).Address;

        public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

        public void Send(int port, byte[] datagram) => _socket.SendTo(datagram, new IPEndPoint(Address, port));

        public void SendAudio(int port, ushort n)
        {
            var p = new byte[12 + 160];
            RtpHeader.Write(p, 0, false, _seq++, 160u * n, 0x5eed);
            Array.Fill(p, G711.MuLawSilence, 12, 160);
            Send(port, p);
        }

        public void Dispose() => _socket.Dispose();
    }
}
