using OpenUM.Directory;

namespace OpenUM.Server.Metrics;

/// <summary>
/// GET /health for load balancers: healthy when the SIP listeners are bound and the configuration store answers. The
/// answer is kept for a second and one store query runs at a time, so a client polling in a loop costs the store at
/// most one query a second; a store that does not answer within <see cref="StoreTimeout"/> is unhealthy.
/// </summary>
public sealed class HealthProbe(Func<bool> listening, IConfigurationStore store, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTimeOffset At, bool Healthy, string Why) _last = (DateTimeOffset.MinValue, false, "");

    /// <summary>How long the store may take to give its version.</summary>
    public TimeSpan StoreTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Healthy or not, and a few words why not.</summary>
    public async Task<(bool Healthy, string Why)> CheckAsync(CancellationToken ct)
    {
        if (!listening()) return (false, "SIP listeners not bound");
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Whoever waited behind a check takes its answer.
            var last = _last;
            if (time.GetUtcNow() - last.At < CacheFor) return (last.Healthy, last.Why);
            (bool healthy, string why) = (true, "");
            try
            {
                await Task.Run(store.GetVersion, ct).WaitAsync(StoreTimeout, time, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                (healthy, why) = (false, "configuration store does not answer");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                (healthy, why) = (false, "configuration store failed");
            }
            _last = (time.GetUtcNow(), healthy, why);
            return (healthy, why);
        }
        finally
        {
            _gate.Release();
        }
    }
}
