using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenUM.TestSupport.Pki;

/// <summary>
/// A throw-away PKI made in process with <see cref="CertificateRequest"/> (no private key ever lives in the
/// repository, no openssl needed): roots, intermediates, leaves, self-signed certificates and CRLs for unit tests.
/// Times default around the fixed <see cref="Now"/> so tests with a fake clock are repeatable.
/// </summary>
public static class TestPki
{
    /// <summary>Extended key usage id-kp-serverAuth (RFC 5280 section 4.2.1.12).</summary>
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>Extended key usage id-kp-clientAuth (RFC 5280 section 4.2.1.12).</summary>
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>The instant the default validity periods are built around.</summary>
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A self-signed root CA (P-256) named CN=<paramref name="name"/>, with its private key.</summary>
    public static X509Certificate2 CreateCa(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CaRequest(name, key, pathLength: false);
        return request.CreateSelfSigned(notBefore ?? Now.AddYears(-5), notAfter ?? Now.AddYears(10));
    }

    /// <summary>An intermediate CA (path length 0) issued by <paramref name="root"/>, with its private key.</summary>
    public static X509Certificate2 CreateIntermediate(X509Certificate2 root, string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CaRequest(name, key, pathLength: true);
        using var cert = request.Create(root, notBefore ?? Now.AddYears(-1), notAfter ?? Now.AddYears(5), Serial());
        return cert.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// A leaf issued by <paramref name="ca"/> with its private key (P-256, or RSA 2048 when <paramref name="rsa"/>):
    /// CN=<paramref name="cn"/>, the given dNSName SANs, EKUs (default client and server authentication), and an
    /// authority key identifier when <paramref name="authorityKeyId"/>.
    /// </summary>
    public static X509Certificate2 Issue(X509Certificate2 ca, string cn, string[]? dnsNames = null, string[]? ekus = null,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, bool rsa = false, bool authorityKeyId = false)
    {
        AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (key)
        {
            var request = key is RSA r
                ? new CertificateRequest("CN=" + cn, r, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                : new CertificateRequest("CN=" + cn, (ECDsa)key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(Ekus(ekus));
            if (dnsNames is { Length: > 0 })
            {
                var san = new SubjectAlternativeNameBuilder();
                foreach (var n in dnsNames) san.AddDnsName(n);
                request.CertificateExtensions.Add(san.Build());
            }
            if (authorityKeyId)
                request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
            using var cert = request.Create(ca, notBefore ?? Now.AddDays(-30), notAfter ?? Now.AddDays(365), Serial());
            return key is RSA rk ? cert.CopyWithPrivateKey(rk) : cert.CopyWithPrivateKey((ECDsa)key);
        }
    }

    /// <summary>A self-signed leaf (not a CA) named CN=<paramref name="cn"/>, with its private key.</summary>
    public static X509Certificate2 SelfSigned(string cn, string[]? ekus = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + cn, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(Ekus(ekus));
        return request.CreateSelfSigned(notBefore ?? Now.AddDays(-1), notAfter ?? Now.AddDays(365));
    }

    /// <summary>A DER CRL signed by <paramref name="ca"/> listing <paramref name="revoked"/> (key compromise), valid for a week from <see cref="Now"/>.</summary>
    public static byte[] Crl(X509Certificate2 ca, params X509Certificate2[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var c in revoked) builder.AddEntry(c, Now.AddDays(-1), X509RevocationReason.KeyCompromise);
        return builder.Build(ca, BigInteger.One, Now.AddDays(7), HashAlgorithmName.SHA256, thisUpdate: Now.AddDays(-1));
    }

    private static CertificateRequest CaRequest(string name, ECDsa key, bool pathLength)
    {
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, pathLength, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static X509EnhancedKeyUsageExtension Ekus(string[]? ekus)
    {
        var oids = new OidCollection();
        foreach (var oid in ekus ?? [ClientAuthOid, ServerAuthOid]) oids.Add(new Oid(oid));
        return new X509EnhancedKeyUsageExtension(oids, false);
    }

    // A positive 12-byte serial whose first byte is never zero (DER would drop it and change the length).
    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x10);
        return serial;
    }
}
