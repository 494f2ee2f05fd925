namespace OpenUM.Delivery;

/// <summary>A recorded voice message waiting to be delivered to one recipient.</summary>
/// <param name="RecipientAddress">Mailbox email address.</param>
/// <param name="RecipientDisplayName">Mailbox display name.</param>
/// <param name="CallerId">Calling number as received (may be empty for anonymous calls); caller-controlled text.</param>
/// <param name="CallerDisplayName">Caller name from signalling, when known; caller-controlled text.</param>
/// <param name="CalledExtension">Extension that was called.</param>
/// <param name="ReceivedAt">When the call was answered.</param>
/// <param name="Duration">Length of the recording.</param>
/// <param name="AudioPath">The WAV file.</param>
/// <param name="CallId">SIP Call-ID of the call.</param>
public sealed record VoiceMessage(
    string RecipientAddress,
    string RecipientDisplayName,
    string CallerId,
    string? CallerDisplayName,
    string CalledExtension,
    DateTimeOffset ReceivedAt,
    TimeSpan Duration,
    string AudioPath,
    string CallId)
{
    /// <summary>
    /// The caller's own mailbox address, when the calling number is an extension of the dial plan with a mailbox:
    /// the message is then From that address (with the server's address as Sender). Null for every other caller.
    /// </summary>
    public string? CallerMailboxAddress { get; init; }

    /// <summary>The display name of <see cref="CallerMailboxAddress"/>, from the directory.</summary>
    public string? CallerMailboxName { get; init; }

    /// <summary>
    /// Why the recording is incomplete ("write failed after 12.3 s (no space left on device)"), or null when it is
    /// whole. Server text, never the caller's; the message says so in its body and in X-OpenUM-Recording-Incomplete.
    /// </summary>
    public string? Truncated { get; init; }

    /// <summary>
    /// A name for this message that stays the same across delivery attempts and restarts (the spool's id): a sink
    /// that stores it under this name recognises a repeated delivery (<see cref="IVoiceMessageSink.FindDeliveredAsync"/>).
    /// </summary>
    public string? DeliveryKey { get; init; }
}

/// <summary>Somewhere a voice message can be delivered durably (maildir, SMTP outbox).</summary>
public interface IVoiceMessageSink
{
    /// <summary>Delivers the message; returns where it went (a path or a queue id). Throws when it was not delivered.</summary>
    Task<string> DeliverAsync(VoiceMessage message, CancellationToken ct);

    /// <summary>
    /// Where an earlier <see cref="DeliverAsync"/> of this message (same <see cref="VoiceMessage.DeliveryKey"/>) put it,
    /// or null when it cannot be found: asked after a restart, so that a message delivered just before a crash is not
    /// delivered twice.
    /// </summary>
    Task<string?> FindDeliveredAsync(VoiceMessage message, CancellationToken ct) => Task.FromResult<string?>(null);
}
