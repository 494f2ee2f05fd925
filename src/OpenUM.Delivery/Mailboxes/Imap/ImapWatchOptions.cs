namespace OpenUM.Delivery.Mailboxes.Imap;

/// <summary>
/// The bounds of <see cref="ImapChangeFeed"/>: how many mailboxes get a connection of their own, how often and how fast
/// every watched mailbox is recounted, and how an unavailable store is probed. Constants of the server (no options).
/// </summary>
public sealed record ImapWatchOptions
{
    /// <summary>At most this many watched mailboxes hold a dedicated IDLE connection (descriptors); the rest are resynced only (event 2041).</summary>
    public int MaxWatchedMailboxes { get; init; } = 200;

    /// <summary>Every watched mailbox is recounted this often (changes a push missed, mailboxes beyond the cap).</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The resync says "count again" for at most this many mailboxes a second, so a store is never hammered.</summary>
    public int ResyncPerSecond { get; init; } = 10;

    /// <summary>IDLE is ended and issued again this often (RFC 2177 §3: a server may drop a client idle for 30 minutes).</summary>
    public TimeSpan IdleRefresh { get; init; } = TimeSpan.FromMinutes(25);

    /// <summary>After a message was handed to the smart host, its mailbox is recounted at these delays (the mail server delivers it asynchronously).</summary>
    public IReadOnlyList<TimeSpan> DepositRecounts { get; init; } = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)];

    /// <summary>The longest wait between two probes of an unavailable store (1, 2, 4 ... s up to this).</summary>
    public TimeSpan MaxProbeInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>At most this many deposit recounts wait at once; beyond it a hint is dropped (the resync still counts).</summary>
    public int MaxPendingRecounts { get; init; } = 3000;

    /// <summary>The wait before attempt <paramref name="attempt"/> (0-based) of a probe or a watcher's reconnection: 1, 2, 4 ... s, at most <paramref name="max"/>.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan max) =>
        TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Clamp(attempt, 0, 30)), max.TotalSeconds));
}
