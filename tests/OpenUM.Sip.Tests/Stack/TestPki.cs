using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenUM.Sip.Tests.Stack;

// A tiny certificate authority made at run time: a root and leaf certificates (server and/or client
// authentication EKUs, a dNSName SAN), and the validation a TLS peer with that root as its only trust does.
internal sealed class TestPki : IDisposable
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly List<X509Certificate2> _issued = new();

    public TestPki(string name = "CN=OpenUM Test CA")
    {
        var request = new CertificateRequest(name, _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Root = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    public X509Certificate2 Root { get; }

    // A leaf with its private key; dnsName goes in the SAN and the CN.
    public X509Certificate2 Issue(string dnsName, bool serverAuth = true, bool clientAuth = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + dnsName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usages = new OidCollection();
        if (serverAuth) usages.Add(new Oid(ServerAuth));
        if (clientAuth) usages.Add(new Oid(ClientAuth));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var issued = request.Create(Root, now.AddMinutes(-5), now.AddDays(30), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Through PKCS#12 so the key is usable by SslStream on every platform.
        var cert = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        lock (_issued) _issued.Add(cert);
        return cert;
    }

    // The chain builds to our root only (no system trust), no revocation data.
    public bool Chains(X509Certificate? certificate)
    {
        if (certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    // What a TLS client accepts: our chain, and the name SslStream checked against TargetHost.
    public bool AcceptsServer(X509Certificate? certificate, SslPolicyErrors errors) =>
        (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
        && (errors & SslPolicyErrors.RemoteCertificateNotAvailable) == 0
        && Chains(certificate);

    public void Dispose()
    {
        lock (_issued)
        {
            foreach (var c in _issued) c.Dispose();
        }
        Root.Dispose();
        _caKey.Dispose();
    }
}
