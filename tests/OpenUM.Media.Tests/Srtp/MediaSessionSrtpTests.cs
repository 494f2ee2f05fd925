using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Media.Rtp;
using OpenUM.Media.Session;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Tests.Srtp;

// The media session's SRTP state across a re-INVITE: a peer that keeps its key keeps its rollover counter and
// replay window on our side; a peer that changes its key starts afresh.
public sealed class MediaSessionSrtpTests
{
    private static SrtpSession Session(SrtpMasterKey send, SrtpMasterKey receive) =>
        new(SrtpSuite.AesCm128HmacSha1_80, new SrtpPolicy(send), new SrtpPolicy(receive));

    private static byte[] Protected(SrtpContext sender, ushort seq)
    {
        var buffer = new byte[256];
        RtpHeader.Write(buffer, 0, false, seq, seq * 160u, 0xfeed);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(buffer, 172, out int n));
        return buffer[..n];
    }

    [Theory]
    [InlineData(true, 1)]   // same peer key: the replay is recognised
    [InlineData(false, 0)]  // new peer key: a new context, which has not seen the packet (and cannot verify it)
    public async Task ReInviteKeepsTheReceiveContextWhenThePeerKeepsItsKey(bool peerKeepsKey, int expectedReplays)
    {
        var peerKey = SrtpMasterKey.Generate(SrtpSuite.AesCm128HmacSha1_80);
        using var peer = new SrtpContext(new SrtpPolicy(peerKey));
        await using var clock = new MediaClock();
        await using var s = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, NullLogger.Instance);
        var media = TestNet.MediaTo(9);
        s.Start(media with { Srtp = Session(SrtpMasterKey.Generate(SrtpSuite.AesCm128HmacSha1_80), peerKey) });
        var from = new IPEndPoint(IPAddress.Loopback, 9).Serialize();

        byte[] packet = Protected(peer, 1000);
        s.OnDatagram([.. packet], from);
        Assert.Equal(0, s.SrtpStatistics.Rejected);

        // Our answer to the re-INVITE carries a fresh key of ours; the peer's key is the same or new.
        var receive = peerKeepsKey
            ? new SrtpMasterKey(SrtpSuite.AesCm128HmacSha1_80, peerKey.Key.Span, peerKey.Salt.Span)
            : SrtpMasterKey.Generate(SrtpSuite.AesCm128HmacSha1_80);
        s.Update(media with { Srtp = Session(SrtpMasterKey.Generate(SrtpSuite.AesCm128HmacSha1_80), receive) });
        s.OnDatagram([.. packet], from);

        var stats = s.SrtpStatistics;
        Assert.Equal(expectedReplays, stats.RtpReplays);
        Assert.Equal(peerKeepsKey ? 0 : 1, stats.RtpAuthenticationFailures);
    }

    [Fact]
    public async Task TheFirstAuthenticatedSourceIsLearnedAndForgedPacketsNeverCount()
    {
        var peerKey = SrtpMasterKey.Generate(SrtpSuite.AesCm128HmacSha1_80);
        using var peer = new SrtpContext(new SrtpPolicy(peerKey));
        var log = new FakeLogger();
        await using var clock = new MediaClock();
        await using var s = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, log);
        s.Start(TestNet.MediaTo(9) with { Srtp = Session(SrtpMasterKey.Generate(SrtpSuite.AesCm128HmacSha1_80), peerKey) });
        var gateway = new IPEndPoint(IPAddress.Loopback, 5000).Serialize();
        var forger = new IPEndPoint(IPAddress.Loopback, 6000).Serialize();

        // A run of forged packets (no key, so no valid tag) from the gateway's host never teaches the session anything.
        for (ushort seq = 1; seq <= 8; seq++)
        {
            var forged = Protected(peer, (ushort)(900 + seq));
            forged[^1] ^= 0xFF;
            s.OnDatagram(forged, forger);
        }
        Assert.Equal(8, s.SrtpStatistics.RtpAuthenticationFailures);
        Assert.DoesNotContain(log.Collector.GetSnapshot(), e => e.Id.Id == 2302);

        // One authenticated packet is enough: its sender holds the key.
        s.OnDatagram(Protected(peer, 1000), gateway);
        Assert.Contains(log.Collector.GetSnapshot(), e => e.Id.Id == 2302 && e.Message.Contains("127.0.0.1:5000", StringComparison.Ordinal));

        // Authenticated packets from elsewhere (another process with the key, or replays of captured packets that
        // beat the originals) do not move the stream while the learned source is sending.
        s.OnDatagram(Protected(peer, 1001), forger);
        s.OnDatagram(Protected(peer, 1002), gateway);
        Assert.Equal(1, s.Statistics.UnexpectedSource);
        Assert.DoesNotContain(log.Collector.GetSnapshot(), e => e.Id.Id == 2316);
    }
}
