using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenUM.Cli.Tests.SecurityAudit;

/// <summary>
/// The certificate authority an operator's PKI would be, made at test time (no key is ever stored in the repository):
/// it signs the server's certificate request as `openum cert new-request` wrote it, and issues its CRL.
/// </summary>
internal sealed class AuditTestCa : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public AuditTestCa(string name = "Audit Test Root")
    {
        var request = new CertificateRequest("CN=" + name, _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Root = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(2));
    }

    /// <summary>The root, with its key.</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The root as PEM, what `openum cert trust` reads.</summary>
    public string RootPem => Root.ExportCertificatePem() + "\n";

    /// <summary>Signs a PEM PKCS#10 request for a year, keeping the extensions it asks for (names, key usages): the CA's answer, as PEM.</summary>
    public string Sign(string csrPem)
    {
        var request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(Root, now.AddMinutes(-5), now.AddYears(1), RandomNumberGenerator.GetBytes(12).Prepend((byte)0x10).ToArray());
        return issued.ExportCertificatePem() + "\n";
    }

    /// <summary>An empty CRL due <paramref name="nextUpdate"/> from now (negative: already stale), as DER.</summary>
    public byte[] Crl(TimeSpan nextUpdate) =>
        new CertificateRevocationListBuilder().Build(Root, BigInteger.One, DateTimeOffset.UtcNow + nextUpdate, HashAlgorithmName.SHA256,
            thisUpdate: DateTimeOffset.UtcNow + nextUpdate - TimeSpan.FromDays(8));

    public void Dispose()
    {
        Root.Dispose();
        _key.Dispose();
    }
}
