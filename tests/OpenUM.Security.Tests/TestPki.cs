using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenUM.Security.Tests;

// A throw-away PKI generated at run time: no private key ever lives in the repository.
internal static class TestPki
{
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static X509Certificate2 CreateCa(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(notBefore ?? Now.AddYears(-5), notAfter ?? Now.AddYears(10));
    }

    public static X509Certificate2 Issue(X509Certificate2 ca, string cn, string[]? dnsNames = null, string[]? ekus = null,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, bool rsa = false)
    {
        AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (key)
        {
            var request = key is RSA r
                ? new CertificateRequest("CN=" + cn, r, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                : new CertificateRequest("CN=" + cn, (ECDsa)key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            var oids = new OidCollection();
            foreach (var oid in ekus ?? [CertificateFacts.ClientAuthOid, CertificateFacts.ServerAuthOid]) oids.Add(new Oid(oid));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
            if (dnsNames is { Length: > 0 })
            {
                var san = new SubjectAlternativeNameBuilder();
                foreach (var n in dnsNames) san.AddDnsName(n);
                request.CertificateExtensions.Add(san.Build());
            }
            using var cert = request.Create(ca, notBefore ?? Now.AddDays(-30), notAfter ?? Now.AddDays(365), Serial());
            return key is RSA rk ? cert.CopyWithPrivateKey(rk) : cert.CopyWithPrivateKey((ECDsa)key);
        }
    }

    public static X509Certificate2 SelfSigned(string cn, string[]? ekus = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + cn, key, HashAlgorithmName.SHA256);
        var oids = new OidCollection();
        foreach (var oid in ekus ?? [CertificateFacts.ClientAuthOid, CertificateFacts.ServerAuthOid]) oids.Add(new Oid(oid));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        return request.CreateSelfSigned(notBefore ?? Now.AddDays(-1), notAfter ?? Now.AddDays(365));
    }

    public static byte[] Crl(X509Certificate2 ca, params X509Certificate2[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var c in revoked) builder.AddEntry(c, Now.AddDays(-1), X509RevocationReason.KeyCompromise);
        return builder.Build(ca, BigInteger.One, Now.AddDays(7), HashAlgorithmName.SHA256, thisUpdate: Now.AddDays(-1));
    }

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x10);
        return serial;
    }
}

// A store in a fresh temporary directory, removed afterwards.
internal sealed class TempStore : IDisposable
{
    public TempStore(TimeProvider time)
    {
        Root = Path.Combine(Path.GetTempPath(), "openum-sec-" + Guid.NewGuid().ToString("N"));
        Store = new CertificateStore(Root, time);
    }

    public string Root { get; }
    public CertificateStore Store { get; }

    public void Dispose() => System.IO.Directory.Delete(Root, recursive: true);
}
