using Microsoft.Extensions.Logging;

namespace OpenUM.Calls.Outdialing;

/// <summary>Outdialing events with Exchange's IDs (reference §6.2).</summary>
public static partial class OutdialingEvents
{
    [LoggerMessage(EventId = 1076, EventName = "OutDialingRulesFailure", Level = LogLevel.Warning,
        Message = "Outbound call to {Number} ({Kind}) for {User} refused by the restrictions of {Context} in dial plan {DialPlan}: {ReasonCode}: {Reason}")]
    public static partial void OutDialingRulesFailure(
        ILogger logger, string number, string kind, string user, string context, string dialPlan, OutdialingReason reasonCode, string reason);

    [LoggerMessage(EventId = 1310, EventName = "NoOutboundGatewaysForDialPlanWithId", Level = LogLevel.Error,
        Message = "Dial plan {DialPlan} has no enabled IP gateway with OutcallsAllowed: outbound call to {Number} not placed{Suppressed}")]
    public static partial void NoOutboundGatewaysForDialPlan(ILogger logger, string dialPlan, string number, string suppressed);

    [LoggerMessage(EventId = 1176, EventName = "MissingDialGroupEntry", Level = LogLevel.Warning,
        Message = "{Context} allows dialing group {Group}, which dial plan {DialPlan} does not configure; the group is ignored{Suppressed}")]
    public static partial void MissingDialGroupEntry(ILogger logger, string context, string group, string dialPlan, string suppressed);
}
