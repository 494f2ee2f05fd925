using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenUM.Server;
using OpenUM.Server.Metrics;

namespace OpenUM.AdminApi;

/// <summary>
/// Runs the <see cref="AdminApiEndpoint"/> beside the UM service when `openum serve --admin-api-port` asks for it. An
/// endpoint that cannot listen is a failed start (1038), as a SIP port that cannot be bound is.
/// </summary>
internal sealed class AdminApiService(AdminApiSettings settings, RootCommand root, UmService service, MetricsHistory history, TimeProvider time,
    ILoggerFactory loggers, IHostApplicationLifetime lifetime) : IServeComponent
{
    private readonly ILogger _logger = loggers.CreateLogger("OpenUM.AdminApi");
    private AdminApiEndpoint? _endpoint;

    /// <inheritdoc />
    public int ExitCode { get; private set; }

    /// <summary>Adds the admin API to `openum serve`'s services; requests replay through <paramref name="root"/>.</summary>
    public static void Register(IServiceCollection services, AdminApiSettings settings, RootCommand root)
    {
        services.AddSingleton(sp => new AdminApiService(settings, root, sp.GetRequiredService<UmService>(),
            sp.GetRequiredService<MetricsHistory>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<IHostApplicationLifetime>()));
        services.AddSingleton<IServeComponent>(sp => sp.GetRequiredService<AdminApiService>());
        services.AddHostedService(sp => sp.GetRequiredService<AdminApiService>());
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken ct)
    {
        if (service.ExitCode != 0) return;
        try
        {
            // The certificate now, not at the first handshake: a store without a usable one is a failed start, not a silent endpoint.
            _ = service.CurrentTls();
            _endpoint = await AdminApiEndpoint.StartAsync(settings, new CommandRunner(root), service.CurrentTls, history, _logger, time, ct).ConfigureAwait(false);
            service.AdminApiEndPoint = _endpoint.EndPoint;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            ServerEvents.FailedToStart(_logger, e.Message + ". Choose another address or port with --admin-api-address/--admin-api-port, or leave them out.");
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
