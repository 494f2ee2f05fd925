using OpenUM.Sip.Dialogs;

namespace OpenUM.Sip;

/// <summary>
/// The agent as an RFC 6665 notifier: which event packages it serves, the expiry it grants, how many subscriptions
/// it keeps, and the handler that decides on each new SUBSCRIBE (<see cref="SipUserAgentOptions.Notifier"/>).
/// </summary>
public sealed class SipNotifierOptions
{
    /// <summary>Decides on each new, valid SUBSCRIBE: <see cref="IncomingSubscribe.Accept"/>, <see cref="IncomingSubscribe.AcceptPending"/> or <see cref="IncomingSubscribe.Reject"/> before the task completes (else 500).</summary>
    public required Func<IncomingSubscribe, ValueTask> OnSubscribe { get; init; }

    /// <summary>Event packages served (e.g. message-summary); any other gets 489 Bad Event with Allow-Events (RFC 6665 §8.2.2).</summary>
    public required IReadOnlyList<string> EventPackages { get; init; }

    /// <summary>A shorter non-zero Expires gets 423 Interval Too Brief with Min-Expires (60 s).</summary>
    public TimeSpan MinimumExpires { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A longer Expires is lowered to this (one day).</summary>
    public TimeSpan MaximumExpires { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The duration granted when SUBSCRIBE has no Expires (one hour, RFC 3842 §3.4's default).</summary>
    public TimeSpan DefaultExpires { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Subscriptions kept at most (those waiting for the handler included); beyond, 503 with Retry-After.</summary>
    public int MaxSubscriptions { get; init; } = 10_000;

    /// <summary>Subscriptions kept at most per peer address (a PBX subscribes for all its phones); beyond, 503 with Retry-After.</summary>
    public int MaxSubscriptionsPerPeer { get; init; } = 5_000;

    /// <summary>The Retry-After of a 503 for a full table.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(60);
}
