using System.Net;

namespace OpenUM.Calls.MessageWaiting;

/// <summary>What the message-waiting notifier needs to know of this server, and its bounds.</summary>
/// <param name="ServerFqdn">This server's name: the host of From and of Message-Account.</param>
public sealed record MessageWaitingOptions(string ServerFqdn)
{
    /// <summary>At most one recount per mailbox in this time (RFC 3842 §3.11 asks notifiers to limit their rate); changes meanwhile are coalesced.</summary>
    public TimeSpan RecountInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>When no gateway took a NOTIFY, the mailbox is counted and sent again after this.</summary>
    public TimeSpan RetryAfterFailure { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Subscriptions kept per mailbox; a new one beyond ends the oldest.</summary>
    public int SubscriptionsPerMailbox { get; init; } = 4;

    /// <summary>Mailboxes counted and notified at the same time.</summary>
    public int Workers { get; init; } = 4;

    /// <summary>
    /// Whether the store sees the mailboxes (default: always). False while voice messages leave by SMTP and no IMAP store
    /// reads them back: the server knows nothing of the counts, so no lamp is told anything and SUBSCRIBE is refused.
    /// </summary>
    public Func<bool>? CanCount { get; init; }

    /// <summary>Resolves gateway names (default: DNS).</summary>
    public Func<string, CancellationToken, Task<IPAddress[]>>? Resolve { get; init; }
}

/// <summary>Counters of the notifier (`openum status --json`).</summary>
/// <param name="Changes">Change notices handled (each a recount unless the store was unavailable or nobody listens).</param>
/// <param name="Recounts">Mailboxes counted.</param>
/// <param name="Sent">Unsolicited NOTIFYs a gateway accepted.</param>
/// <param name="Failed">States no gateway accepted (event 1344).</param>
/// <param name="Subscriptions">message-summary subscriptions held.</param>
/// <param name="Suspended">True while the store is unavailable (event 2039): nothing is sent.</param>
public readonly record struct MwiStatistics(long Changes, long Recounts, long Sent, long Failed, int Subscriptions, bool Suspended);
