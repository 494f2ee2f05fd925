using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Metrics;

/// <summary>Events of the metrics endpoint (docs/events.md).</summary>
public static partial class MetricsEvents
{
    [LoggerMessage(EventId = 2340, EventName = "MetricsListening", Level = LogLevel.Information,
        Message = "Metrics and health endpoint listening on {Scheme}://{EndPoint} (GET /metrics, GET /health)")]
    public static partial void Listening(ILogger logger, string scheme, string endPoint);
}
