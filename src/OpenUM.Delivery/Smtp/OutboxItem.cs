namespace OpenUM.Delivery.Smtp;

/// <summary>
/// One voice message in the SMTP outbox: the envelope, where it came from and its delivery state. Stored as
/// JSON beside the immutable MIME file; only the state fields change, by an atomic rewrite.
/// </summary>
public sealed record OutboxItem
{
    /// <summary>Item identifier (time-ordered, also the file names).</summary>
    public required string Id { get; init; }
    /// <summary>The Message-ID header of the MIME file: stable for the item, so a receiver can drop a re-submission.</summary>
    public required string MessageId { get; init; }
    /// <summary>Envelope sender (MAIL FROM).</summary>
    public required string Sender { get; init; }
    /// <summary>Envelope recipient (RCPT TO), the mailbox's address.</summary>
    public required string Recipient { get; init; }
    /// <summary>SIP Call-ID of the call that left the message.</summary>
    public string CallId { get; init; } = "";
    /// <summary>Called extension.</summary>
    public string Extension { get; init; } = "";
    /// <summary>Calling number.</summary>
    public string CallerId { get; init; } = "";
    /// <summary>The voice message's <see cref="VoiceMessage.DeliveryKey"/> (its spool id), when it came from the spool.</summary>
    public string? DeliveryKey { get; init; }
    /// <summary>When the item was queued (the call had just ended): the start of the delivery latency.</summary>
    public DateTimeOffset QueuedAt { get; init; }
    /// <summary>Submission attempts made so far.</summary>
    public int Attempts { get; init; }
    /// <summary>Not retried before this time.</summary>
    public DateTimeOffset NextAttemptAt { get; init; }
    /// <summary>The last failure, as the operator should read it.</summary>
    public string? LastError { get; init; }
    /// <summary>When the item became a dead letter (null while queued).</summary>
    public DateTimeOffset? DeadAt { get; init; }
}

/// <summary>Where an item is: waiting for (re)submission, or set aside for the operator.</summary>
public enum OutboxFolder
{
    /// <summary>queue/: submitted by the worker when due.</summary>
    Queued,
    /// <summary>dead/: never delivered (permanent rejection or expiry); kept until `openum outbox retry` or `purge`.</summary>
    Dead,
}

/// <summary>An item with the folder it is in (for listings).</summary>
public sealed record OutboxEntry(OutboxItem Item, OutboxFolder Folder, long SizeBytes);
