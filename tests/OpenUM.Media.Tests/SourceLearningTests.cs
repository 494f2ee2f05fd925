using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Media.Session;

namespace OpenUM.Media.Tests;

// The source learning state machine on its own: which address may feed a call, and when.
public sealed class SourceLearningTests
{
    private static readonly SocketAddress Sdp = Sa("192.0.2.7", 40000);        // what the SDP said
    private static readonly SocketAddress Signalling = Sa("198.51.100.5", 0);  // the SIP connection's peer
    private readonly FakeTimeProvider _time = new();

    private static SocketAddress Sa(string ip, int port) => new IPEndPoint(IPAddress.Parse(ip), port).Serialize();

    private RtpSourceLearning Learning(MediaLatching latching = MediaLatching.SignallingOrSdp, int probation = 4)
    {
        var l = new RtpSourceLearning(AddressFamily.InterNetwork, _time);
        l.Configure(latching, probation, Sdp, Signalling);
        return l;
    }

    private long Now => _time.GetTimestamp();

    // Sends count packets in sequence from one source, 20 ms apart; returns the verdicts.
    private List<SourceVerdict> Run(RtpSourceLearning l, SocketAddress from, ushort firstSeq, int count, uint ssrc = 7, bool authenticated = false)
    {
        var verdicts = new List<SourceVerdict>();
        for (int i = 0; i < count; i++)
        {
            verdicts.Add(l.Offer(from, ssrc, (ushort)(firstSeq + i), authenticated, Now));
            _time.Advance(TimeSpan.FromMilliseconds(20));
        }
        return verdicts;
    }

    [Fact]
    public void ASourceIsLearnedAfterProbationPacketsInSequence()
    {
        var l = Learning();
        var natted = Sa("192.0.2.7", 51000); // the SDP host, another port: NAT
        Assert.Equal([SourceVerdict.Probation, SourceVerdict.Probation, SourceVerdict.Probation, SourceVerdict.Learned, SourceVerdict.Accept],
            Run(l, natted, 100, 5));
        Assert.True(l.HasLearned);
        Assert.Equal(natted, l.Learned);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public void TheProbationIsConfigurable(int probation)
    {
        var l = Learning(probation: probation);
        var verdicts = Run(l, Sdp, 100, probation);
        Assert.All(verdicts[..^1], v => Assert.Equal(SourceVerdict.Probation, v));
        Assert.Equal(SourceVerdict.Learned, verdicts[^1]);
    }

    [Fact]
    public void AGapADuplicateOrAnotherSsrcStartsTheRunAgain()
    {
        var l = Learning();
        Run(l, Sdp, 100, 3);
        Assert.Equal(SourceVerdict.Probation, l.Offer(Sdp, 7, 104, false, Now));  // 103 skipped: run is 1 again
        Run(l, Sdp, 105, 2);                                                       // 104,105,106: run 3
        Assert.Equal(SourceVerdict.Probation, l.Offer(Sdp, 7, 106, false, Now));   // duplicate of 106: run 1
        Run(l, Sdp, 107, 2);                                                       // run 3
        Assert.Equal(SourceVerdict.Probation, l.Offer(Sdp, 8, 109, false, Now));   // other SSRC: run 1
        Assert.False(l.HasLearned);
        Assert.Equal(SourceVerdict.Learned, Run(l, Sdp, 110, 3, ssrc: 8)[^1]);
    }

    [Fact]
    public void TheRunContinuesAcrossTheSequenceNumberWrap()
    {
        var l = Learning();
        Assert.Equal([SourceVerdict.Probation, SourceVerdict.Probation, SourceVerdict.Probation, SourceVerdict.Learned],
            Run(l, Sdp, 65534, 4)); // 65534, 65535, 0, 1
    }

    [Fact]
    public void InterleavedSourcesKeepTheirOwnRuns()
    {
        var l = Learning();
        var a = Sa("192.0.2.7", 51000);
        var b = Sa("198.51.100.5", 52000);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(SourceVerdict.Probation, l.Offer(a, 1, (ushort)(10 + i), false, Now));
            Assert.Equal(SourceVerdict.Probation, l.Offer(b, 2, (ushort)(500 + i), false, Now));
        }
        Assert.Equal(SourceVerdict.Learned, l.Offer(b, 2, 503, false, Now));
        Assert.Equal(b, l.Learned);
    }

    [Fact]
    public void OnePacketEachFromManyPortsDoesNotEvictARunInProgress()
    {
        var l = Learning(MediaLatching.Any);
        Run(l, Sdp, 100, 2);
        for (int port = 60000; port < 60020; port++)
            Assert.Equal(SourceVerdict.Probation, l.Offer(Sa("203.0.113.9", port), 99, 1, false, Now));
        Assert.Equal([SourceVerdict.Probation, SourceVerdict.Learned], Run(l, Sdp, 102, 2));
    }

    [Theory]
    [InlineData(MediaLatching.SignallingOrSdp, "192.0.2.7", true)]     // SDP host, other port
    [InlineData(MediaLatching.SignallingOrSdp, "198.51.100.5", true)]  // the signalling peer (NAT, multi-homed)
    [InlineData(MediaLatching.SignallingOrSdp, "203.0.113.9", false)]
    [InlineData(MediaLatching.SdpOnly, "192.0.2.7", true)]
    [InlineData(MediaLatching.SdpOnly, "198.51.100.5", false)]
    [InlineData(MediaLatching.SdpOnly, "203.0.113.9", false)]
    [InlineData(MediaLatching.Any, "203.0.113.9", true)]
    public void TheLatchingModeDecidesWhichAddressesMayBeLearned(MediaLatching latching, string ip, bool allowed)
    {
        var l = Learning(latching);
        var verdicts = Run(l, Sa(ip, 41234), 100, 6);
        if (allowed)
            Assert.Contains(SourceVerdict.Learned, verdicts);
        else
            Assert.All(verdicts, v => Assert.Equal(SourceVerdict.NotAllowed, v));
        Assert.Equal(allowed, l.HasLearned);
    }

    [Fact]
    public void WithoutSignallingPeerOrSdpNothingButAnyLearns()
    {
        var l = new RtpSourceLearning(AddressFamily.InterNetwork, _time);
        l.Configure(MediaLatching.SignallingOrSdp, 4, null, null);
        Assert.All(Run(l, Sdp, 1, 5), v => Assert.Equal(SourceVerdict.NotAllowed, v));
    }

    [Fact]
    public void OnceLearnedOtherSourcesOfTheSameRankCannotTakeOverWhileItSends()
    {
        var l = Learning();
        var real = Sa("198.51.100.5", 51000);     // behind NAT: the signalling host
        var stranger = Sa("198.51.100.5", 51002); // same host, another port, sending at the same time
        Run(l, real, 100, 4);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(SourceVerdict.Competing, l.Offer(stranger, 9, (ushort)(7000 + i), false, Now));
            Assert.Equal(SourceVerdict.Accept, l.Offer(real, 7, (ushort)(104 + i), false, Now));
            _time.Advance(TimeSpan.FromMilliseconds(20));
        }
        Assert.Equal(real, l.Learned);
    }

    [Fact]
    public void ASourceChangeNeedsANewRunAndTheOldSourceSilent()
    {
        var l = Learning();
        var before = Sa("198.51.100.5", 51000);
        var after = Sa("198.51.100.5", 51010); // NAT rebinding: same host, new port; the old mapping stops
        Assert.Equal(SourceVerdict.Learned, Run(l, before, 100, 4)[^1]);

        // Right after the old source's last packet: the new one is refused, even with its run complete.
        var early = Run(l, after, 500, 10);  // 200 ms
        Assert.All(early, v => Assert.Equal(SourceVerdict.Competing, v));
        _time.Advance(RtpSourceLearning.QuietBeforeSwitch);
        // Its run kept counting: the next packet in sequence takes over.
        Assert.Equal(SourceVerdict.Switched, l.Offer(after, 7, 510, false, Now));
        Assert.Equal(after, l.Learned);
        // And now the old source is the stranger.
        Assert.Equal(SourceVerdict.Competing, l.Offer(before, 7, 105, false, Now));
    }

    [Fact]
    public void AfterTheQuietPeriodASwitchStillNeedsTheWholeRun()
    {
        var l = Learning();
        var before = Sa("198.51.100.5", 51000);
        var after = Sa("198.51.100.5", 51010);
        Run(l, before, 100, 4);
        _time.Advance(RtpSourceLearning.QuietBeforeSwitch);
        Assert.Equal([SourceVerdict.Probation, SourceVerdict.Probation, SourceVerdict.Probation, SourceVerdict.Switched],
            Run(l, after, 9000, 4));
    }

    [Fact]
    public void TheExactSdpAddressReplacesAStrangerThatWasLearnedFirst()
    {
        var l = Learning();
        var stranger = Sa("192.0.2.7", 51002); // on the gateway's host, another port, sending before the real stream
        Run(l, stranger, 1, 10);
        Assert.Equal(stranger, l.Learned);
        // The real stream from the SDP address and port outranks it: a run of 4 and it is switched, no quiet needed.
        Assert.Equal([SourceVerdict.Probation, SourceVerdict.Probation, SourceVerdict.Probation, SourceVerdict.Switched],
            Run(l, Sdp, 300, 4));
        // The stranger never gets it back, however long it keeps sending in sequence.
        for (int i = 0; i < 100; i++)
            Assert.Equal(SourceVerdict.Competing, l.Offer(stranger, 7, (ushort)(11 + i), false, Now));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(SourceVerdict.Competing, l.Offer(stranger, 7, 111, false, Now));
        Assert.Equal(Sdp, l.Learned);
    }

    [Fact]
    public void SrtpLearnsTheFirstAuthenticatedSourceButASwitchNeedsARun()
    {
        var l = Learning();
        var first = Sa("192.0.2.7", 51000);
        Assert.Equal(SourceVerdict.Learned, l.Offer(first, 5, 9, authenticated: true, Now));
        Assert.Equal(first, l.Learned);
        _time.Advance(TimeSpan.FromSeconds(1)); // the first source went quiet
        var second = Sa("192.0.2.7", 51004);
        Assert.Equal([SourceVerdict.Probation, SourceVerdict.Probation, SourceVerdict.Probation, SourceVerdict.Switched],
            Run(l, second, 50, 4, authenticated: true));
    }

    [Fact]
    public void SrtpStillObeysTheLatchingMode()
    {
        var l = Learning(MediaLatching.SdpOnly);
        Assert.Equal(SourceVerdict.NotAllowed, l.Offer(Sa("198.51.100.5", 4000), 5, 9, authenticated: true, Now));
        Assert.False(l.HasLearned);
    }

    [Fact]
    public void ResetForgetsTheLearnedSourceAndUsesTheNewSdpAddress()
    {
        var l = Learning(MediaLatching.SdpOnly);
        Run(l, Sdp, 1, 4);
        Assert.True(l.HasLearned);
        var moved = Sa("192.0.2.99", 40000);
        l.Reset(moved);
        Assert.False(l.HasLearned);
        Assert.Equal(SourceVerdict.NotAllowed, l.Offer(Sdp, 7, 5, false, Now));
        Assert.Equal(SourceVerdict.Learned, Run(l, moved, 1, 4)[^1]);
    }

    [Fact]
    public void ProbationOutOfRangeIsRefused()
    {
        var l = new RtpSourceLearning(AddressFamily.InterNetwork, _time);
        Assert.Throws<ArgumentOutOfRangeException>(() => l.Configure(MediaLatching.Any, 0, null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => l.Configure(MediaLatching.Any, MediaSourcePolicy.MaxProbation + 1, null, null));
    }

    [Fact]
    public void Ipv6AndMappedAddressesAreCompared()
    {
        var l = new RtpSourceLearning(AddressFamily.InterNetworkV6, _time);
        var sdp = new IPEndPoint(IPAddress.Parse("192.0.2.7").MapToIPv6(), 40000).Serialize();
        l.Configure(MediaLatching.SdpOnly, 2, sdp, null);
        var natted = new IPEndPoint(IPAddress.Parse("192.0.2.7").MapToIPv6(), 50000).Serialize();
        var other = new IPEndPoint(IPAddress.Parse("2001:db8::7"), 40000).Serialize();
        Assert.Equal(SourceVerdict.NotAllowed, l.Offer(other, 1, 1, false, Now));
        Assert.Equal([SourceVerdict.Probation, SourceVerdict.Learned], Run(l, natted, 1, 2));
    }
}
