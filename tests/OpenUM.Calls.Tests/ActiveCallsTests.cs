using OpenUM.Calls.Tests.Harness;

namespace OpenUM.Calls.Tests;

/// <summary>The active-call list (Get-UMActiveCalls): what it shows of real calls through the controller.</summary>
public sealed class ActiveCallsTests
{
    [Fact]
    public async Task AnAnsweredCallIsListedWithItsGatewayDialPlanExtensionAndMediaUntilItEnds()
    {
        await using var harness = await CallControllerHarness.StartAsync();
        Assert.Empty(harness.Controller.Calls.Snapshot());
        var (result, client) = await harness.CallAsync("1000");
        await using var _ = client;
        Assert.Equal(200, result.StatusCode);

        var call = Assert.Single(harness.Controller.Calls.Snapshot());
        Assert.Equal(result.Dialog!.CallId, call.CallId);
        Assert.Equal(CallControllerHarness.Gateway.Name, call.Gateway);
        Assert.Equal(CallControllerHarness.Plan.Name, call.DialPlan);
        Assert.Equal(CallControllerHarness.Extension, call.Extension);
        Assert.Equal("5551234", call.CallerId);
        Assert.Equal("Tcp", call.Transport);
        Assert.Equal("PCMU", call.Media);
        Assert.Null(call.SrtpSuite);
        Assert.StartsWith("127.0.0.1:", call.Remote, StringComparison.Ordinal);
        Assert.True(call.Duration >= TimeSpan.Zero && call.StartedAt <= DateTimeOffset.UtcNow, $"{call.StartedAt} {call.Duration}");
        // The greeting plays first; the call moves on to recording by itself (the caller is silent).
        Assert.Contains(call.State, new[] { ActiveCallState.Answering, ActiveCallState.Greeting, ActiveCallState.Recording });
        await TestWait.UntilAsync(() => harness.Controller.Calls.Snapshot() is [{ State: ActiveCallState.Recording }], "the Recording state");
        Assert.Equal(1, harness.Controller.Calls.Count);

        await result.Dialog.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await TestWait.UntilAsync(() => harness.Controller.Calls.Count == 0, "the call to leave the list");
        Assert.Empty(harness.Controller.Calls.Snapshot());
    }

    [Fact]
    public async Task ARefusedCallIsNeverListed()
    {
        await using var harness = await CallControllerHarness.StartAsync();
        harness.Configuration = CallControllerHarness.Snapshot(server: CallControllerHarness.Server with { MaxCallsAllowed = 0 });
        var (result, client) = await harness.CallAsync("1000");
        await using var _ = client;
        Assert.Equal(503, result.StatusCode);
        Assert.Empty(harness.Controller.Calls.Snapshot());
    }
}
