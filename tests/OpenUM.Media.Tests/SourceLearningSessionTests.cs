using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Media.Audio;
using OpenUM.Media.Rtp;
using OpenUM.Media.Session;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Media.Tests;

// Source learning through a real session and real sockets: what is recorded, answered and logged. Other loopback
// addresses stand in for other hosts (127.0.0.3 for an SDP address nobody sends from: a gateway behind NAT).
public sealed class SourceLearningSessionTests : IDisposable
{
    private static readonly IPAddress Local = IPAddress.Loopback;
    private static readonly IPAddress NobodyHome = IPAddress.Parse("127.0.0.3");
    private readonly string _dir = Directory.CreateTempSubdirectory("openum-learn-").FullName;
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static NegotiatedMedia MediaTo(IPAddress address, int port) =>
        new(AudioCodec.Pcmu, 0, 101, new IPEndPoint(address, port), MediaDirection.SendRecv, 20);

    private static short Level(short value) => G711.MuLawToLinear(G711.LinearToMuLaw(value));

    // Sends n audio packets of one level from the peer, 20 ms apart on the fake clock, each awaited.
    private async Task SendAsync(MediaSession s, RawPeer peer, int n, short level, uint ts)
    {
        for (int i = 0; i < n; i++)
        {
            long before = s.DatagramsHandled;
            peer.SendAudio(s.LocalPort, ts + (uint)(160 * i), level);
            await TestNet.WaitUntil(() => s.DatagramsHandled > before, "packet handled");
            _time.Advance(TimeSpan.FromMilliseconds(20));
        }
    }

    private static IReadOnlyList<FakeLogRecord> Events(FakeLogger log, int id) => log.Records(id);

    [Fact]
    public async Task BehindNatTheSignallingPeerIsLearnedRecordedAndAnswered()
    {
        var log = new FakeLogger();
        await using var clock = new MediaClock(_time);
        await using var s = MediaSession.Open(Local, TestNet.Ports, clock, log);
        using var gateway = new RawPeer(Local); // signals from 127.0.0.1, says 127.0.0.3 in its SDP, sends from 127.0.0.1
        s.Start(MediaTo(NobodyHome, 40000), new MediaSourcePolicy(MediaLatching.SignallingOrSdp, Local, 4, "pbx1"));
        using var guard = TestNet.Guard();
        var path = Path.Combine(_dir, "nat.wav");
        var rec = s.RecordAsync(path, new RecordingLimits(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)), guard.Token);
        await SendAsync(s, gateway, 10, 3000, 0);

        // Symmetric RTP: we answer where it sends from, not to the SDP address.
        var play = s.PlayAsync(AudioClip.Silence(TimeSpan.FromMilliseconds(20)), guard.Token);
        while (!play.IsCompleted)
        {
            _time.Advance(TimeSpan.FromMilliseconds(20));
            await Task.Delay(5);
        }
        Assert.True(RtpHeader.TryParse(await gateway.ReceiveAsync(guard.Token), out _));
        guard.Cancel();
        var result = await rec;

        // The first three packets were its probation; the other seven are the message.
        Assert.Equal(Enumerable.Repeat(Level(3000), 7 * 160), AudioClip.FromWavFile(path).Samples.ToArray());
        Assert.Equal(TimeSpan.FromMilliseconds(140), result.Duration);
        Assert.Equal(0, s.Statistics.UnexpectedSource);
        var latched = Assert.Single(Events(log, 2302));
        Assert.Contains($"127.0.0.1:{gateway.Port}", latched.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.3:40000", latched.Message, StringComparison.Ordinal);
        Assert.Empty(Events(log, 2315));
    }

    [Theory]
    [InlineData(MediaLatching.SdpOnly, "127.0.0.1", "pbx1", "pbx1 --media-latching SignallingOrSdp")]    // the SIP peer itself: NAT
    [InlineData(MediaLatching.SignallingOrSdp, "127.0.0.2", "pbx1", "pbx1 --media-latching Any")]       // some third address
    [InlineData(MediaLatching.SdpOnly, "127.0.0.1", "Bob's PBX", "'Bob'\\''s PBX' --media-latching SignallingOrSdp")] // pasted into a shell
    public async Task RefusedSourcesLeaveAnEmptyRecordingAndAWarningThatSaysWhatToChange(MediaLatching latching, string source, string gatewayName,
        string advice)
    {
        var log = new FakeLogger();
        await using var clock = new MediaClock(_time);
        await using var s = MediaSession.Open(Local, TestNet.Ports, clock, log);
        using var gateway = new RawPeer(IPAddress.Parse(source));
        s.Start(MediaTo(NobodyHome, 40000), new MediaSourcePolicy(latching, Local, 4, gatewayName));
        using var guard = TestNet.Guard();
        var rec = s.RecordAsync(Path.Combine(_dir, "empty.wav"), new RecordingLimits(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)), guard.Token);
        await SendAsync(s, gateway, 25, 3000, 0);
        guard.Cancel();
        var result = await rec;

        Assert.Equal(TimeSpan.Zero, result.Duration);
        Assert.Equal(25, s.Statistics.UnexpectedSource);
        // Rate-limited: the 1st and the 10th of 25.
        var refused = Events(log, 2314);
        Assert.Equal(2, refused.Count);
        Assert.All(refused, e => Assert.Contains($"{source}:{gateway.Port}", e.Message, StringComparison.Ordinal));
        Assert.Contains("(10 so far)", refused[1].Message, StringComparison.Ordinal);
        var warning = Assert.Single(Events(log, 2315));
        Assert.Contains($"{source}:{gateway.Port}", warning.Message, StringComparison.Ordinal);
        Assert.Contains("openum gateway set " + advice, warning.Message, StringComparison.Ordinal);
        Assert.Contains(latching.ToString(), warning.Message, StringComparison.Ordinal);

        // Said once per call: not again when the session closes.
        await s.DisposeAsync();
        Assert.Single(Events(log, 2315));
    }

    [Fact]
    public async Task WithoutARecordingTheWarningComesAtHangUpWhenNothingWasEverLearned()
    {
        var log = new FakeLogger();
        await using var clock = new MediaClock(_time);
        var s = MediaSession.Open(Local, TestNet.Ports, clock, log);
        using var gateway = new RawPeer(IPAddress.Parse("127.0.0.2"));
        s.Start(MediaTo(NobodyHome, 40000), new MediaSourcePolicy(MediaLatching.SdpOnly, Local, 4, "pbx1"));
        await SendAsync(s, gateway, 3, 3000, 0);
        Assert.Empty(Events(log, 2315));
        await s.DisposeAsync();
        var warning = Assert.Single(Events(log, 2315));
        Assert.Contains("no recording", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyAcceptsAThirdAddress()
    {
        await using var clock = new MediaClock(_time);
        await using var s = MediaSession.Open(Local, TestNet.Ports, clock, new FakeLogger());
        using var media = new RawPeer(IPAddress.Parse("127.0.0.2"));
        s.Start(MediaTo(NobodyHome, 40000), new MediaSourcePolicy(MediaLatching.Any, Local, 4, "pbx1"));
        using var guard = TestNet.Guard();
        var rec = s.RecordAsync(Path.Combine(_dir, "any.wav"), new RecordingLimits(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)), guard.Token);
        await SendAsync(s, media, 6, 3000, 0);
        guard.Cancel();
        Assert.Equal(TimeSpan.FromMilliseconds(60), (await rec).Duration);
    }

    [Fact]
    public async Task KeysFromASourceOtherThanTheSdpsAreObeyedOnlyOnceItHeldTheStream()
    {
        var log = new FakeLogger();
        await using var clock = new MediaClock(_time);
        await using var s = MediaSession.Open(Local, TestNet.Ports, clock, log);
        using var real = new RawPeer(Local);      // the SDP address and port
        using var other = new RawPeer(Local);     // the gateway's host, another port (a stranger, or an asymmetric peer)
        other.Ssrc = 0x0BADF00D;
        var digits = new List<char>();
        s.DtmfReceived += d => { lock (digits) digits.Add(d); };
        s.Start(MediaTo(Local, real.Port), new MediaSourcePolicy(MediaLatching.SignallingOrSdp, Local, 4, "pbx1"));
        async Task KeyAsync(RawPeer peer, uint ts)
        {
            long handled = s.DatagramsHandled;
            peer.SendEvent(s.LocalPort, ts, 11, false, 160, marker: true);
            await TestNet.WaitUntil(() => s.DatagramsHandled > handled, "the key handled");
        }

        // Learned from the other port: its '#' within the key probation is not obeyed, one after it is.
        await SendAsync(s, other, 6, 1000, 0);
        await KeyAsync(other, 10_000);
        lock (digits) Assert.Empty(digits);
        _time.Advance(RtpSourceGate.KeyProbation);
        await SendAsync(s, other, 1, 1000, 960);
        await KeyAsync(other, 20_000);
        lock (digits) Assert.Equal(['#'], digits);

        // The SDP's own address and port is obeyed at once, the moment it takes the stream over.
        await SendAsync(s, real, 4, 2000, 0);
        await KeyAsync(real, 30_000);
        lock (digits) Assert.Equal(['#', '#'], digits);
    }

    [Fact]
    public async Task AStrangerThatSendsFirstLosesTheStreamToTheSdpAddressAndItsKeysAreIgnored()
    {
        var log = new FakeLogger();
        await using var clock = new MediaClock(_time);
        await using var s = MediaSession.Open(Local, TestNet.Ports, clock, log);
        using var real = new RawPeer(Local);      // the SDP address and port
        using var stranger = new RawPeer(Local);  // the gateway's host, another port
        stranger.Ssrc = 0x0BADF00D;
        var digits = new List<char>();
        s.DtmfReceived += d => { lock (digits) digits.Add(d); };
        s.Start(MediaTo(Local, real.Port), new MediaSourcePolicy(MediaLatching.SignallingOrSdp, Local, 4, "pbx1"));

        // The stranger starts first and is learned; then the real stream starts and takes over.
        await SendAsync(s, stranger, 6, 1000, 0);
        await SendAsync(s, real, 4, 2000, 0);
        Assert.Single(Events(log, 2302));
        var switched = Assert.Single(Events(log, 2316));
        Assert.Contains($"127.0.0.1:{stranger.Port} to 127.0.0.1:{real.Port}", switched.Message, StringComparison.Ordinal);

        // While the message is recorded both keep sending; the stranger also presses '#'.
        using var guard = TestNet.Guard();
        var path = Path.Combine(_dir, "bleed.wav");
        var rec = s.RecordAsync(path, new RecordingLimits(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), '#'), guard.Token);
        int before;
        lock (digits)
            before = digits.Count;
        for (int i = 0; i < 20; i++)
        {
            long handled = s.DatagramsHandled;
            stranger.SendAudio(s.LocalPort, 960 + (uint)(160 * i), 1000);
            stranger.SendEvent(s.LocalPort, 50_000 + (uint)(800 * i), 11, false, 160, marker: true);
            real.SendAudio(s.LocalPort, 640 + (uint)(160 * i), 2000);
            await TestNet.WaitUntil(() => s.DatagramsHandled == handled + 3, "three packets handled");
            _time.Advance(TimeSpan.FromMilliseconds(20));
        }
        Assert.False(rec.IsCompleted, "the stranger's '#' ended the recording");
        guard.Cancel();
        var result = await rec;

        Assert.Equal(RecordingStopReason.Cancelled, result.Reason);
        Assert.Equal(Enumerable.Repeat(Level(2000), 20 * 160), AudioClip.FromWavFile(path).Samples.ToArray());
        lock (digits)
            Assert.Equal(before, digits.Count);
        Assert.Equal(40, s.Statistics.UnexpectedSource);
    }

    [Fact]
    public async Task AReInviteToANewAddressStartsTheLearningAgain()
    {
        var log = new FakeLogger();
        await using var clock = new MediaClock(_time);
        await using var s = MediaSession.Open(Local, TestNet.Ports, clock, log);
        using var first = new RawPeer(Local);
        using var moved = new RawPeer(IPAddress.Parse("127.0.0.2"));
        var media = MediaTo(Local, first.Port);
        s.Start(media, new MediaSourcePolicy(MediaLatching.SdpOnly, null, 4, "pbx1"));
        await SendAsync(s, first, 4, 1000, 0);
        Assert.Single(Events(log, 2302));

        s.Update(media with { RemoteRtp = new IPEndPoint(moved.Address, moved.Port) });
        await SendAsync(s, first, 2, 1000, 640);  // the old address is no longer the SDP's
        Assert.Equal(2, s.Statistics.UnexpectedSource);
        await SendAsync(s, moved, 4, 1000, 0);
        Assert.Equal(2, Events(log, 2302).Count);
        Assert.Contains($"127.0.0.2:{moved.Port}", Events(log, 2302)[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheProbationOfThePolicyIsUsed()
    {
        var log = new FakeLogger();
        await using var clock = new MediaClock(_time);
        await using var s = MediaSession.Open(Local, TestNet.Ports, clock, log);
        using var peer = new RawPeer(Local);
        s.Start(MediaTo(Local, peer.Port), new MediaSourcePolicy(MediaLatching.SdpOnly, null, 7));
        await SendAsync(s, peer, 6, 1000, 0);
        Assert.Empty(Events(log, 2302));
        Assert.Equal(6, s.Statistics.Ignored);
        await SendAsync(s, peer, 1, 1000, 960);
        Assert.Contains("after 7 packets in sequence", Assert.Single(Events(log, 2302)).Message, StringComparison.Ordinal);
        await using var other = MediaSession.Open(Local, TestNet.Ports, clock, log);
        Assert.Throws<ArgumentOutOfRangeException>(() => other.Start(MediaTo(Local, peer.Port), new MediaSourcePolicy(Probation: 0)));
        Assert.Null(other.Media);
    }

    [Fact]
    public async Task OversizedAudioIsDroppedCountedAndLoggedRateLimited()
    {
        var log = new FakeLogger();
        await using var clock = new MediaClock(_time);
        await using var s = MediaSession.Open(Local, TestNet.Ports, clock, log);
        s.Start(MediaTo(Local, 40000));
        var from = new IPEndPoint(Local, 40000).Serialize();
        var packet = new byte[12 + 160];
        for (ushort k = 0; k < 4; k++)
        {
            RtpHeader.Write(packet, 0, false, k, 160u * k, 1);
            s.OnDatagram(packet, from);
        }
        var big = new byte[12 + 1000];
        for (ushort k = 4; k < 29; k++)
        {
            RtpHeader.Write(big, 0, false, k, 160u * k, 1);
            s.OnDatagram(big, from);
        }
        Assert.Equal(25, s.Statistics.PayloadSizeRejected);
        var logged = Events(log, 2317);
        Assert.Equal(2, logged.Count);
        Assert.Contains("1000 bytes", logged[0].Message, StringComparison.Ordinal);
        Assert.Contains("80-320", logged[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RtcpIsTakenFromAddressesRtpCouldComeFromOnly()
    {
        await using var clock = new MediaClock(_time);
        await using var s = MediaSession.Open(Local, TestNet.Ports, clock, new FakeLogger());
        s.Start(MediaTo(NobodyHome, 40000), new MediaSourcePolicy(MediaLatching.SignallingOrSdp, Local));
        using var rtcp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        rtcp.Bind(new IPEndPoint(Local, 0));
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        var report = Convert.FromHexString("81C9000700000001" + new string('0', 48)); // a receiver report, 32 bytes
        stranger.SendTo(report, new IPEndPoint(Local, s.LocalPort + 1));
        rtcp.SendTo(report, new IPEndPoint(Local, s.LocalPort + 1));
        // Loopback delivers in order: once the second report is counted, the first has been judged too.
        await TestNet.WaitUntil(() => s.SrtpStatistics.RtcpPackets == 1, "the signalling peer's report");
        rtcp.SendTo(report, new IPEndPoint(Local, s.LocalPort + 1));
        await TestNet.WaitUntil(() => s.SrtpStatistics.RtcpPackets == 2, "its second report");
    }
}
