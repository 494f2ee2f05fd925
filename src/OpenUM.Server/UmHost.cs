using Microsoft.Extensions.DependencyInjection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using OpenUM.Directory;
using OpenUM.Server.Logging;

namespace OpenUM.Server;

/// <summary>Generic Host wiring for `openum serve`: logging (standard error and events.jsonl, or the systemd journal), and the UM service.</summary>
public static class UmHost
{
    /// <summary>
    /// Runs the service until the process is asked to stop; returns the exit code. <paramref name="extend"/> adds services
    /// of the layers above (the admin API), started after the UM service; those registered as <see cref="IServeComponent"/>
    /// take part in readiness and the exit code as the metrics endpoint does.
    /// </summary>
    public static async Task<int> RunAsync(ServeOptions options, CancellationToken ct, Action<IServiceCollection>? extend = null)
    {
        // Before anything can take descriptors: every pool thread the server will use (PoolThreads says why).
        PoolThreads.StartAll(PoolThreads.DefaultCount);
        var data = new DataDirectory(options.DataDirectory);
        RecordLogTarget(data, options.LogTarget);
        IConfigurationStore store;
        try
        {
            store = ConfigurationStores.Open(options.Store, data.ConfigDatabase);
        }
        catch (IOException e)
        {
            // An unreachable shared store (the message names it without its password) is a failed start (1038).
            using (var events = EventLog.For(data, options.LogTarget))
                ServerEvents.FailedToStart(events.CreateLogger("OpenUM.Server"), e.Message);
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        // Every event also goes to standard error, whether events.jsonl takes it or not: where a daemon logs
        // (daemon(7)), and what an operator reads when the disk of the data directory is full. Under systemd it
        // reaches the journal, with the event's priority. Disposed after the host, so the last lines are written.
        using var standardError = new StandardErrorLoggerProvider(TimeProvider.System, StandardErrorLoggerProvider.FormatForThisProcess(),
            EventLog.ToFile(options.LogTarget) ? "events.jsonl" : "no other log");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        JsonLinesLoggerProvider? eventFile = null;
        // The journal replaces standard error; what it does not take goes there.
        builder.Logging.AddProvider(EventLog.ToJournal(options.LogTarget)
            ? new JournaldLoggerProvider(JournaldLoggerProvider.DefaultSocket, standardError, JsonLinesLoggerProvider.Fallback, TimeProvider.System)
            : standardError);
        if (EventLog.ToFile(options.LogTarget))
        {
            eventFile = new JsonLinesLoggerProvider(data.EventLog, TimeProvider.System, options.EventLogRotation);
            builder.Logging.AddProvider(eventFile);
        }
        // The last warnings and errors for `openum status`, wherever the events go.
        var recent = new Control.RecentEvents(TimeProvider.System);
        builder.Logging.AddProvider(recent);
        builder.Services.AddSingleton(recent);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(data);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IConfigurationStore>(_ => store);
        // Type=notify: the library's notifier talks to NOTIFY_SOCKET; what is said when is ServiceManagerNotifier's. It is
        // keyed on NOTIFY_SOCKET rather than on AddSystemd()'s parent-process check, so it also works under a supervisor
        // that speaks sd_notify without being PID 1's systemd.
        builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
        builder.Services.AddSingleton<Systemd.ServiceManagerNotifier>();
        // The per-minute history of the console's charts: listening before the first call, with or without the console.
        builder.Services.AddSingleton<Metrics.MetricsHistory>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Metrics.MetricsHistory>());
        builder.Services.AddSingleton<UmService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<UmService>());
        // Metrics: after the UM service, whose listeners /health reports (does nothing without --metrics-listen).
        builder.Services.AddSingleton<Metrics.MetricsService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Metrics.MetricsService>());
        extend?.Invoke(builder.Services);
        using var host = builder.Build();
        // Rotation notes, write failures and gaps of events.jsonl also reach standard error.
        if (eventFile is not null) eventFile.Diagnostics = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(EventLogEvents.Category);
        var service = host.Services.GetRequiredService<UmService>();
        var metrics = host.Services.GetRequiredService<Metrics.MetricsService>();
        var components = host.Services.GetServices<IServeComponent>().ToList();
        // Type=notify: READY=1 once every listener is bound — SIP and metrics — and not after a failed start.
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() =>
        {
            if (service.ExitCode == 0 && metrics.ExitCode == 0 && components.All(c => c.ExitCode == 0) && !lifetime.ApplicationStopping.IsCancellationRequested) service.NotifyReady();
        });
        // `systemctl reload` (ExecReload=kill -HUP): re-read configuration and certificates. Unhandled, SIGHUP ends the process.
        using var reload = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
        {
            signal.Cancel = true;
            _ = service.ReloadAsync();
        });
        await host.RunAsync(ct).ConfigureAwait(false);
        return service.ExitCode != 0 ? service.ExitCode : metrics.ExitCode != 0 ? metrics.ExitCode
            : components.Select(c => c.ExitCode).FirstOrDefault(code => code != 0);
    }

    // CLI commands and `openum events` follow the server to where it logs (EventLog.RecordedTarget).
    private static void RecordLogTarget(DataDirectory data, EventLogTarget target)
    {
        try
        {
            EventLog.RecordTarget(data, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: cannot record the log target in {data.Root} ({e.Message}); CLI commands write their events to events.jsonl");
        }
    }
}
