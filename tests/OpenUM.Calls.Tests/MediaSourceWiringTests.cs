using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using OpenUM.Calls.Tests.Harness;
using OpenUM.Media.Rtp;
using OpenUM.Media.Session;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests;

/// <summary>
/// The call layer hands the media session the gateway's MediaLatching, the SIP connection's peer address and the
/// server's RtpProbation: a gateway whose SDP names an address it does not send from (NAT) is learned from its
/// signalling address, unless the gateway is SdpOnly, and then the call says what to change.
/// </summary>
public sealed class MediaSourceWiringTests : IAsyncLifetime
{
    private CallControllerHarness? _harness;

    private async Task StartAsync(MediaLatching latching, int probation) =>
        _harness = await CallControllerHarness.StartAsync(CallControllerHarness.Snapshot(
            gateway: CallControllerHarness.Gateway with { MediaLatching = latching },
            server: CallControllerHarness.Server with { RtpProbation = probation }));

    // Each test starts its own harness (the gateway's settings differ); xunit v2 disposes a test class through
    // IAsyncLifetime only, never through IAsyncDisposable.
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_harness is not null)
            await _harness.DisposeAsync();
    }

    // Calls 1000 with an SDP naming 127.0.0.3 (where nothing listens) and sends RTP from 127.0.0.1, the SIP peer.
    private async Task<(OutgoingCallResult Call, SipUserAgent Client, int ServerRtpPort)> CallBehindNatAsync()
    {
        var (result, client) = await _harness!.CallAsync("1000", IPAddress.Parse("127.0.0.3"));
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
        _harness!.Events.Lines().FirstOrDefault(l => l.StartsWith($"{id} ", StringComparison.Ordinal) && l.Contains(contains, StringComparison.Ordinal));

    [Fact]
    public async Task TheSignallingPeerIsLearnedAfterTheServersProbation()
    {
        await StartAsync(MediaLatching.SignallingOrSdp, probation: 6);
        var (call, client, port) = await CallBehindNatAsync();
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
        await StartAsync(MediaLatching.SdpOnly, probation: 4);
        var (call, client, port) = await CallBehindNatAsync();
        await using var _ = client;
        SendRtp(port, 20);
        await TestWait.UntilAsync(() => Line(2314, "(10 so far)") is not null, "event 2314");
        await call.Dialog!.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await TestWait.UntilAsync(() => Line(2315, "openum gateway set gw --media-latching SignallingOrSdp") is not null, "event 2315");
        Assert.Null(Line(2302, ""));
    }
}
