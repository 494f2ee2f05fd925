using Microsoft.Extensions.Logging;

namespace OpenUM.Calls.AutoAttendants;

/// <summary>Events of auto attendant calls (block 2093-2099 of docs/events.md).</summary>
internal static partial class AttendantEvents
{
    [LoggerMessage(EventId = 2093, EventName = "AutoAttendantAnswered", Level = LogLevel.Information,
        Message = "Call {CallId} from {CallerId} reached auto attendant {AutoAttendant} of dial plan {DialPlan} in {Period} ({LocalTime} {TimeZone}){Holiday}, prompts in {Language}")]
    public static partial void Answered(ILogger logger, string callId, string callerId, string autoAttendant, string dialPlan, string period,
        string localTime, string timeZone, string holiday, string language);

    [LoggerMessage(EventId = 2094, EventName = "AutoAttendantTransfer", Level = LogLevel.Information,
        Message = "Call {CallId} at auto attendant {AutoAttendant}: {Action} to {Dialed} through gateway {Gateway}: {Outcome}")]
    public static partial void Transfer(ILogger logger, string callId, string autoAttendant, string action, string dialed, string gateway, string outcome);

    [LoggerMessage(EventId = 2095, EventName = "AutoAttendantDirectoryLookup", Level = LogLevel.Information,
        Message = "Call {CallId} at auto attendant {AutoAttendant}: dial by name with {Keys} keys found {Matches} mailboxes")]
    public static partial void DirectoryLookup(ILogger logger, string callId, string autoAttendant, int keys, int matches);

    [LoggerMessage(EventId = 2096, EventName = "AutoAttendantDisabled", Level = LogLevel.Warning,
        Message = "Call {CallId} to pilot number {Called} of auto attendant {AutoAttendant} refused with 480: the attendant is Disabled (openum autoattendant enable {AutoAttendant})")]
    public static partial void Disabled(ILogger logger, string callId, string called, string autoAttendant);

    [LoggerMessage(EventId = 2097, EventName = "AutoAttendantGreetingUnusable", Level = LogLevel.Warning,
        Message = "Auto attendant {AutoAttendant}: {Greeting} cannot be played ({Problem}); the built-in prompt is played instead")]
    public static partial void GreetingUnusable(ILogger logger, string autoAttendant, string greeting, string problem);

    [LoggerMessage(EventId = 2098, EventName = "AutoAttendantMenuChanged", Level = LogLevel.Information,
        Message = "Call {CallId}: key {Key} of auto attendant {From} leads to auto attendant {To}")]
    public static partial void MenuChanged(ILogger logger, string callId, char key, string from, string to);
}
