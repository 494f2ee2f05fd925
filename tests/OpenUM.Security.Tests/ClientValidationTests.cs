using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using OpenUM.TestSupport.Pki;

namespace OpenUM.Security.Tests;

/// <summary>
/// PeerCertificateValidator.ValidateClient (the admin API's client certificates): the trust checks of a gateway's
/// certificate, without a gateway name to match.
/// </summary>
public sealed class ClientValidationTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(TestPki.Now);
    private readonly X509Certificate2 _ca = TestPki.CreateCa("Admin Root");
    private readonly X509Certificate2 _otherCa = TestPki.CreateCa("Other Root");

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
    }

    private PeerValidationResult Validate(X509Certificate2? certificate, TrustList? trust = null) =>
        new PeerCertificateValidator(trust ?? new TrustList([_ca], []), new PeerValidationOptions(), _time).ValidateClient(certificate, null);

    [Fact]
    public void ATrustedCertificateNamingNoGatewayIsAccepted()
    {
        using var certificate = TestPki.Issue(_ca, "admin.example.test", ["admin.example.test"]);
        var result = Validate(certificate);
        Assert.True(result.Accepted, result.Detail);
        Assert.Null(result.Gateway);
        Assert.Equal(certificate.Thumbprint, result.Thumbprint);
    }

    [Fact]
    public void AnotherCasCertificateIsRefused()
    {
        using var certificate = TestPki.Issue(_otherCa, "admin.example.test", ["admin.example.test"]);
        Assert.Equal(PeerRejectReason.UntrustedRoot, Validate(certificate).Reason);
    }

    [Fact]
    public void ExpiryRevocationAndUsageStillApply()
    {
        using var expired = TestPki.Issue(_ca, "old.example.test", notBefore: TestPki.Now.AddDays(-60), notAfter: TestPki.Now.AddDays(-1));
        using var serverOnly = TestPki.Issue(_ca, "srv.example.test", ekus: [TestPki.ServerAuthOid]);
        using var revoked = TestPki.Issue(_ca, "gone.example.test");
        var withCrl = new TrustList([_ca], [RevocationList.Parse(TestPki.Crl(_ca, revoked))]);

        Assert.Equal(PeerRejectReason.Expired, Validate(expired).Reason);
        Assert.Equal(PeerRejectReason.WrongEku, Validate(serverOnly).Reason);
        Assert.Equal(PeerRejectReason.Revoked, Validate(revoked, withCrl).Reason);
        Assert.Equal(PeerRejectReason.NoCertificate, Validate(null).Reason);
    }
}
