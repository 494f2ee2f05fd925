using Microsoft.Extensions.Logging;

namespace OpenUM.AdminApi;

/// <summary>Events of the admin API (docs/events.md: 2360-2369; 2365 and 2366 are the token commands').</summary>
internal static partial class AdminApiEvents
{
    [LoggerMessage(EventId = 2360, EventName = "AdminApiListening", Level = LogLevel.Information,
        Message = "Admin API listening on https://{EndPoint}/api/v1/ ({Tokens} tokens; client certificates from the trusted store)")]
    public static partial void Listening(ILogger logger, string endPoint, int tokens);

    [LoggerMessage(EventId = 2361, EventName = "AdminApiAuthenticationFailed", Level = LogLevel.Warning,
        Message = "Admin API request from {RemoteAddress} refused (401): {Reason}{Suppressed}")]
    public static partial void AuthenticationFailed(ILogger logger, string remoteAddress, string reason, string suppressed);

    [LoggerMessage(EventId = 2362, EventName = "AdminApiClientCertificateRefused", Level = LogLevel.Warning,
        Message = "Admin API TLS handshake from {RemoteAddress} refused: client certificate {Subject} ({Thumbprint}) {Reason}: {Detail}{Suppressed}")]
    public static partial void ClientCertificateRefused(ILogger logger, string remoteAddress, string? subject, string? thumbprint, string reason,
        string detail, string suppressed);

    [LoggerMessage(EventId = 2363, EventName = "AdminApiForbidden", Level = LogLevel.Warning,
        Message = "Admin API: {Actor} may only read; {Method} {Path} refused (403){Suppressed}")]
    public static partial void Forbidden(ILogger logger, string actor, string method, string path, string suppressed);

    [LoggerMessage(EventId = 2364, EventName = "AdminApiRateLimited", Level = LogLevel.Warning,
        Message = "Admin API: {RemoteAddress} refused with 429: over its {PerSecond} requests a second (bursts of {Burst}), or all clients over {GlobalPerSecond}{Suppressed}")]
    public static partial void RateLimited(ILogger logger, string remoteAddress, int perSecond, int burst, int globalPerSecond, string suppressed);
}
