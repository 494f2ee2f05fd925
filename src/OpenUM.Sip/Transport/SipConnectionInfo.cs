using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace OpenUM.Sip.Transport;

/// <summary>Who is on the other end of a SIP connection (or a UDP datagram), as admission sees it.</summary>
/// <param name="Id">Stable identifier for logs, e.g. "tcp-42".</param>
/// <param name="Transport">The transport the bytes arrive on.</param>
/// <param name="Remote">Source address and port.</param>
/// <param name="Local">The local address and port that received them.</param>
/// <param name="PeerCertificate">The verified client certificate on TLS; null otherwise.</param>
/// <param name="PeerIdentity">On TLS, the name the handshake's certificate check accepted the peer for (a gateway FQDN); null otherwise.</param>
public sealed record SipConnectionInfo(string Id, SipTransportKind Transport, IPEndPoint Remote,
    IPEndPoint Local, X509Certificate2? PeerCertificate, string? PeerIdentity = null);
