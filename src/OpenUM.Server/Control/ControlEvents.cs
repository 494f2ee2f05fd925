using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Control;

/// <summary>Events of the local control channel (`openum status`, `openum calls list`).</summary>
public static partial class ControlEvents
{
    [LoggerMessage(EventId = 2080, EventName = "ControlChannelUnavailable", Level = LogLevel.Error,
        Message = "The control channel {Path} could not be opened, so openum status and openum calls list cannot reach this server (calls are not affected): {Reason}")]
    public static partial void Unavailable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 2081, EventName = "ControlRequestRefused", Level = LogLevel.Warning,
        Message = "A control channel client was refused: {Reason}{Suppressed}")]
    public static partial void Refused(ILogger logger, string reason, string suppressed);

    [LoggerMessage(EventId = 2082, EventName = "ControlSocketReplaced", Level = LogLevel.Information,
        Message = "Replaced the control socket {Path} left by a server that did not stop cleanly")]
    public static partial void StaleReplaced(ILogger logger, string path);
}
