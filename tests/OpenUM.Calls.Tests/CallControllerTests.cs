using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Delivery;
using OpenUM.Delivery.Spool;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Sdp;
using OpenUM.Media.Session;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests;

/// <summary>
/// The call layer on loopback: a real SipUserAgent + CallController as the server, a second
/// SipUserAgent as the gateway. Covers the decisions taken before and after answering.
/// </summary>
public sealed class CallControllerTests : IAsyncLifetime
{
    private static int s_nextRange = 24000;
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-calls-").FullName;
    private readonly int _rtpFirst = Interlocked.Add(ref s_nextRange, 100) - 100;
    private ConfigurationSnapshot _config = Snapshot();
    private SipUserAgent _server = null!;
    private CallController _controller = null!;
    private MediaClock _clock = null!;
    private TrustedPeers _peers = null!;
    private IPEndPoint _endpoint = null!;

    private readonly FakeLogger _events = new();

    private static ConfigurationSnapshot Snapshot(VoipSecurity security = VoipSecurity.Unsecured, int maxCalls = 100,
        UmStatus gatewayStatus = UmStatus.Enabled, TimeSpan? maxCallDuration = null) => new(1,
        [new DialPlan { Name = "Test", NumberOfDigitsInExtension = 4, VoipSecurity = security, MaxCallDuration = maxCallDuration ?? TimeSpan.FromMinutes(30) }],
        [new IpGateway { Name = "gw", Address = "127.0.0.1", Status = gatewayStatus }],
        [new HuntGroup { Name = "gw-Test", IpGateway = "gw", DialPlan = "Test" }],
        [new UmServer { Name = "um1", MaxCallsAllowed = maxCalls }],
        [new Mailbox { Extension = "1000", DialPlan = "Test", EmailAddress = "user1000@example.test", DisplayName = "User 1000" }]);

    public async Task InitializeAsync()
    {
        _server = new SipUserAgent(new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = 0 }, TimeProvider.System, NullLogger.Instance);
        _clock = new MediaClock(TimeProvider.System);
        _peers = new TrustedPeers(NullLogger.Instance);
        await _peers.RebuildAsync(_config, CancellationToken.None);
        _controller = new CallController(() => _config, _peers, new RtpPortRange(_rtpFirst, _rtpFirst + 49), _clock, _server.Wheel,
            new VoiceMessageSpool(Path.Combine(_root, "spool"), new MaildirSink(Path.Combine(_root, "maildir")), _events), PromptLibrary.Default,
            new CallControllerOptions("um1", _root), TimeProvider.System, _events);
        _server.Admit = _controller.Admit;
        _server.OnIncomingCall = _controller.OnIncomingCall;
        await _server.StartAsync(CancellationToken.None);
        _endpoint = _server.LocalEndPoints[0];
    }

    public async Task DisposeAsync()
    {
        await _controller.DisposeAsync();
        await _server.DisposeAsync();
        await _clock.DisposeAsync();
        System.IO.Directory.Delete(_root, recursive: true);
    }

    private async Task<(OutgoingCallResult Result, SipUserAgent Client)> CallAsync(string extension)
    {
        var client = new SipUserAgent(new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = null }, TimeProvider.System, NullLogger.Instance);
        await client.StartAsync(CancellationToken.None);
        var offer = OfferAnswer.CreateOffer(MediaCapabilities.Default, IPAddress.Loopback, _rtpFirst + 60).Sdp;
        var request = new OutgoingCallRequest(_endpoint, SipUri.Parse($"sip:{extension}@127.0.0.1:{_endpoint.Port};transport=tcp"),
            new SipNameAddress(SipUri.Parse("sip:5551234@127.0.0.1"), "Caller"), new SipNameAddress(SipUri.Parse($"sip:{extension}@127.0.0.1")),
            Encoding.UTF8.GetBytes(offer.ToString()));
        var result = await client.InviteAsync(request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return (result, client);
    }

    [Fact]
    public async Task ASecuredDialPlanRefusesCallsOverTcp()
    {
        _config = Snapshot(VoipSecurity.SipSecured);
        var (result, client) = await CallAsync("1000");
        await using var _ = client;
        Assert.Equal(403, result.StatusCode);
        Assert.Null(result.Dialog);
    }

    [Fact]
    public async Task CallsOverMaxCallsAllowedGet503WithRetryAfter()
    {
        _config = Snapshot(maxCalls: 1);
        var (first, client1) = await CallAsync("1000");
        await using var c1 = client1;
        Assert.Equal(200, first.StatusCode);
        var (second, client2) = await CallAsync("1000");
        await using var c2 = client2;
        Assert.Equal(503, second.StatusCode);
        Assert.Equal("30", second.FinalResponse!.Headers.Get("Retry-After"));
        await first.Dialog!.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ADisabledGatewayIsRefused()
    {
        _config = Snapshot(gatewayStatus: UmStatus.Disabled);
        var (result, client) = await CallAsync("1000");
        await using var _ = client;
        Assert.Equal(503, result.StatusCode);
    }

    [Fact]
    public async Task AnUnknownMailboxHearsAPromptAndTheServerHangsUp()
    {
        var (result, client) = await CallAsync("9999");
        await using var _ = client;
        Assert.Equal(200, result.StatusCode);
        var end = await result.Dialog!.Terminated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(SipDialogEndReason.RemoteBye, end.Reason);
        Assert.False(System.IO.Directory.Exists(Path.Combine(_root, "maildir", "user1000@example.test", "new"))
            && System.IO.Directory.EnumerateFiles(Path.Combine(_root, "maildir", "user1000@example.test", "new")).Any());
    }

    [Fact]
    public async Task MaxCallDurationEndsTheCallAndSaysSo()
    {
        // Shorter than the greeting: the server must hang up on its own, for that reason.
        _config = Snapshot(maxCallDuration: TimeSpan.FromSeconds(2));
        var (result, client) = await CallAsync("1000");
        await using var _ = client;
        Assert.Equal(200, result.StatusCode);
        var end = await result.Dialog!.Terminated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(SipDialogEndReason.RemoteBye, end.Reason);
        await TestWait.UntilAsync(() => _events.Lines().Any(l => l.StartsWith("2003 ", StringComparison.Ordinal)), "event 2003");
        Assert.Contains(_events.Lines(), l => l.StartsWith("2003 ", StringComparison.Ordinal) && l.Contains("MaxCallDuration reached", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TestConnectivityLeavesAMessageInTheMailbox()
    {
        var test = new ConnectivityTest(TimeProvider.System, NullLogger.Instance);
        var outcome = await test.RunAsync(_endpoint, "1000", new RtpPortRange(_rtpFirst + 60, _rtpFirst + 99), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(outcome.EntireOperationSuccess, outcome.ReasonForFailure);
        Assert.True(outcome.RtpPacketsReceived > 100, "the greeting arrives as RTP");
        string inbox = Path.Combine(_root, "maildir", "user1000@example.test", "new");
        // Delivery follows the hang-up; wait for it (hang guard only).
        for (int i = 0; i < 100 && !(System.IO.Directory.Exists(inbox) && System.IO.Directory.EnumerateFiles(inbox).Any()); i++)
            await Task.Delay(100);
        var message = await MimeKit.MimeMessage.LoadAsync(System.IO.Directory.EnumerateFiles(inbox).Single());
        Assert.Equal("1000", message.Headers["X-OpenUM-CalledExtension"]);
        Assert.Single(message.Attachments);
    }
}

internal static class TestWait
{
    /// <summary>Polls until the condition holds; a 30 s hang guard, not a timing claim.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(20);
        }
    }
}
