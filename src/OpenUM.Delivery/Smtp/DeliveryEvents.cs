using Microsoft.Extensions.Logging;

namespace OpenUM.Delivery.Smtp;

/// <summary>SMTP delivery events (SPEC §8; 1082 and 1185 as in Exchange UM).</summary>
public static partial class DeliveryEvents
{
    [LoggerMessage(EventId = 1082, EventName = "NoSmartHostReachable", Level = LogLevel.Error,
        Message = "No smart host reachable: {SmartHost}: {Reason}. {Queued} voice messages stay in the outbox; next attempt in {RetrySeconds:F0} s")]
    public static partial void NoSmartHostReachable(ILogger logger, string smartHost, string reason, int queued, double retrySeconds);

    [LoggerMessage(EventId = 1185, EventName = "VoiceMessageRejected", Level = LogLevel.Error,
        Message = "The smart host {SmartHost} rejected {What}: {Reason}. {Action}")]
    public static partial void Rejected(ILogger logger, string smartHost, string what, string reason, string action);

    [LoggerMessage(EventId = 2020, EventName = "VoiceMessageSubmitted", Level = LogLevel.Information,
        Message = "Voice message {ItemId} for {Recipient} (extension {Extension}, call {CallId}, Message-ID {MessageId}) accepted by {SmartHost} after {Attempts} attempts, {LatencyMs:F0} ms after it was queued: {Reply}")]
    public static partial void Submitted(ILogger logger, string itemId, string recipient, string extension, string callId, string messageId,
        string smartHost, int attempts, double latencyMs, string reply);

    [LoggerMessage(EventId = 2021, EventName = "VoiceMessageDeadLettered", Level = LogLevel.Error,
        Message = "Voice message {ItemId} for {Recipient} (call {CallId}) will not be delivered and was moved to {Folder}: {Reason}. `openum outbox retry --id {ItemId}` queues it again")]
    public static partial void DeadLettered(ILogger logger, string itemId, string recipient, string callId, string folder, string reason);

    [LoggerMessage(EventId = 2022, EventName = "SmtpDeliveryDeferred", Level = LogLevel.Warning,
        Message = "Voice message {ItemId} for {Recipient} deferred by {SmartHost} (attempt {Attempts}): {Reason}; next attempt in {RetrySeconds:F0} s")]
    public static partial void Deferred(ILogger logger, string itemId, string recipient, string smartHost, int attempts, string reason, double retrySeconds);

    [LoggerMessage(EventId = 2023, EventName = "OutboxWaitingForSmartHost", Level = LogLevel.Warning,
        Message = "{Queued} voice messages wait in the SMTP outbox but no smart host is configured: set one with `openum server set --smart-host HOST:PORT`")]
    public static partial void WaitingForSmartHost(ILogger logger, int queued);

    [LoggerMessage(EventId = 2024, EventName = "SmartHostReachableAgain", Level = LogLevel.Information,
        Message = "The smart host {SmartHost} accepts voice messages again")]
    public static partial void Recovered(ILogger logger, string smartHost);

    [LoggerMessage(EventId = 2026, EventName = "OutboxItemsRetried", Level = LogLevel.Information,
        Message = "{User} queued {Count} outbox items for immediate delivery ({Selection})")]
    public static partial void Retried(ILogger logger, string user, int count, string selection);

    [LoggerMessage(EventId = 2027, EventName = "OutboxItemsPurged", Level = LogLevel.Warning,
        Message = "{User} deleted {Count} outbox items ({Selection}): {Items}. These voice messages will not be delivered")]
    public static partial void Purged(ILogger logger, string user, int count, string selection, string items);
}
