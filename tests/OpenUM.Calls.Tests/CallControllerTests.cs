using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Calls.Tests.Harness;
using OpenUM.Directory;
using OpenUM.Sip.Dialogs;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests;

/// <summary>
/// The call layer on loopback: a real SipUserAgent + CallController as the server, a second
/// SipUserAgent as the gateway. Covers the decisions taken before and after answering.
/// </summary>
public sealed class CallControllerTests : IAsyncLifetime
{
    private CallControllerHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await CallControllerHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task ASecuredDialPlanRefusesCallsOverTcp()
    {
        _harness.Configuration = CallControllerHarness.Snapshot(CallControllerHarness.Plan with { VoipSecurity = VoipSecurity.SipSecured });
        var (result, client) = await _harness.CallAsync("1000");
        await using var _ = client;
        Assert.Equal(403, result.StatusCode);
        Assert.Null(result.Dialog);
    }

    [Fact]
    public async Task CallsOverMaxCallsAllowedGet503WithRetryAfter()
    {
        _harness.Configuration = CallControllerHarness.Snapshot(server: CallControllerHarness.Server with { MaxCallsAllowed = 1 });
        var (first, client1) = await _harness.CallAsync("1000");
        await using var c1 = client1;
        Assert.Equal(200, first.StatusCode);
        var (second, client2) = await _harness.CallAsync("1000");
        await using var c2 = client2;
        Assert.Equal(503, second.StatusCode);
        Assert.Equal("30", second.FinalResponse!.Headers.Get("Retry-After"));
        await first.Dialog!.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ADisabledGatewayIsRefused()
    {
        _harness.Configuration = CallControllerHarness.Snapshot(gateway: CallControllerHarness.Gateway with { Status = UmStatus.Disabled });
        var (result, client) = await _harness.CallAsync("1000");
        await using var _ = client;
        Assert.Equal(503, result.StatusCode);
    }

    [Fact]
    public async Task AnUnknownMailboxHearsAPromptAndTheServerHangsUp()
    {
        var (result, client) = await _harness.CallAsync("9999");
        await using var _ = client;
        Assert.Equal(200, result.StatusCode);
        var end = await result.Dialog!.Terminated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(SipDialogEndReason.RemoteBye, end.Reason);
        Assert.False(System.IO.Directory.Exists(_harness.Inbox) && System.IO.Directory.EnumerateFiles(_harness.Inbox).Any());
    }

    [Fact]
    public async Task MaxCallDurationEndsTheCallAndSaysSo()
    {
        // Shorter than the greeting: the server must hang up on its own, for that reason.
        _harness.Configuration = CallControllerHarness.Snapshot(CallControllerHarness.Plan with { MaxCallDuration = TimeSpan.FromSeconds(2) });
        var (result, client) = await _harness.CallAsync("1000");
        await using var _ = client;
        Assert.Equal(200, result.StatusCode);
        var end = await result.Dialog!.Terminated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(SipDialogEndReason.RemoteBye, end.Reason);
        await TestWait.UntilAsync(() => _harness.Events.Lines().Any(l => l.StartsWith("2003 ", StringComparison.Ordinal)), "event 2003");
        Assert.Contains(_harness.Events.Lines(), l => l.StartsWith("2003 ", StringComparison.Ordinal) && l.Contains("MaxCallDuration reached", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TestConnectivityLeavesAMessageInTheMailbox()
    {
        var test = new ConnectivityTest(TimeProvider.System, NullLogger.Instance);
        var outcome = await test.RunAsync(_harness.EndPoint, "1000", _harness.GatewayPorts, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(outcome.EntireOperationSuccess, outcome.ReasonForFailure);
        Assert.True(outcome.RtpPacketsReceived > 100, "the greeting arrives as RTP");
        string inbox = _harness.Inbox;
        // Delivery follows the hang-up; wait for it (hang guard only).
        for (int i = 0; i < 100 && !(System.IO.Directory.Exists(inbox) && System.IO.Directory.EnumerateFiles(inbox).Any()); i++)
            await Task.Delay(100);
        var message = await MimeKit.MimeMessage.LoadAsync(System.IO.Directory.EnumerateFiles(inbox).Single());
        Assert.Equal("1000", message.Headers["X-OpenUM-CalledExtension"]);
        Assert.Single(message.Attachments);
    }
}
