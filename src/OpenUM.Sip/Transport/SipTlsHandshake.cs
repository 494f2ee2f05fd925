using System.Net.Security;

namespace OpenUM.Sip.Transport;

/// <summary>
/// One inbound TLS handshake: the settings it runs with, and what the certificate check decided (set by the
/// validation callback during the handshake). The verdict travels with the connection
/// (<see cref="SipConnectionInfo.PeerIdentity"/>), as Kestrel's TLS connection feature does, so no layer above has
/// to match the certificate's names a second time.
/// </summary>
public sealed class SipTlsHandshake(SslServerAuthenticationOptions options)
{
    /// <summary>The settings of this handshake.</summary>
    public SslServerAuthenticationOptions Options { get; } = options;

    /// <summary>The name the certificate was accepted for (a gateway's FQDN, or the server's own); null until then.</summary>
    public string? PeerIdentity { get; set; }

    /// <summary>The certificate was refused and that verdict is already reported: the failed handshake needs no second event.</summary>
    public bool CertificateRefused { get; set; }
}

// A failed inbound handshake, with whether the certificate check had refused it (and said so already).
internal sealed class SipTlsHandshakeException(bool certificateRefused, Exception inner)
    : IOException(inner.Message, inner)
{
    public bool CertificateRefused { get; } = certificateRefused;
}
