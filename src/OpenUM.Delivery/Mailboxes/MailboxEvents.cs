using Microsoft.Extensions.Logging;

namespace OpenUM.Delivery.Mailboxes;

/// <summary>Events of the message store the server reads voice messages from (the IMAP store; docs/events.md).</summary>
public static partial class MailboxEvents
{
    [LoggerMessage(EventId = 2036, EventName = "MessageStoreUnavailable", Level = LogLevel.Error,
        Message = "The IMAP message store {ImapHost} is unavailable: {Reason}. Subscribers hear that their messages cannot be reached until it answers again")]
    public static partial void MessageStoreUnavailable(ILogger logger, string imapHost, string reason);

    [LoggerMessage(EventId = 2037, EventName = "MessageStoreAvailable", Level = LogLevel.Information,
        Message = "The IMAP message store {ImapHost} answers again after {OutageSeconds:F0} s")]
    public static partial void MessageStoreAvailable(ILogger logger, string imapHost, double outageSeconds);

    [LoggerMessage(EventId = 2038, EventName = "MailboxNotInStore", Level = LogLevel.Warning,
        Message = "The IMAP message store {ImapHost} did not open the mailbox of {Address}: {Reason}. The directory and the mail server disagree about this address; its subscriber hears that the messages cannot be reached")]
    public static partial void MailboxNotInStore(ILogger logger, string imapHost, string address, string reason);

    [LoggerMessage(EventId = 2041, EventName = "MessageStoreWatchLimited", Level = LogLevel.Warning,
        Message = "More mailboxes need watching than the {MaxWatchedMailboxes} that get an IMAP connection of their own: the others are recounted every {ResyncSeconds:F0} s only, so a change made outside OpenUM may take that long to reach their message-waiting lamps")]
    public static partial void MessageStoreWatchLimited(ILogger logger, int maxWatchedMailboxes, double resyncSeconds);
}
