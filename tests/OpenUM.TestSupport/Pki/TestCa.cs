using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace OpenUM.TestSupport.Pki;

/// <summary>
/// A certificate authority of <see cref="TestPki"/> valid around the real clock (for TLS handshakes, which check
/// against the system time): issues leaves named by one DNS name, and validates the way a TLS peer that trusts
/// only this root does.
/// </summary>
public sealed class TestCa : IDisposable
{
    private readonly List<X509Certificate2> _issued = [];

    /// <summary>A new root named CN=<paramref name="name"/>, valid from a day ago for a year.</summary>
    public TestCa(string name = "OpenUM Test CA")
    {
        var now = DateTimeOffset.UtcNow;
        Root = TestPki.CreateCa(name, now.AddDays(-1), now.AddYears(1));
    }

    /// <summary>The root certificate, with its private key.</summary>
    public X509Certificate2 Root { get; }

    /// <summary>A leaf with its private key: <paramref name="dnsName"/> in the SAN and the CN, valid for 30 days.</summary>
    public X509Certificate2 Issue(string dnsName, bool serverAuth = true, bool clientAuth = true)
    {
        string[] ekus = [.. (serverAuth ? [TestPki.ServerAuthOid] : Array.Empty<string>()), .. (clientAuth ? [TestPki.ClientAuthOid] : Array.Empty<string>())];
        var now = DateTimeOffset.UtcNow;
        using var withKey = TestPki.Issue(Root, dnsName, [dnsName], ekus, now.AddMinutes(-5), now.AddDays(30), authorityKeyId: true);
        // Through PKCS#12 so the key is usable by SslStream on every platform.
        var cert = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        lock (_issued) _issued.Add(cert);
        return cert;
    }

    /// <summary>Whether the chain builds to this root only (no system trust, no revocation data).</summary>
    public bool Chains(X509Certificate? certificate)
    {
        if (certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    /// <summary>What a TLS client accepts: this chain, and the name SslStream checked against TargetHost.</summary>
    public bool AcceptsServer(X509Certificate? certificate, SslPolicyErrors errors) =>
        (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
        && (errors & SslPolicyErrors.RemoteCertificateNotAvailable) == 0
        && Chains(certificate);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_issued)
        {
            foreach (var c in _issued) c.Dispose();
        }
        Root.Dispose();
    }
}
