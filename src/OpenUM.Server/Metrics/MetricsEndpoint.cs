using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace OpenUM.Server.Metrics;

/// <summary>
/// The metrics endpoint on Kestrel: GET /metrics (the OpenUM.* meters in the Prometheus text format, by OpenTelemetry's
/// exporter) and GET /health, nothing else. OpenTelemetry was chosen over prometheus-net because it exports the
/// System.Diagnostics.Metrics instruments the layers already use, as they are, and its Kestrel hosting is the one the
/// HTTPS admin API will share. Strangers may reach it when an address is given, so requests are small and bounded.
/// </summary>
public sealed class MetricsEndpoint : IAsyncDisposable
{
    /// <summary>Connections held at once; a scraper needs one, a load balancer one or two.</summary>
    public const int MaxConnections = 16;

    private static readonly string? Version = typeof(MetricsEndpoint).Assembly.GetName().Version?.ToString(3);
    private readonly WebApplication _app;

    private MetricsEndpoint(WebApplication app) => _app = app;

    /// <summary>The bound address and port (the port chosen when 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>
    /// Binds and starts the endpoint; <paramref name="certificate"/> gives the server certificate for each HTTPS
    /// handshake (so a renewed certificate is presented without a restart). Throws IOException when it cannot listen.
    /// </summary>
    public static async Task<MetricsEndpoint> StartAsync(MetricsOptions options, HealthProbe health, Func<X509Certificate2>? certificate,
        CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "OpenUM.Metrics" });
        // The service's own events say what matters (2340, 1038); Kestrel's request logging would let strangers write lines.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            var limits = k.Limits;
            limits.MaxConcurrentConnections = MaxConnections;
            limits.MaxConcurrentUpgradedConnections = 0;
            limits.MaxRequestBodySize = 0;              // GET only (a body is refused with 413 below)
            limits.MaxRequestLineSize = 1024;
            limits.MaxRequestHeaderCount = 32;
            limits.MaxRequestHeadersTotalSize = 8 * 1024;
            limits.RequestHeadersTimeout = TimeSpan.FromSeconds(5);
            limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
            k.Listen(options.EndPoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                if (options.Tls && certificate is not null)
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificateSelector = (_, _) => certificate();
                        https.HandshakeTimeout = TimeSpan.FromSeconds(5);
                    });
            });
        });
        builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService("openum", serviceVersion: Version))
            .WithMetrics(m => m.AddMeter(MetricsOptions.MeterPattern)
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 1000));
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            bool known = request.Path == "/metrics" || request.Path == "/health";
            if (!known) { context.Response.StatusCode = StatusCodes.Status404NotFound; return; }
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                context.Response.Headers.Allow = "GET, HEAD";
                return;
            }
            if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            {
                // Neither answer reads a body, so Kestrel's MaxRequestBodySize would never see one: refused here.
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return;
            }
            await next(context).ConfigureAwait(false);
        });
        app.MapGet("/health", async context =>
        {
            var (healthy, why) = await health.CheckAsync(context.RequestAborted).ConfigureAwait(false);
            context.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsync(healthy ? "ok\n" : why + "\n", context.RequestAborted).ConfigureAwait(false);
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"cannot listen for metrics on {options.EndPoint}: {(e.InnerException ?? e).Message}", e);
        }
        var endpoint = new MetricsEndpoint(app);
        string? address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        endpoint.EndPoint = address is not null && Uri.TryCreate(address, UriKind.Absolute, out var uri)
            ? new IPEndPoint(options.EndPoint.Address, uri.Port) : options.EndPoint;
        return endpoint;
    }

    /// <summary>Stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        try { await _app.StopAsync(CancellationToken.None).ConfigureAwait(false); }
        finally { await _app.DisposeAsync().ConfigureAwait(false); }
    }
}
