using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;

namespace OpenUM.Calls.Tests;

// A call's lifetime ends with its dialog: on the pool when the BYE comes later, at once when it came first.
public sealed class CallLifetimeTests : IAsyncLifetime
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30); // a hang guard, not a timing claim
    private readonly SipUserAgent _server = Agent(tcpPort: 0);
    private readonly SipUserAgent _gateway = Agent(tcpPort: null);
    private readonly TaskCompletionSource<SipDialog> _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static SipUserAgent Agent(int? tcpPort) =>
        new(new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = tcpPort }, TimeProvider.System, NullLogger.Instance);

    public async Task InitializeAsync()
    {
        _server.OnIncomingCall = call =>
        {
            _answered.TrySetResult(call.Accept(Encoding.UTF8.GetBytes("v=0\r\n")));
            return ValueTask.CompletedTask;
        };
        await _server.StartAsync(CancellationToken.None);
        await _gateway.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _server.DisposeAsync();
    }

    // The gateway's call, answered: its dialog and the server's.
    private async Task<(SipDialog Gateway, SipDialog Server)> CallAsync()
    {
        var endpoint = _server.LocalEndPoints[0];
        var result = await _gateway.InviteAsync(new OutgoingCallRequest(endpoint,
            SipUri.Parse($"sip:1000@127.0.0.1:{endpoint.Port};transport=tcp"), new SipNameAddress(SipUri.Parse("sip:5551234@127.0.0.1")),
            new SipNameAddress(SipUri.Parse("sip:1000@127.0.0.1")), Encoding.UTF8.GetBytes("v=0\r\n")), CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(200, result.StatusCode);
        var server = await _answered.Task.WaitAsync(Guard);
        await server.Confirmed.WaitAsync(Guard);
        return (result.Dialog!, server);
    }

    [Fact]
    public async Task A_dialog_that_ended_before_the_call_ran_ends_the_lifetime_at_once()
    {
        var (gateway, server) = await CallAsync();
        await gateway.ByeAsync().WaitAsync(Guard);
        await server.Terminated.WaitAsync(Guard);

        using var life = new CallLifetime(server, _server.Wheel, TimeSpan.FromHours(1), CancellationToken.None);

        // No hand-off to the pool in between: the token is already cancelled when the constructor returns.
        Assert.True(life.Token.IsCancellationRequested);
        Assert.Equal(nameof(SipDialogEndReason.RemoteBye), life.EndReason);
    }

    [Fact]
    public async Task A_bye_during_the_call_ends_the_lifetime_off_the_connections_read_loop()
    {
        var (gateway, server) = await CallAsync();
        using var life = new CallLifetime(server, _server.Wheel, TimeSpan.FromHours(1), CancellationToken.None);
        var cancelledOn = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = life.Token.Register(() => cancelledOn.TrySetResult(new StackTrace().ToString()));
        Assert.False(life.Token.IsCancellationRequested);

        await gateway.ByeAsync().WaitAsync(Guard);

        // What the call runs when its token is cancelled must not hold the connection that brought the BYE.
        var stack = await cancelledOn.Task.WaitAsync(Guard);
        Assert.DoesNotContain("ReadLoop", stack, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(SipDialog), stack, StringComparison.Ordinal);
        Assert.Equal(nameof(SipDialogEndReason.RemoteBye), life.EndReason);
    }
}
