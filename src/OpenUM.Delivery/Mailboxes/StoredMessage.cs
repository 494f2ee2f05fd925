namespace OpenUM.Delivery.Mailboxes;

/// <summary>
/// A voice message in a mailbox, as the headers the composer wrote describe it. <see cref="Id"/> is stable while the
/// message is in the mailbox (in a maildir: its unique name without the ":2," flags); it is what Play on Phone takes.
/// </summary>
public sealed record StoredMessage(string Id, bool IsNew, DateTimeOffset ReceivedAt, string CallerId, string? CallerName, TimeSpan Duration)
{
    /// <summary>Where the store keeps it (a maildir file); the store's own business.</summary>
    internal string Location { get; init; } = "";
}
