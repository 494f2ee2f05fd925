namespace OpenUM.Sip.Transport;

/// <summary>The cheap verdict on a new peer's bare source address, before anything is built for it.</summary>
public enum SipAddressAdmission
{
    /// <summary>Not a peer: the connection is closed (before any TLS byte) or the datagram dropped, and only reported.</summary>
    Refused,

    /// <summary>An address a configured gateway resolves to (or this server's own): it gets the established budget.</summary>
    Trusted,

    /// <summary>An unknown address allowed to attempt a TLS handshake; it waits in the strangers' pool until its certificate names a gateway.</summary>
    Stranger,
}
