using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace OpenUM.Security;

/// <summary>What event 1112 records about the certificate in use (CERT-4).</summary>
public sealed record CertificateDetails(string Subject, string Issuer, string SerialNumber, string Thumbprint,
    string Sha256Thumbprint, bool IsSelfSigned, DateTimeOffset NotAfter)
{
    /// <summary>The details of <paramref name="cert"/>.</summary>
    public static CertificateDetails From(X509Certificate2 cert) => new(cert.Subject, cert.Issuer, cert.SerialNumber, cert.Thumbprint,
        CertificateFacts.Sha256Thumbprint(cert), CertificateFacts.IsSelfSigned(cert), CertificateFacts.NotAfter(cert));

    /// <summary>Logs event 1112.</summary>
    public void Log(ILogger logger) =>
        SecurityEvents.ServiceCertificateDetails(logger, Subject, Issuer, SerialNumber, Thumbprint, Sha256Thumbprint, IsSelfSigned, NotAfter);
}
