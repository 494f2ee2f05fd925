using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenUM.Directory;
using OpenUM.Security;
using OpenUM.Server.SecurityAudit;
using OpenUM.TestSupport.Pki;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.Tests.SecurityAudit;

/// <summary>OUM-SEC-020 to 026: the certificate the server would present, and the CRLs of the trusted CAs.</summary>
public sealed class CertificateChecksTests
{
    private static AuditCase Presenting(X509Certificate2 certificate) => AuditCase.Clean() with { Personal = [certificate] };

    [Fact]
    public void NoCertificateYetMeansASelfSignedOneWillBeGeneratedAndTheFixIsACaIssuedOne()
    {
        var finding = (AuditCase.Clean() with { Personal = [] }).Single(K.CertificateSelfSigned);

        Assert.Equal((AuditSeverity.Medium, "(none yet)"), (finding.Severity, finding.Object));
        Assert.Equal(["openum cert new-request --subject um.contoso.example --out openum.csr", "openum cert import <ca-signed-certificate-file>"], finding.Fix);
        Assert.Empty(AuditCase.Clean().Findings(K.CertificateSelfSigned));
    }

    [Fact]
    public void ASelfSignedCertificateIsReportedAndACaIssuedOneIsNot()
    {
        var selfSigned = TestPki.SelfSigned(AuditCase.Fqdn);

        var finding = Presenting(selfSigned).Single(K.CertificateSelfSigned);

        Assert.Equal($"{selfSigned.Subject} ({selfSigned.Thumbprint})", finding.Object);
        Assert.Empty(AuditCase.Clean().Findings(K.CertificateSelfSigned));
    }

    [Fact]
    public void WithBothTheCaIssuedOneIsPresentedUnlessTheSelfSignedIsBoundThenTheFixBindsTheNewOne()
    {
        var selfSigned = TestPki.SelfSigned(AuditCase.Fqdn);
        var both = AuditCase.Clean() with { Personal = [.. AuditCase.Clean().Personal, selfSigned] };
        Assert.Empty(both.Findings(K.CertificateSelfSigned));

        var bound = both with { Servers = [new UmServer { Name = AuditCase.ServerName, CertificateThumbprint = selfSigned.Thumbprint }] };

        Assert.Equal("openum cert enable <thumbprint-printed-by-import>", bound.Single(K.CertificateSelfSigned).Fix[^1]);
    }

    [Theory]
    [InlineData(20, AuditSeverity.Medium)]
    [InlineData(30, AuditSeverity.Medium)]
    [InlineData(5, AuditSeverity.High)]
    public void ACertificateExpiringWithin30DaysIsReported(int days, AuditSeverity severity)
    {
        var expiring = TestPki.Issue(AuditCase.Ca, AuditCase.Fqdn, [AuditCase.Fqdn], notAfter: TestPki.Now.AddDays(days).AddHours(1));

        var finding = Presenting(expiring).Single(K.CertificateExpiring);

        Assert.Equal(severity, finding.Severity);
        Assert.Contains($"(in {days} days)", finding.Risk, StringComparison.Ordinal);
        Assert.Empty(Presenting(TestPki.Issue(AuditCase.Ca, AuditCase.Fqdn, [AuditCase.Fqdn], notAfter: TestPki.Now.AddDays(32))).Findings(K.CertificateExpiring));
    }

    [Fact]
    public void AnRsaKeyUnder2048BitsIsWeak()
    {
        var finding = Presenting(RsaCertificate(1024, HashAlgorithmName.SHA256)).Single(K.CertificateWeakKey);

        Assert.Equal(AuditSeverity.High, finding.Severity);
        Assert.Contains("RSA 1024-bit", finding.Risk, StringComparison.Ordinal);
        Assert.Empty(Presenting(RsaCertificate(2048, HashAlgorithmName.SHA256)).Findings(K.CertificateWeakKey));
        Assert.Empty(AuditCase.Clean().Findings(K.CertificateWeakKey)); // P-256
    }

    [Fact]
    public void AnEcKeyUnder256BitsIsWeak()
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName("secp224r1"));
        var request = new CertificateRequest("CN=" + AuditCase.Fqdn, key, HashAlgorithmName.SHA256);
        var cert = request.CreateSelfSigned(TestPki.Now.AddDays(-1), TestPki.Now.AddDays(365));

        Assert.Contains("EC 224-bit", Presenting(cert).Single(K.CertificateWeakKey).Risk, StringComparison.Ordinal);
    }

    [Fact]
    public void ASha1SignatureIsWeak()
    {
        var finding = Presenting(RsaCertificate(2048, HashAlgorithmName.SHA1)).Single(K.CertificateWeakSignature);

        Assert.Contains("sha1WithRSAEncryption", finding.Risk, StringComparison.Ordinal);
        Assert.Empty(Presenting(RsaCertificate(2048, HashAlgorithmName.SHA256)).Findings(K.CertificateWeakSignature));
    }

    [Fact]
    public void ACertificateThatDoesNotNameTheServerIsReported()
    {
        var other = TestPki.Issue(AuditCase.Ca, "other.contoso.example", ["other.contoso.example"]);

        var finding = Presenting(other).Single(K.CertificateNameMismatch);

        Assert.Contains("does not name um.contoso.example (its names other.contoso.example)", finding.Risk, StringComparison.Ordinal);
        // A SAN list is what counts when there is one (RFC 6125): a CN naming the server does not make up for it.
        Assert.Single(Presenting(TestPki.Issue(AuditCase.Ca, AuditCase.Fqdn, ["other.contoso.example"])).Findings(K.CertificateNameMismatch));
        Assert.Empty(Presenting(TestPki.Issue(AuditCase.Ca, "UM.Contoso.Example", [])).Findings(K.CertificateNameMismatch));
    }

    [Fact]
    public void ATrustedCaWithoutACrlIsReportedAndAPinnedPeerCertificateIsNot()
    {
        var finding = (AuditCase.Clean() with { Crls = [] }).Single(K.CrlMissing);

        Assert.Equal($"{AuditCase.Ca.Subject} ({AuditCase.Ca.Thumbprint})", finding.Object);
        Assert.Equal(["openum cert trust <crl-file> --crl"], finding.Fix);
        Assert.Empty(AuditCase.Clean().Findings(K.CrlMissing));
        Assert.Empty((AuditCase.Clean() with { Crls = [], Trusted = [TestPki.SelfSigned("pbx1.contoso.example")] }).Findings(K.CrlMissing));
    }

    [Fact]
    public void ACrlAnotherCaSignedDoesNotCount()
    {
        var other = TestPki.CreateCa("Contoso Root"); // same name, other key: its CRL says nothing about the trusted one
        Assert.Single((AuditCase.Clean() with { Crls = [RevocationList.Parse(TestPki.Crl(other))] }).Findings(K.CrlMissing));
    }

    [Fact]
    public void ACrlPastItsNextUpdateIsStale()
    {
        var late = AuditCase.Clean() with { Now = TestPki.Now.AddDays(8) }; // TestPki's CRL is due a week after TestPki.Now

        Assert.Contains("was due for renewal on 2026-06-08", late.Single(K.CrlStale).Risk, StringComparison.Ordinal);
        Assert.Empty(late.Findings(K.CrlMissing));
        Assert.Empty(AuditCase.Clean().Findings(K.CrlStale));
    }

    private static X509Certificate2 RsaCertificate(int bits, HashAlgorithmName hash)
    {
        using var key = RSA.Create(bits);
        var request = new CertificateRequest("CN=" + AuditCase.Fqdn, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        X509SignatureGenerator signer = hash == HashAlgorithmName.SHA1 ? new Sha1RsaSigner(key) : X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1);
        using var issued = request.Create(AuditCase.Ca.SubjectName, signer, TestPki.Now.AddDays(-1), TestPki.Now.AddDays(365), [1, 2, 3, 4]);
        return issued.CopyWithPrivateKey(key);
    }

    // .NET no longer signs certificates with SHA-1; what a legacy CA did is made by hand: sha1WithRSAEncryption (RFC 3279 section 2.2.1).
    private sealed class Sha1RsaSigner(RSA key) : X509SignatureGenerator
    {
        public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) =>
            [0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x05, 0x05, 0x00];

        public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) => key.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);

        protected override PublicKey BuildPublicKey() => CreateForRSA(key, RSASignaturePadding.Pkcs1).PublicKey;
    }
}
