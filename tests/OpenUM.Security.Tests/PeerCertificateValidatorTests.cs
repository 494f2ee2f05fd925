using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using OpenUM.TestSupport.Pki;

namespace OpenUM.Security.Tests;

public class PeerCertificateValidatorTests : IDisposable
{
    private static readonly string[] Gateways = ["gw1.example.test", "GW2.example.test."];
    private readonly FakeTimeProvider _time = new(TestPki.Now);
    private readonly X509Certificate2 _ca = TestPki.CreateCa("Test Root");
    private readonly X509Certificate2 _otherCa = TestPki.CreateCa("Other Root");

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
    }

    private PeerValidationResult Validate(X509Certificate2? cert, PeerValidationOptions? options = null, TrustList? trust = null,
        X509Certificate2Collection? extras = null, PeerRole role = PeerRole.Client) =>
        new PeerCertificateValidator(trust ?? new TrustList([_ca], []), options ?? new PeerValidationOptions(), _time)
            .Validate(cert, extras, Gateways, role);

    [Fact]
    public void GoodClientIsAcceptedAsItsGateway()
    {
        using var cert = TestPki.Issue(_ca, "gw1.example.test", ["gw1.example.test"]);
        var r = Validate(cert);
        Assert.True(r.Accepted, r.Detail);
        Assert.Equal("gw1.example.test", r.Gateway);
        Assert.Equal((cert.Subject, cert.Issuer, cert.SerialNumber, cert.Thumbprint), (r.Subject, r.Issuer, r.SerialNumber, r.Thumbprint));
    }

    [Fact]
    public void NoCertificate() => Assert.Equal(PeerRejectReason.NoCertificate, Validate(null).Reason);

    [Fact]
    public void ExpiredAndNotYetValid()
    {
        using var expired = TestPki.Issue(_ca, "gw1.example.test", notBefore: TestPki.Now.AddDays(-10), notAfter: TestPki.Now.AddDays(-1));
        using var future = TestPki.Issue(_ca, "gw1.example.test", notBefore: TestPki.Now.AddDays(1), notAfter: TestPki.Now.AddDays(10));
        Assert.Equal(PeerRejectReason.Expired, Validate(expired).Reason);
        Assert.Equal(PeerRejectReason.NotYetValid, Validate(future).Reason);
    }

    [Fact]
    public void UntrustedCaAndUntrustedSelfSigned()
    {
        using var foreign = TestPki.Issue(_otherCa, "gw1.example.test");
        using var self = TestPki.SelfSigned("gw1.example.test");
        var r = Validate(foreign);
        Assert.Equal(PeerRejectReason.UntrustedRoot, r.Reason);
        Assert.Equal("CN=Other Root", r.Issuer);
        Assert.Equal(PeerRejectReason.UntrustedRoot, Validate(self).Reason);
        // Trusting the peer's self-signed certificate itself (Exchange's way with self-signed gateways) admits it.
        Assert.True(Validate(self, trust: new TrustList([_ca, self], [])).Accepted);
    }

    [Fact]
    public void IntermediateSentByThePeerCompletesTheChain()
    {
        using var intermediate = TestPki.CreateIntermediate(_ca, "Test Issuing CA");
        using var leaf = TestPki.Issue(intermediate, "gw1.example.test");
        Assert.Equal(PeerRejectReason.UntrustedRoot, Validate(leaf).Reason);
        Assert.True(Validate(leaf, extras: [intermediate]).Accepted);
    }

    [Fact]
    public void ServerAuthOnlyIsRejectedUnlessAllowed()
    {
        using var serverOnly = TestPki.Issue(_ca, "gw1.example.test", ekus: [CertificateFacts.ServerAuthOid]);
        var r = Validate(serverOnly);
        Assert.Equal(PeerRejectReason.WrongEku, r.Reason);
        Assert.Contains("clientAuth", r.Detail);
        Assert.True(Validate(serverOnly, new PeerValidationOptions { AcceptServerAuthOnly = true }).Accepted);
        // As a TLS server (outbound call) the same certificate is exactly right.
        Assert.True(Validate(serverOnly, role: PeerRole.Server).Accepted);
        using var clientOnly = TestPki.Issue(_ca, "gw1.example.test", ekus: [CertificateFacts.ClientAuthOid]);
        Assert.Equal(PeerRejectReason.WrongEku, Validate(clientOnly, role: PeerRole.Server).Reason);
    }

    [Fact]
    public void RevokedByAConfiguredCrl()
    {
        using var revoked = TestPki.Issue(_ca, "gw1.example.test");
        using var fine = TestPki.Issue(_ca, "gw1.example.test");
        var crl = RevocationList.Parse(TestPki.Crl(_ca, revoked));
        var trust = new TrustList([_ca], [crl]);

        var r = Validate(revoked, trust: trust);
        Assert.Equal(PeerRejectReason.Revoked, r.Reason);
        Assert.Contains(revoked.SerialNumber, r.Detail);
        Assert.True(Validate(fine, trust: trust).Accepted);
        Assert.True(Validate(revoked, new PeerValidationOptions { RevocationMode = RevocationCheckMode.None }, trust).Accepted);
    }

    [Fact]
    public void CrlOfAnotherCaWithTheSameNameIsIgnored()
    {
        using var impostor = TestPki.CreateCa("Test Root");
        using var victim = TestPki.Issue(_ca, "gw1.example.test");
        var forged = RevocationList.Parse(TestPki.Crl(impostor, victim));
        Assert.False(forged.IsSignedBy(_ca));
        Assert.True(forged.IsSignedBy(impostor));
        Assert.True(Validate(victim, trust: new TrustList([_ca], [forged])).Accepted);
    }

    [Fact]
    public void RevokedIntermediateRevokesItsLeaves()
    {
        using var intermediate = TestPki.CreateIntermediate(_ca, "Test Issuing CA");
        using var leaf = TestPki.Issue(intermediate, "gw1.example.test");
        var trust = new TrustList([_ca], [RevocationList.Parse(TestPki.Crl(_ca, intermediate))]);
        var r = Validate(leaf, trust: trust, extras: [intermediate]);
        Assert.Equal(PeerRejectReason.Revoked, r.Reason);
        Assert.Contains("issuer CN=Test Issuing CA", r.Detail);
    }

    [Fact]
    public void NameMatchesSanFirstThenCnCaseInsensitively()
    {
        using var bySan = TestPki.Issue(_ca, "not-a-gateway", ["GW1.Example.Test"]);
        Assert.Equal("gw1.example.test", Validate(bySan).Gateway);
        using var byCn = TestPki.Issue(_ca, "gw2.example.test");
        Assert.Equal("GW2.example.test.", Validate(byCn).Gateway);
        // With SANs present the CN is not consulted (RFC 6125).
        using var cnIgnored = TestPki.Issue(_ca, "gw1.example.test", ["other.example.test"]);
        var r = Validate(cnIgnored);
        Assert.Equal(PeerRejectReason.NameNotAGateway, r.Reason);
        Assert.Contains("other.example.test", r.Detail);
        using var wildcard = TestPki.Issue(_ca, "x", ["*.example.test"]);
        Assert.Equal(PeerRejectReason.NameNotAGateway, Validate(wildcard).Reason);
    }

    [Fact]
    public void MalformedOrUnsupportedCrlsAreRefused()
    {
        var good = TestPki.Crl(_ca);
        var truncated = good[..^3];
        Assert.Throws<CertificateStoreException>(() => RevocationList.Parse(truncated));
        var trailing = good.Concat(new byte[] { 0 }).ToArray();
        Assert.Throws<CertificateStoreException>(() => RevocationList.Parse(trailing));
        var parsed = RevocationList.Parse(good);
        Assert.Equal(_ca.SubjectName.Name, parsed.Issuer.Name);
        Assert.Equal(TestPki.Now.AddDays(7), parsed.NextUpdate);
    }
}
