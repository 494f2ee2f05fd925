namespace OpenUM.Sip.Dialogs;

/// <summary>Why a dialog ended.</summary>
public enum SipDialogEndReason
{
    /// <summary>The peer sent BYE.</summary>
    RemoteBye,

    /// <summary>We sent BYE.</summary>
    LocalBye,

    /// <summary>Our 2xx was never acknowledged (64*T1, RFC 3261 §13.3.1.4); we sent BYE.</summary>
    AckTimeout,

    /// <summary>Our BYE could not go out: no connection to the peer could be made (its own closed and a new one
    /// failed), or the user agent shut down. A connection closing by itself does not end a dialog (RFC 3261 §12).</summary>
    TransportLost,

    /// <summary>The INVITE was cancelled before it was answered.</summary>
    Cancelled,
}

/// <summary>How a dialog ended.</summary>
public sealed record SipDialogEnd(SipDialogEndReason Reason);
