using System.Net;
using Microsoft.Extensions.Logging.Abstractions;

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
}
