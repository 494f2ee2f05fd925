using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Delivery;
using OpenUM.Delivery.Spool;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Rtp;
using OpenUM.Media.Sdp;
using OpenUM.Media.Session;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests;

/// <summary>
/// The call layer hands the media session the gateway's MediaLatching, the SIP connection's peer address and the
/// server's RtpProbation: a gateway whose SDP names an address it does not send from (NAT) is learned from its
/// signalling address, unless the gateway is SdpOnly, and then the call says what to change.
/// </summary>
public sealed class MediaSourceWiringTests : IAsyncDisposable
{
    private static int s_nextRange = 26000;
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-calls-media-").FullName;
    private readonly int _rtpFirst = Interlocked.Add(ref s_nextRange, 100) - 100;
    private readonly FakeLogger _events = new();
    private SipUserAgent? _server;
    private CallController? _controller;
    private MediaClock? _clock;

    private async Task<IPEndPoint> StartAsync(MediaLatching latching, int probation)
    {
        var config = new ConfigurationSnapshot(1,
            [new DialPlan { Name = "Test", NumberOfDigitsInExtension = 4 }],
            [new IpGateway { Name = "gw", Address = "127.0.0.1", MediaLatching = latching }],
            [new HuntGroup { Name = "gw-Test", IpGateway = "gw", DialPlan = "Test" }],
            [new UmServer { Name = "um1", RtpProbation = probation }],
            [new Mailbox { Extension = "1000", DialPlan = "Test", EmailAddress = "user1000@example.test", DisplayName = "User 1000" }]);
        _server = new SipUserAgent(new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = 0 }, TimeProvider.System, NullLogger.Instance);
        _clock = new MediaClock(TimeProvider.System);
        var peers = new TrustedPeers(NullLogger.Instance);
        await peers.RebuildAsync(config, CancellationToken.None);
        _controller = new CallController(() => config, peers, new RtpPortRange(_rtpFirst, _rtpFirst + 49), _clock, _server.Wheel,
            new VoiceMessageSpool(Path.Combine(_root, "spool"), new MaildirSink(Path.Combine(_root, "maildir")), _events), PromptLibrary.Default,
            new CallControllerOptions("um1", _root), TimeProvider.System, _events);
        _server.Admit = _controller.Admit;
        _server.OnIncomingCall = _controller.OnIncomingCall;
        await _server.StartAsync(CancellationToken.None);
        return _server.LocalEndPoints[0];
    }

    public async ValueTask DisposeAsync()
    {
        if (_controller is not null)
            await _controller.DisposeAsync();
        if (_server is not null)
            await _server.DisposeAsync();
        if (_clock is not null)
            await _clock.DisposeAsync();
        System.IO.Directory.Delete(_root, recursive: true);
    }

    // Calls 1000 with an SDP naming 127.0.0.3 (where nothing listens) and sends RTP from 127.0.0.1, the SIP peer.
    private async Task<(OutgoingCallResult Call, SipUserAgent Client, int ServerRtpPort)> CallBehindNatAsync(IPEndPoint server)
    {
        var client = new SipUserAgent(new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = null }, TimeProvider.System, NullLogger.Instance);
        await client.StartAsync(CancellationToken.None);
        var offer = OfferAnswer.CreateOffer(MediaCapabilities.Default, IPAddress.Parse("127.0.0.3"), _rtpFirst + 60).Sdp;
        var request = new OutgoingCallRequest(server, SipUri.Parse($"sip:1000@127.0.0.1:{server.Port};transport=tcp"),
            new SipNameAddress(SipUri.Parse("sip:5551234@127.0.0.1"), "Caller"), new SipNameAddress(SipUri.Parse("sip:1000@127.0.0.1")),
            Encoding.UTF8.GetBytes(offer.ToString()));
        var result = await client.InviteAsync(request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(200, result.StatusCode);
        var m = Regex.Match(Encoding.UTF8.GetString(result.FinalResponse!.Body.Span), @"m=audio (\d+) ");
        Assert.True(m.Success, "no m=audio in the answer");
        return (result, client, int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void SendRtp(int port, int packets)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var packet = new byte[12 + 160];
        for (int k = 0; k < packets; k++)
        {
            RtpHeader.Write(packet, 0, false, (ushort)(100 + k), (uint)(160 * k), 0x5EED);
            udp.Send(packet, packet.Length, new IPEndPoint(IPAddress.Loopback, port));
        }
    }

    private string? Line(int id, string contains) =>
        _events.Lines().FirstOrDefault(l => l.StartsWith($"{id} ", StringComparison.Ordinal) && l.Contains(contains, StringComparison.Ordinal));

    [Fact]
    public async Task TheSignallingPeerIsLearnedAfterTheServersProbation()
    {
        var server = await StartAsync(MediaLatching.SignallingOrSdp, probation: 6);
        var (call, client, port) = await CallBehindNatAsync(server);
        await using var _ = client;
        SendRtp(port, 6);
        await TestWait.UntilAsync(() => Line(2302, "after 6 packets in sequence") is not null, "event 2302");
        Assert.Contains("127.0.0.1:", Line(2302, "after 6 packets")!, StringComparison.Ordinal);
        Assert.Contains("SDP said 127.0.0.3:", Line(2302, "after 6 packets")!, StringComparison.Ordinal);
        await call.Dialog!.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AnSdpOnlyGatewayRefusesItAndTheCallSaysWhatToChange()
    {
        var server = await StartAsync(MediaLatching.SdpOnly, probation: 4);
        var (call, client, port) = await CallBehindNatAsync(server);
        await using var _ = client;
        SendRtp(port, 20);
        await TestWait.UntilAsync(() => Line(2314, "(10 so far)") is not null, "event 2314");
        await call.Dialog!.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await TestWait.UntilAsync(() => Line(2315, "openum gateway set gw --media-latching SignallingOrSdp") is not null, "event 2315");
        Assert.Null(Line(2302, ""));
    }
}
