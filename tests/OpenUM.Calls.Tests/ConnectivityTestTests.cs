using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Calls.Tests.Harness;
using OpenUM.Directory;

namespace OpenUM.Calls.Tests;

/// <summary>TOOL-1: what `openum test-connectivity` reports when the server refuses the call: the server's reason, not only the status.</summary>
public sealed class ConnectivityTestTests : IAsyncLifetime
{
    private CallControllerHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await CallControllerHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task ARefusedCallReportsTheServersReasonAndWhenToRetry()
    {
        _harness.Configuration = CallControllerHarness.Snapshot(server: CallControllerHarness.Server with { Status = UmStatus.NoNewCalls });
        var outcome = await new ConnectivityTest(TimeProvider.System, NullLogger.Instance)
            .RunAsync(_harness.EndPoint, "1000", _harness.GatewayPorts, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.False(outcome.EntireOperationSuccess);
        Assert.Equal(503, outcome.StatusCode);
        Assert.Equal($"call refused: 503 Service Unavailable: UM server {CallControllerHarness.Server.Name} is NoNewCalls (retry after 30 s)", outcome.ReasonForFailure);
    }

    [Fact]
    public async Task AForbiddenCallSaysWhy()
    {
        _harness.Configuration = CallControllerHarness.Snapshot(CallControllerHarness.Plan with { VoipSecurity = VoipSecurity.SipSecured });
        var outcome = await new ConnectivityTest(TimeProvider.System, NullLogger.Instance)
            .RunAsync(_harness.EndPoint, "1000", _harness.GatewayPorts, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(403, outcome.StatusCode);
        Assert.Contains("403 Forbidden: dial plan Test is SipSecured and the call came over Tcp", outcome.ReasonForFailure, StringComparison.Ordinal);
    }
}
