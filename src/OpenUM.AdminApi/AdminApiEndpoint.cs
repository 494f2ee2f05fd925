using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenUM.Security;
using OpenUM.Server.Metrics;
using OpenUM.Sip;

namespace OpenUM.AdminApi;

/// <summary>
/// The HTTPS admin API on Kestrel: every request replayed through the management command tree (<see cref="ApiRoutes"/>),
/// rate-limited per client address before anything else, authenticated by a trusted client certificate or a token.
/// TLS is the server's own (the certificate SIP over TLS presents, the same cipher suites and trust list).
/// </summary>
internal sealed class AdminApiEndpoint : IAsyncDisposable
{
    /// <summary>Connections held at once: a few administrators and their tools.</summary>
    public const int MaxConnections = 64;

    private readonly WebApplication _app;

    private AdminApiEndpoint(WebApplication app, IPEndPoint endPoint) => (_app, EndPoint) = (app, endPoint);

    /// <summary>The bound address and port (the port chosen when 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Binds and starts; <paramref name="tls"/> gives the TLS side in force at each handshake (a renewed certificate needs no restart).</summary>
    public static async Task<AdminApiEndpoint> StartAsync(AdminApiSettings settings, CommandRunner runner, Func<TlsContext> tls, MetricsHistory history,
        ILogger logger, TimeProvider time, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "OpenUM.AdminApi" });
        builder.Logging.ClearProviders(); // the API's own events say what matters; Kestrel's would let strangers write lines
        // One throttle for every refusal a stranger can cause here (handshakes, rate limit, authentication): together at
        // most its global cap of lines per 10 s, however the flood mixes them.
        var refusals = new LogThrottle(time, TimeSpan.FromSeconds(10));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            var limits = k.Limits;
            limits.MaxConcurrentConnections = MaxConnections;
            limits.MaxConcurrentUpgradedConnections = 0;
            limits.MaxRequestBodySize = AdminApiSettings.MaxBodyBytes;
            limits.MaxRequestLineSize = 4096;
            limits.MaxRequestHeaderCount = 32;
            limits.MaxRequestHeadersTotalSize = 16 * 1024;
            limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
            k.Listen(settings.EndPoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.UseHttps(new TlsHandshakeCallbackOptions
                {
                    HandshakeTimeout = TimeSpan.FromSeconds(10),
                    OnConnection = context => ValueTask.FromResult(tls().CreateAdministrationOptions(result =>
                    {
                        if (result.Accepted) return;
                        string remote = (context.Connection.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "?";
                        if (refusals.ShouldLog("tls/" + remote + "/" + result.Thumbprint, out int suppressed))
                            AdminApiEvents.ClientCertificateRefused(logger, remote, result.Subject, result.Thumbprint, result.Reason.ToString()!,
                                result.Detail, LogThrottle.Describe(suppressed));
                    })),
                });
            });
        });
        builder.Services.AddRateLimiter(options => RateLimits(options, settings, logger, refusals));
        var app = builder.Build();
        // Every answer, a 429 included: JSON never sniffed as something else, never framed, HTTPS only from now on.
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            headers.StrictTransportSecurity = "max-age=31536000";
            await next(context).ConfigureAwait(false);
        });
        app.UseRateLimiter();
        var authentication = new ApiAuthentication(settings.DataDirectory, logger, refusals);
        var handler = new ApiHandler(runner, authentication, settings);
        var verbs = ApiRoutes.From(runner.Root);
        foreach (var verb in verbs)
            app.MapMethods(verb.Route, [verb.Method], context => handler.HandleAsync(context, verb));
        new WebConsole.ConsoleEndpoint(runner, verbs, authentication, settings, new WebConsole.ConsoleSessions(time), history).Map(app);
        app.MapGet(MetricsHistoryJson.Route, async context =>
        {
            if (await handler.AuthorizeAsync(context, changes: false).ConfigureAwait(false) is null) return;
            context.Response.Headers.CacheControl = "no-store";
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(MetricsHistoryJson.Write(history.Read()), context.RequestAborted).ConfigureAwait(false);
        });
        string openApi = OpenApiDocument.Write(verbs);
        app.MapGet(ApiRoutes.Prefix + "/openapi.json", async context =>
        {
            if (await handler.AuthorizeAsync(context, changes: false).ConfigureAwait(false) is null) return;
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(openApi, context.RequestAborted).ConfigureAwait(false);
        });
        app.MapFallback(context => Problems.WriteAsync(context, 404, $"error: no such endpoint; see {ApiRoutes.Prefix}/openapi.json."));
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"cannot listen for the admin API on {settings.EndPoint}: {(e.InnerException ?? e).Message}", e);
        }
        string? address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var bound = address is not null && Uri.TryCreate(address, UriKind.Absolute, out var uri)
            ? new IPEndPoint(settings.EndPoint.Address, uri.Port) : settings.EndPoint;
        AdminApiEvents.Listening(logger, bound.ToString(), authentication.Count);
        return new AdminApiEndpoint(app, bound);
    }

    // A token bucket per client (an IPv4 address, an IPv6 /64: one host holds a whole /64 and could rotate through it),
    // chained with one bucket for everyone, so that many clients together still cost bounded work. Checked before
    // authentication, so a flood of guesses costs the server little.
    private static void RateLimits(RateLimiterOptions options, AdminApiSettings settings, ILogger logger, LogThrottle throttle)
    {
        var perClient = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            RateLimitPartition.GetTokenBucketLimiter(ClientKey(context.Connection.RemoteIpAddress), _ =>
                Bucket(settings.Burst, settings.RequestsPerSecond, settings.ReplenishmentPeriod)));
        var everyone = PartitionedRateLimiter.Create<HttpContext, string>(_ =>
            RateLimitPartition.GetTokenBucketLimiter("", _ => Bucket(settings.GlobalBurst, settings.GlobalRequestsPerSecond, settings.ReplenishmentPeriod)));
        options.GlobalLimiter = PartitionedRateLimiter.CreateChained(perClient, everyone);
        options.OnRejected = async (rejected, ct) =>
        {
            var context = rejected.HttpContext;
            string client = ClientKey(context.Connection.RemoteIpAddress);
            int seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (throttle.ShouldLog("429/" + client, out int suppressed))
                AdminApiEvents.RateLimited(logger, client, settings.RequestsPerSecond, settings.Burst, settings.GlobalRequestsPerSecond, LogThrottle.Describe(suppressed));
            await Problems.WriteAsync(context, 429, $"error: too many requests from {client} or from all clients together " +
                $"(at most {settings.RequestsPerSecond} a second per client); retry after {seconds} s.").ConfigureAwait(false);
        };
    }

    private static TokenBucketRateLimiterOptions Bucket(int burst, int perPeriod, TimeSpan period) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perPeriod,
        ReplenishmentPeriod = period,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>Whose bucket a request takes from: the IPv4 address (an IPv4-mapped one as IPv4), or the IPv6 /64.</summary>
    internal static string ClientKey(IPAddress? address)
    {
        if (address is null) return IPAddress.None.ToString();
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4().ToString();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>Stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        try { await _app.StopAsync(CancellationToken.None).ConfigureAwait(false); }
        finally { await _app.DisposeAsync().ConfigureAwait(false); }
    }
}
