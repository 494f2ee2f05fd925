using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenUM.Directory;

namespace OpenUM.Server.Metrics;

/// <summary>
/// Runs the <see cref="MetricsEndpoint"/> beside the UM service when `--metrics-listen` asks for it (off otherwise). An
/// endpoint that cannot listen is a failed start (1038), as a SIP port that cannot be bound is.
/// </summary>
public sealed class MetricsService(ServeOptions options, UmService service, IConfigurationStore store, TimeProvider time,
    ILoggerFactory loggers, IHostApplicationLifetime lifetime) : IHostedService
{
    private readonly ILogger _logger = loggers.CreateLogger("OpenUM.Server");
    private MetricsEndpoint? _endpoint;

    /// <summary>0, or 1 when the endpoint could not start.</summary>
    public int ExitCode { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken ct)
    {
        if (options.Metrics is not { } metrics || service.ExitCode != 0) return;
        try
        {
            var health = new HealthProbe(() => service.Listening, store, time);
            _endpoint = await MetricsEndpoint.StartAsync(metrics, health, metrics.Tls ? service.ServerCertificate : null, ct).ConfigureAwait(false);
            MetricsEvents.Listening(_logger, metrics.Tls ? "https" : "http", _endpoint.EndPoint.ToString());
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            ServerEvents.FailedToStart(_logger, e.Message + ". Choose another address or port with --metrics-listen, or leave it out to run without metrics.");
            ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken ct)
    {
        if (_endpoint is not null) await _endpoint.DisposeAsync().ConfigureAwait(false);
        _endpoint = null;
    }
}
