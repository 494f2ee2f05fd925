using Microsoft.Extensions.Logging;

namespace OpenUM.Server.SecurityAudit;

/// <summary>The audit's own event (docs/events.md): who ran it and what it found, so a scheduled run leaves a trace.</summary>
public static partial class SecurityAuditEvents
{
    [LoggerMessage(EventId = 2150, EventName = "SecurityAuditRun",
        Message = "{User} ran the security audit of {DataDirectory}: {Findings} findings ({Summary}), worst {WorstSeverity}; {Ids}")]
    public static partial void Ran(ILogger logger, LogLevel level, string user, string dataDirectory, int findings, string summary, string worstSeverity, string ids);
}
