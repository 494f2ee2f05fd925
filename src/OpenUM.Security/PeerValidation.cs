using System.Security.Cryptography.X509Certificates;

namespace OpenUM.Security;

/// <summary>Why a peer certificate was refused (TLS-3: the precise reason in events 1113/1426).</summary>
public enum PeerRejectReason
{
    /// <summary>The peer presented no certificate.</summary>
    NoCertificate,
    /// <summary>The chain does not end at a trusted root (or pinned peer certificate).</summary>
    UntrustedRoot,
    /// <summary>The certificate (or an issuer in its chain) has expired.</summary>
    Expired,
    /// <summary>The certificate is not yet valid.</summary>
    NotYetValid,
    /// <summary>A configured CRL lists the certificate or one of its issuers.</summary>
    Revoked,
    /// <summary>Its key usage or extended key usage does not allow the TLS role.</summary>
    WrongEku,
    /// <summary>Neither its SAN dNSNames nor (without any) its CN name a configured gateway.</summary>
    NameNotAGateway,
    /// <summary>The chain failed for another reason (see the detail).</summary>
    ChainError,
}

/// <summary>How revocation of peer certificates is checked.</summary>
public enum RevocationCheckMode
{
    /// <summary>Not checked.</summary>
    None,
    /// <summary>Against the CRL files in the store (trusted/crl/); a certificate no CRL covers passes.</summary>
    Offline,
    /// <summary>By the platform chain engine, fetching CRLs named in the certificates; fails closed when unreachable.</summary>
    Online,
}

/// <summary>Which side the peer plays in the TLS handshake, hence which EKU it needs.</summary>
public enum PeerRole
{
    /// <summary>The peer is a TLS client (a gateway connecting to 5061): clientAuth required.</summary>
    Client,
    /// <summary>The peer is a TLS server (a gateway we call out to): serverAuth required.</summary>
    Server,
}

/// <summary>Peer validation policy (TLS-1).</summary>
public sealed record PeerValidationOptions
{
    /// <summary>Also accept chains ending at the operating system's roots (commercial CAs).</summary>
    public bool TrustSystemRoots { get; init; }
    /// <summary>Accept client certificates with serverAuth but not clientAuth (devices presenting their server certificate).</summary>
    public bool AcceptServerAuthOnly { get; init; }
    /// <summary>How revocation is checked; Offline uses the store's CRL files.</summary>
    public RevocationCheckMode RevocationMode { get; init; } = RevocationCheckMode.Offline;
}

/// <summary>The verdict on a peer certificate, with what events 1113/1426 need to name it.</summary>
public sealed record PeerValidationResult(
    bool Accepted,
    string? Gateway,
    PeerRejectReason? Reason,
    string Detail,
    string? Subject,
    string? Issuer,
    string? SerialNumber,
    string? Thumbprint)
{
    internal static PeerValidationResult Accept(X509Certificate2 cert, string gateway) =>
        new(true, gateway, null, $"matches gateway {gateway}", cert.Subject, cert.Issuer, cert.SerialNumber, cert.Thumbprint);

    internal static PeerValidationResult Trusted(X509Certificate2 cert) =>
        new(true, null, null, "trusted", cert.Subject, cert.Issuer, cert.SerialNumber, cert.Thumbprint);

    internal static PeerValidationResult Reject(X509Certificate2? cert, PeerRejectReason reason, string detail) =>
        new(false, null, reason, detail, cert?.Subject, cert?.Issuer, cert?.SerialNumber, cert?.Thumbprint);
}
