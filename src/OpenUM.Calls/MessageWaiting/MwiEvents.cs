using Microsoft.Extensions.Logging;

namespace OpenUM.Calls.MessageWaiting;

// Message-waiting indication. 1344 keeps Exchange UM's number and meaning; never counts of other mailboxes or message contents.
internal static partial class MwiEvents
{
    [LoggerMessage(EventId = 1344, EventName = "MwiMessageDeliveryFailed", Level = LogLevel.Warning,
        Message = "The message-waiting notification for mailbox {Extension} of dial plan {DialPlan} was not delivered through gateway {Gateway}: {Reason}{Suppressed}")]
    public static partial void DeliveryFailed(ILogger logger, string extension, string dialPlan, string gateway, string reason, string suppressed);

    [LoggerMessage(EventId = 2039, EventName = "MwiSuspended", Level = LogLevel.Warning,
        Message = "Message-waiting notifications are held while the message store is unavailable: the lamps of {Mailboxes} mailboxes keep their last state (nothing is sent rather than a wrong count); every mailbox is counted again and notified when the store answers")]
    public static partial void Suspended(ILogger logger, int mailboxes);
}
