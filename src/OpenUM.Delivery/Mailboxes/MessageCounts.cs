namespace OpenUM.Delivery.Mailboxes;

/// <summary>The voice messages of one mailbox: <paramref name="New"/> not yet heard, <paramref name="Old"/> heard (saved).</summary>
public readonly record struct MessageCounts(int New, int Old)
{
    /// <summary>Both counts together.</summary>
    public int Total => New + Old;

    /// <summary>The counts of <paramref name="messages"/> (as <see cref="IVoiceMailbox.ListAsync"/> returned them).</summary>
    public static MessageCounts Of(IReadOnlyCollection<StoredMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        int fresh = messages.Count(m => m.IsNew);
        return new(fresh, messages.Count - fresh);
    }
}
