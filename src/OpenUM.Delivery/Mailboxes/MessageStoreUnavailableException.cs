namespace OpenUM.Delivery.Mailboxes;

/// <summary>
/// The message store could not be reached (an IMAP server down, a refused logon): the caller is told to try later.
/// Distinct from an empty mailbox, which is an answer, not a failure.
/// </summary>
public sealed class MessageStoreUnavailableException : Exception
{
    /// <summary>A failure with no further detail.</summary>
    public MessageStoreUnavailableException() : base("the message store is unavailable") { }

    /// <summary>A failure described by <paramref name="message"/>.</summary>
    public MessageStoreUnavailableException(string message) : base(message) { }

    /// <summary>A failure described by <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public MessageStoreUnavailableException(string message, Exception inner) : base(message, inner) { }
}
