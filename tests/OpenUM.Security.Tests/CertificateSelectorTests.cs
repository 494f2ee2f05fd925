using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenUM.TestSupport.Pki;

namespace OpenUM.Security.Tests;

public class CertificateSelectorTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(TestPki.Now);
    private readonly TempStore _temp;
    private readonly X509Certificate2 _ca = TestPki.CreateCa("Test Root");

    public CertificateSelectorTests() => _temp = new TempStore(_time);

    public void Dispose()
    {
        _ca.Dispose();
        _temp.Dispose();
    }

    private X509Certificate2 CaIssued(string cn, int daysLeft, int daysValid = 365)
    {
        using var cert = TestPki.Issue(_ca, cn, [cn], notBefore: TestPki.Now.AddDays(daysLeft - daysValid), notAfter: TestPki.Now.AddDays(daysLeft));
        return _temp.Store.ImportPem(cert.ExportCertificatePem(), cert.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    private X509Certificate2 SelfSigned(string cn, int daysLeft)
    {
        using var cert = TestPki.SelfSigned(cn, null, TestPki.Now.AddDays(daysLeft - 400), TestPki.Now.AddDays(daysLeft));
        return _temp.Store.ImportPem(cert.ExportCertificatePem(), cert.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    private CertificateSelection Select(string? bound = null) =>
        CertificateSelector.Select(_temp.Store, bound, "um1.example.test", _time.GetUtcNow());

    [Fact]
    public void BoundValidCertificateWinsEvenOverLongerLivedOnes()
    {
        var bound = SelfSigned("short.example.test", 10);
        CaIssued("long.example.test", 300);
        var s = Select(bound.Thumbprint);
        Assert.Equal(SelectionReason.Bound, s.Reason);
        Assert.Equal(bound.Thumbprint, s.Certificate.Thumbprint);
    }

    [Fact]
    public void CaIssuedWithMostTimeLeftBeatsSelfSignedAndAnExpiredBinding()
    {
        var expired = CaIssued("old.example.test", -1);
        SelfSigned("self.example.test", 900);
        CaIssued("ca-less.example.test", 100);
        var most = CaIssued("ca-most.example.test", 200);

        var s = Select(expired.Thumbprint);
        Assert.Equal(SelectionReason.CaIssued, s.Reason);
        Assert.Equal(most.Thumbprint, s.Certificate.Thumbprint);
        Assert.Contains("expired", s.Explanation);
    }

    [Fact]
    public void CaIssuedWithoutServerAuthOrKeyIsSkipped()
    {
        using var clientOnly = TestPki.Issue(_ca, "client.example.test", ekus: [CertificateFacts.ClientAuthOid]);
        _temp.Store.ImportPem(clientOnly.ExportCertificatePem(), clientOnly.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var self = SelfSigned("self.example.test", 50);
        var s = Select();
        Assert.Equal(SelectionReason.SelfSigned, s.Reason);
        Assert.Equal(self.Thumbprint, s.Certificate.Thumbprint);
    }

    [Fact]
    public void SelfSignedWithMostTimeLeftWhenNoCaIssuedIsValid()
    {
        CaIssued("expired.example.test", -5);
        SelfSigned("less.example.test", 20);
        var most = SelfSigned("most.example.test", 40);
        var s = Select("0000");
        Assert.Equal(SelectionReason.SelfSigned, s.Reason);
        Assert.Equal(most.Thumbprint, s.Certificate.Thumbprint);
        Assert.Contains("not in the store", s.Explanation);
    }

    [Fact]
    public void NothingValidGeneratesAndStoresASelfSignedForTheServerFqdn()
    {
        SelfSigned("expired.example.test", -1);
        var s = Select();
        Assert.Equal(SelectionReason.Generated, s.Reason);
        Assert.Equal("CN=um1.example.test", s.Certificate.Subject);
        Assert.True(s.Certificate.HasPrivateKey);
        Assert.Contains(_temp.Store.List(), i => i.Thumbprint == s.Certificate.Thumbprint && i.HasPrivateKey);

        // Next start: the generated certificate is found, not generated again.
        var again = Select();
        Assert.Equal(SelectionReason.SelfSigned, again.Reason);
        Assert.Equal(s.Certificate.Thumbprint, again.Certificate.Thumbprint);
    }

    [Fact]
    public void ChooseReturnsNullWhenNothingIsUsable() =>
        Assert.Null(CertificateSelector.Choose([], null, TestPki.Now));

    [Fact]
    public void TrustedCertificatesAreNeverCandidates()
    {
        _temp.Store.Trust(Encoding.ASCII.GetBytes(_ca.ExportCertificatePem()));
        Assert.Equal(SelectionReason.Generated, Select().Reason);
    }
}
