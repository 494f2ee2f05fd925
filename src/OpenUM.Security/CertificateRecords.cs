using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenUM.Security;

/// <summary>Which part of the certificate store holds a certificate.</summary>
public enum CertificateLocation
{
    /// <summary>The server's own certificates, with their private keys.</summary>
    Personal,
    /// <summary>Trusted roots and pinned peer certificates (no private keys).</summary>
    Trusted,
}

/// <summary>One certificate as listed by <see cref="CertificateStore.List"/>.</summary>
public sealed record CertificateInfo(
    CertificateLocation Location,
    string Thumbprint,
    string Sha256Thumbprint,
    string Subject,
    string Issuer,
    string SerialNumber,
    IReadOnlyList<string> DnsNames,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    int DaysLeft,
    bool IsSelfSigned,
    bool HasPrivateKey,
    bool Exportable,
    bool HasServerAuth,
    bool HasClientAuth)
{
    internal static CertificateInfo From(X509Certificate2 cert, CertificateLocation location, bool exportable, DateTimeOffset now) => new(
        location, cert.Thumbprint, CertificateFacts.Sha256Thumbprint(cert), cert.Subject, cert.Issuer, cert.SerialNumber,
        CertificateFacts.DnsNames(cert), CertificateFacts.NotBefore(cert), CertificateFacts.NotAfter(cert),
        CertificateFacts.DaysLeft(cert, now), CertificateFacts.IsSelfSigned(cert), cert.HasPrivateKey, exportable,
        CertificateFacts.AllowsEku(cert, CertificateFacts.ServerAuthOid), CertificateFacts.AllowsEku(cert, CertificateFacts.ClientAuthOid));
}

/// <summary>A certificate request whose private key waits in the store's pending/ directory.</summary>
public sealed record PendingRequestInfo(string Id, string Subject, CertificateKeyKind KeyKind, bool Exportable, DateTimeOffset Created);

/// <summary>A PKCS#10 request produced by <see cref="CertificateStore.NewRequest"/>.</summary>
public sealed record CertificateSigningRequest(string PendingId, byte[] Der)
{
    /// <summary>The request as PEM ("CERTIFICATE REQUEST"), what most CAs and openssl expect.</summary>
    public string Pem => PemEncoding.WriteString("CERTIFICATE REQUEST", Der);
}

/// <summary>How <see cref="CertificateStore.Export"/> writes a certificate.</summary>
public enum CertificateExportFormat
{
    /// <summary>PKCS#12 with the private key and chain, protected by a password.</summary>
    Pfx,
    /// <summary>PEM certificate and chain followed by the PKCS#8 key (encrypted when a password is given).</summary>
    Pem,
    /// <summary>PEM certificate only (no key): what a gateway needs to trust the server.</summary>
    CertificatePem,
    /// <summary>DER certificate only (no key).</summary>
    CertificateDer,
}

/// <summary>A store operation was refused (unknown thumbprint, no matching pending key, bad input).</summary>
public class CertificateStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Export of a private key that was created or imported as non-exportable.</summary>
public sealed class CertificateExportRefusedException(string message) : CertificateStoreException(message);

/// <summary>Why a certificate cannot be bound to (enabled for) the UM service.</summary>
public enum BindRefusal
{
    /// <summary>The store holds no private key for it.</summary>
    NoPrivateKey,
    /// <summary>NotAfter has passed.</summary>
    Expired,
    /// <summary>NotBefore is still in the future.</summary>
    NotYetValid,
    /// <summary>Its extended key usage does not allow TLS server authentication.</summary>
    NoServerAuthEku,
}

/// <summary>The outcome of checking a certificate for binding; empty <see cref="Refusals"/> means bindable.</summary>
public sealed record BindCheck(IReadOnlyList<BindRefusal> Refusals)
{
    /// <summary>True when nothing prevents binding.</summary>
    public bool Ok => Refusals.Count == 0;

    /// <summary>Checks private key, validity period and serverAuth EKU at <paramref name="now"/>.</summary>
    public static BindCheck Evaluate(X509Certificate2 cert, DateTimeOffset now)
    {
        var refusals = new List<BindRefusal>();
        if (!cert.HasPrivateKey) refusals.Add(BindRefusal.NoPrivateKey);
        if (now > CertificateFacts.NotAfter(cert)) refusals.Add(BindRefusal.Expired);
        if (now < CertificateFacts.NotBefore(cert)) refusals.Add(BindRefusal.NotYetValid);
        if (!CertificateFacts.AllowsEku(cert, CertificateFacts.ServerAuthOid)) refusals.Add(BindRefusal.NoServerAuthEku);
        return new BindCheck(refusals);
    }

    /// <summary>Operator-readable reasons, e.g. "no private key; expired".</summary>
    public string Describe() => Ok ? "bindable" : string.Join("; ", Refusals.Select(r => r switch
    {
        BindRefusal.NoPrivateKey => "the store holds no private key for it",
        BindRefusal.Expired => "it has expired",
        BindRefusal.NotYetValid => "it is not yet valid",
        BindRefusal.NoServerAuthEku => "its extended key usage does not include serverAuth",
        _ => r.ToString(),
    }));
}
