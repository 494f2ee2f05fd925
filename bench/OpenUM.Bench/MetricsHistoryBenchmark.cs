using BenchmarkDotNet.Attributes;
using OpenUM.Calls;
using OpenUM.Server.Metrics;

namespace OpenUM.Bench;

/// <summary>
/// What the console's metrics history costs on the call path: the call layer's own counting (CallMetrics, as the SIP
/// handler calls it) with nobody listening, the reference, beside the same calls while a MetricsHistory listens (as in
/// `openum serve`). Each Listening value runs in its own process, so the reference has no listener at all.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ExactBytesConfig))]
public class MetricsHistoryBenchmark
{
    private MetricsHistory? _history;

    /// <summary>Whether a MetricsHistory listens to the instruments.</summary>
    [Params(false, true)]
    public bool Listening { get; set; }

    /// <summary>Starts the history when listening.</summary>
    [GlobalSetup]
    public void Setup()
    {
        LoadAverage.Report($"{nameof(MetricsHistoryBenchmark)}(Listening={Listening})");
        _history = new MetricsHistory(TimeProvider.System);
        if (Listening) _history.Start();
    }

    /// <summary>Stops it.</summary>
    [GlobalCleanup]
    public void Cleanup() => _history?.Dispose();

    /// <summary>One answered call counted (openum.calls{outcome=answered}).</summary>
    [Benchmark]
    public void CallAnswered() => CallMetrics.CallAnswered();

    /// <summary>One refused call counted: openum.calls{outcome=refused} and openum.refusals{reason,event_id}.</summary>
    [Benchmark]
    public void CallRefused() => CallMetrics.CallRefused(RefusalReason.MaxCalls);
}
