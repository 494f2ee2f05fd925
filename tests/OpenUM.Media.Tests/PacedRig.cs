using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Media.Session;

namespace OpenUM.Media.Tests;

// A session on a fake clock and a raw peer it has already learned: each datagram is sent, awaited, and then the clock
// moves on (20 ms unless told otherwise), so the recorder sees time pass as it would in a call. Recordings are bound
// to the clock, so tests that send faster than real time would otherwise test the bound instead of what they mean to.
internal sealed class PacedRig : IAsyncDisposable
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(20);

    private PacedRig(FakeTimeProvider time, MediaClock clock, RawPeer peer, MediaSession session) =>
        (Time, Clock, Peer, Session) = (time, clock, peer, session);

    public FakeTimeProvider Time { get; }

    public MediaClock Clock { get; }

    public RawPeer Peer { get; }

    public MediaSession Session { get; }

    public int Port => Session.LocalPort;

    /// <summary>Opens and starts a session whose SDP names the peer, and lets it learn the peer (ending before <paramref name="nextSeq"/> when given).</summary>
    public static async Task<PacedRig> StartAsync(AudioCodec codec = AudioCodec.Pcmu, ushort? nextSeq = null, ILogger? logger = null,
        int ptime = 20)
    {
        var time = new FakeTimeProvider();
        var clock = new MediaClock(time);
        var peer = new RawPeer();
        var session = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, logger ?? NullLogger.Instance);
        var rig = new PacedRig(time, clock, peer, session);
        try
        {
            session.Start(TestNet.MediaTo(peer.Port, codec, ptime: ptime));
            await TestNet.LearnAsync(peer, session, (int)codec, nextSeq);
            time.Advance(Frame);
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends one datagram, waits until the session has handled it, then moves the clock by <paramref name="advance"/> (default 20 ms).</summary>
    public async Task SendAsync(Action<RawPeer> send, TimeSpan? advance = null)
    {
        long before = Session.DatagramsHandled;
        send(Peer);
        await TestNet.WaitUntil(() => Session.DatagramsHandled > before, "the datagram handled");
        Time.Advance(advance ?? Frame);
    }

    public async ValueTask DisposeAsync()
    {
        await Session.DisposeAsync();
        await Clock.DisposeAsync();
        Peer.Dispose();
    }
}
