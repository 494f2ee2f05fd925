namespace OpenUM.Sip.Transport;

/// <summary>The transport a SIP connection or datagram uses.</summary>
public enum SipTransportKind
{
    /// <summary>Unreliable datagrams (RFC 3261 §18); requests and responses are retransmitted.</summary>
    Udp,

    /// <summary>Clear TCP stream.</summary>
    Tcp,

    /// <summary>TLS over TCP (SIPS, port 5061).</summary>
    Tls,
}
