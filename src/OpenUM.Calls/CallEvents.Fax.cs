using Microsoft.Extensions.Logging;

namespace OpenUM.Calls;

// A fax machine on a voice mail call (FaxRedirect): 2075-2077.
public static partial class CallEvents
{
    [LoggerMessage(EventId = 2075, EventName = "FaxCallReferred", Level = LogLevel.Information,
        Message = "Call {CallId} for extension {Extension}: fax tone heard during the {Phase}; referred to the fax server {FaxServerUri} ({Outcome}); no voice message is left")]
    public static partial void FaxCallReferred(ILogger logger, string callId, string extension, string phase, string faxServerUri, string outcome);

    [LoggerMessage(EventId = 2076, EventName = "FaxCallDisconnected", Level = LogLevel.Warning,
        Message = "Call {CallId} for extension {Extension}: fax tone heard during the {Phase}; hung up without a voice message: {Reason}")]
    public static partial void FaxCallDisconnected(ILogger logger, string callId, string extension, string phase, string reason);

    [LoggerMessage(EventId = 2077, EventName = "FaxReferFailed", Level = LogLevel.Warning,
        Message = "Call {CallId} for extension {Extension}: fax tone heard during the {Phase}; the REFER to the fax server {FaxServerUri} failed ({Outcome}); hung up without a voice message")]
    public static partial void FaxReferFailed(ILogger logger, string callId, string extension, string phase, string faxServerUri, string outcome);
}
