using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenUM.Directory;

namespace OpenUM.Server;

/// <summary>Generic Host wiring for `openum serve`: logging to the console and events.jsonl, and the UM service.</summary>
public static class UmHost
{
    /// <summary>Runs the service until the process is asked to stop; returns the exit code.</summary>
    public static async Task<int> RunAsync(ServeOptions options, CancellationToken ct)
    {
        var data = new DataDirectory(options.DataDirectory);
        IConfigurationStore store;
        try
        {
            store = ConfigurationStores.Open(options.Store, data.ConfigDatabase);
        }
        catch (IOException e)
        {
            // An unreachable shared store (the message names it without its password) is a failed start (1038).
            using (var events = new JsonLinesLoggerProvider(data.EventLog, TimeProvider.System))
                ServerEvents.FailedToStart(events.CreateLogger("OpenUM.Server"), e.Message);
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
            o.UseUtcTimestamp = true;
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        builder.Logging.AddProvider(new JsonLinesLoggerProvider(data.EventLog, TimeProvider.System));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(data);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IConfigurationStore>(_ => store);
        builder.Services.AddSingleton<UmService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<UmService>());
        using var host = builder.Build();
        var service = host.Services.GetRequiredService<UmService>();
        await host.RunAsync(ct).ConfigureAwait(false);
        return service.ExitCode;
    }
}
