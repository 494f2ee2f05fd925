using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenUM.TestSupport.Pki;

namespace OpenUM.Security.Tests;

public class CertificateStoreTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(TestPki.Now);
    private readonly TempStore _temp;

    public CertificateStoreTests() => _temp = new TempStore(_time);

    public void Dispose() => _temp.Dispose();

    private CertificateStore Store => _temp.Store;

    [Fact]
    public void SelfSignedHasServerAndClientAuthSansAndConstraints()
    {
        var cert = Store.NewSelfSigned("um1.example.test", ["um.example.test"], validityDays: 90);

        Assert.True(cert.HasPrivateKey);
        Assert.Equal("CN=um1.example.test", cert.Subject);
        Assert.Equal(["um1.example.test", "um.example.test"], CertificateFacts.DnsNames(cert));
        var eku = cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal([CertificateFacts.ServerAuthOid, CertificateFacts.ClientAuthOid], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        var ku = cert.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(ku.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, ku.KeyUsages);
        var bc = cert.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.False(bc.CertificateAuthority);
        Assert.NotNull(cert.Extensions.OfType<X509SubjectKeyIdentifierExtension>().SingleOrDefault());
        Assert.Equal(256, cert.GetECDsaPublicKey()!.KeySize);
        Assert.Equal(TestPki.Now.AddDays(90), CertificateFacts.NotAfter(cert));
        Assert.True(CertificateFacts.IsSelfSigned(cert));

        var info = Assert.Single(Store.List());
        Assert.Equal(CertificateLocation.Personal, info.Location);
        Assert.Equal(cert.Thumbprint, info.Thumbprint);
        Assert.Equal(64, info.Sha256Thumbprint.Length);
        Assert.Equal(90, info.DaysLeft);
        Assert.True(info.IsSelfSigned && info.HasPrivateKey && info.HasServerAuth && info.HasClientAuth);
        Assert.False(info.Exportable);
    }

    [Theory]
    [InlineData(CertificateKeyKind.EcdsaP256, "ecdsa-p256", 256)]
    [InlineData(CertificateKeyKind.EcdsaP384, "ecdsa-p384", 384)]
    [InlineData(CertificateKeyKind.Rsa2048, "rsa-2048", 2048)]
    [InlineData(CertificateKeyKind.Rsa3072, "rsa-3072", 3072)]
    [InlineData(CertificateKeyKind.Rsa4096, "rsa-4096", 4096)]
    public void KeyKindsProduceTheirKeyAndRsaAlsoGetsKeyEncipherment(CertificateKeyKind kind, string name, int bits)
    {
        Assert.True(CertificateKeyKinds.TryParse(name, out var parsed));
        Assert.Equal(kind, parsed);
        Store.NewSelfSigned("um1.example.test", keyKind: kind);

        var reloaded = Assert.Single(Store.LoadPersonal());
        Assert.True(reloaded.HasPrivateKey);
        var rsa = kind is CertificateKeyKind.Rsa2048 or CertificateKeyKind.Rsa3072 or CertificateKeyKind.Rsa4096;
        Assert.Equal(bits, rsa ? reloaded.GetRSAPublicKey()!.KeySize : reloaded.GetECDsaPublicKey()!.KeySize);
        var ku = reloaded.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages;
        Assert.Equal(rsa, (ku & X509KeyUsageFlags.KeyEncipherment) != 0);
    }

    [Fact]
    public void FilesAreOwnerOnlyAndTheSidecarHoldsNoKey()
    {
        var cert = Store.NewSelfSigned("um1.example.test");
        Store.NewRequest("um2.example.test");
        var dir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        foreach (var d in new[] { Store.Root, Store.PersonalPath, Store.TrustedPath, Store.CrlPath, Store.PendingPath })
        {
            Assert.Equal(dir, File.GetUnixFileMode(d));
        }
        var files = System.IO.Directory.GetFiles(Store.Root, "*", SearchOption.AllDirectories);
        Assert.Equal(6, files.Length); // personal .crt/.key/.json, pending .key/.csr/.json
        foreach (var f in files) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
        var sidecar = File.ReadAllText(Path.Combine(Store.PersonalPath, cert.Thumbprint + ".json"));
        Assert.DoesNotContain("PRIVATE", sidecar);
        Assert.Contains("\"Exportable\":false", sidecar);
    }

    [Fact]
    public void ExistingLooseDirectoryIsTightened()
    {
        var root = Path.Combine(Path.GetTempPath(), "openum-sec-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        try
        {
            _ = new CertificateStore(root, _time);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(root));
        }
        finally
        {
            System.IO.Directory.Delete(root, true);
        }
    }

    [Fact]
    public void CsrSignedByATestCaIsImportedAgainstItsPendingKey()
    {
        var csr = Store.NewRequest("CN=um1.example.test, O=OpenUM", ["um1.example.test"], CertificateKeyKind.Rsa2048);
        Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----", csr.Pem);
        Assert.Single(Store.ListPending());

        using var ca = TestPki.CreateCa("Test Root");
        var request = CertificateRequest.LoadSigningRequestPem(csr.Pem, HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions, RSASignaturePadding.Pkcs1);
        // An ECDSA CA signing an RSA request: the generator overload, as a real CA would.
        using var caKey = ca.GetECDsaPrivateKey()!;
        using var issued = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey),
            TestPki.Now.AddDays(-1), TestPki.Now.AddDays(200), [0x42, 0x01, 0x02]);
        Assert.Contains(CertificateFacts.ClientAuthOid, issued.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));

        var response = Encoding.ASCII.GetBytes(issued.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n");
        var imported = Store.Import(response);

        Assert.True(imported.HasPrivateKey);
        Assert.Equal(issued.Thumbprint, imported.Thumbprint);
        Assert.Empty(Store.ListPending());
        Assert.Empty(System.IO.Directory.GetFiles(Store.PendingPath));
        var info = Assert.Single(Store.List());
        Assert.False(info.IsSelfSigned);
        Assert.True(info.HasPrivateKey);
        using var reloaded = Store.FindPersonal(issued.Thumbprint)!;
        Assert.True(reloaded.HasPrivateKey);
        Assert.Equal(ca.Thumbprint, Assert.Single(Store.LoadChain(reloaded)).Thumbprint);
        Assert.True(Store.Bindable(reloaded).Ok);
    }

    [Fact]
    public void CaResponseAsPkcs7IsImportedAndPendingRequestsCanBeReExportedOrAbandoned()
    {
        var csr = Store.NewRequest("um1.example.test");
        var other = Store.NewRequest("um2.example.test");
        Assert.Equal(csr.Pem.Trim(), Store.ExportRequest(csr.PendingId.ToLowerInvariant()).Trim());
        Assert.Throws<CertificateStoreException>(() => Store.ExportRequest("../personal/x"));
        Assert.True(Store.RemovePending(other.PendingId));
        Assert.False(Store.RemovePending(other.PendingId));

        using var ca = TestPki.CreateCa("Test Root");
        var request = CertificateRequest.LoadSigningRequest(csr.Der, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        using var issued = request.Create(ca, TestPki.Now.AddDays(-1), TestPki.Now.AddDays(100), [0x11, 0x22]);
        var p7b = Pkcs7CertsOnly(ca, issued);

        var imported = Store.Import(Encoding.ASCII.GetBytes(PemEncoding.WriteString("PKCS7", p7b)));
        Assert.True(imported.HasPrivateKey);
        Assert.Equal(issued.Thumbprint, imported.Thumbprint);
        Assert.Empty(Store.ListPending());
    }

    // A degenerate "certs-only" SignedData, as a Windows CA returns it.
    private static byte[] Pkcs7CertsOnly(params X509Certificate2[] certs)
    {
        var w = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier("1.2.840.113549.1.7.2");
            using (w.PushSequence(new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 0, true)))
            using (w.PushSequence())
            {
                w.WriteInteger(1);
                using (w.PushSetOf()) { }
                using (w.PushSequence()) w.WriteObjectIdentifier("1.2.840.113549.1.7.1");
                using (w.PushSetOf(new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 0, true)))
                {
                    foreach (var c in certs) w.WriteEncodedValue(c.RawData);
                }
                using (w.PushSetOf()) { }
            }
        }
        return w.Encode();
    }

    [Fact]
    public void ImportWithoutAPendingKeyIsRefused()
    {
        using var ca = TestPki.CreateCa("Test Root");
        using var stray = TestPki.Issue(ca, "stray.example.test");
        var ex = Assert.Throws<CertificateStoreException>(() => Store.Import(stray.RawData));
        Assert.Contains("No pending certificate request", ex.Message);
    }

    [Fact]
    public void ExportOfANonExportableKeyIsRefusedButTheCertificateItselfExports()
    {
        var cert = Store.NewSelfSigned("um1.example.test");

        var pfx = Assert.Throws<CertificateExportRefusedException>(() => Store.Export(cert.Thumbprint, CertificateExportFormat.Pfx, "pw"));
        Assert.Contains("non-exportable", pfx.Message);
        Assert.Throws<CertificateExportRefusedException>(() => Store.Export(cert.Thumbprint, CertificateExportFormat.Pem));
        var pem = Encoding.ASCII.GetString(Store.Export(cert.Thumbprint, CertificateExportFormat.CertificatePem));
        Assert.DoesNotContain("PRIVATE KEY", pem);
        Assert.Equal(cert.RawData, Store.Export(CertificateFacts.Sha256Thumbprint(cert), CertificateExportFormat.CertificateDer));
    }

    [Fact]
    public void ExportableKeysRoundTripThroughPfxAndEncryptedPem()
    {
        var cert = Store.NewSelfSigned("um1.example.test", exportable: true);
        var pfx = Store.Export(cert.Thumbprint, CertificateExportFormat.Pfx, "secret");
        Assert.Throws<CertificateStoreException>(() => Store.Export(cert.Thumbprint, CertificateExportFormat.Pfx));

        using var other = new TempStore(_time);
        Assert.Throws<CertificateStoreException>(() => other.Store.ImportPfx(pfx, "wrong"));
        var fromPfx = other.Store.ImportPfx(pfx, "secret");
        Assert.Equal(cert.Thumbprint, fromPfx.Thumbprint);
        Assert.True(Assert.Single(other.Store.LoadPersonal()).HasPrivateKey);
        // Imported without --exportable: the copy cannot be exported again.
        Assert.Throws<CertificateExportRefusedException>(() => other.Store.Export(cert.Thumbprint, CertificateExportFormat.Pfx, "x"));

        var pem = Encoding.ASCII.GetString(Store.Export(cert.Thumbprint, CertificateExportFormat.Pem, "secret"));
        Assert.Contains("ENCRYPTED PRIVATE KEY", pem);
        using var third = new TempStore(_time);
        var fromPem = third.Store.ImportPem(pem, pem, "secret", exportable: true);
        Assert.True(fromPem.HasPrivateKey);
        Assert.Contains("BEGIN PRIVATE KEY", Encoding.ASCII.GetString(third.Store.Export(cert.Thumbprint, CertificateExportFormat.Pem)));
    }

    [Fact]
    public void ImportPemRefusesAKeyOfAnotherCertificate()
    {
        using var a = TestPki.SelfSigned("a.example.test");
        using var b = ECDsa.Create();
        Assert.Throws<CertificateStoreException>(() => Store.ImportPem(a.ExportCertificatePem(), b.ExportPkcs8PrivateKeyPem()));
    }

    [Fact]
    public void BindableNamesEveryReason()
    {
        using var withKey = TestPki.SelfSigned("a.example.test", [CertificateFacts.ClientAuthOid], TestPki.Now.AddDays(-10), TestPki.Now.AddDays(-1));
        using var noKey = X509CertificateLoader.LoadCertificate(withKey.RawData);
        var check = BindCheck.Evaluate(noKey, TestPki.Now);
        Assert.Equal([BindRefusal.NoPrivateKey, BindRefusal.Expired, BindRefusal.NoServerAuthEku], check.Refusals);
        Assert.Contains("serverAuth", check.Describe());
        using var future = TestPki.SelfSigned("b.example.test", null, TestPki.Now.AddDays(1), TestPki.Now.AddDays(10));
        Assert.Contains(BindRefusal.NotYetValid, BindCheck.Evaluate(future, TestPki.Now).Refusals);
        Assert.True(Store.Bindable(Store.NewSelfSigned("c.example.test")).Ok);
    }

    [Fact]
    public void TrustUntrustCrlAndRemove()
    {
        using var ca = TestPki.CreateCa("Test Root");
        using var peer = TestPki.SelfSigned("gw.example.test");
        Store.Trust(Encoding.ASCII.GetBytes(ca.ExportCertificatePem() + "\n" + peer.ExportCertificatePem()));
        Assert.Equal(2, Store.List().Count(i => i.Location == CertificateLocation.Trusted));
        Assert.False(Assert.Single(Store.List(), i => i.Thumbprint == ca.Thumbprint).HasPrivateKey);

        using var leaf = TestPki.Issue(ca, "gw2.example.test");
        var crl = Store.AddCrl(Encoding.ASCII.GetBytes(PemEncoding.WriteString("X509 CRL", TestPki.Crl(ca, leaf))));
        Assert.Equal(1, crl.Count);
        Store.AddCrl(TestPki.Crl(ca)); // a newer CRL of the same issuer replaces the old one
        Assert.Equal(0, Assert.Single(Store.LoadCrls()).Count);
        Assert.Throws<CertificateStoreException>(() => Store.AddCrl([0x30, 0x03, 0x02, 0x01, 0x01]));

        Assert.True(Store.Untrust(CertificateFacts.Sha256Thumbprint(peer)));
        Assert.False(Store.Untrust(peer.Thumbprint));
        var own = Store.NewSelfSigned("um1.example.test");
        Assert.True(Store.Remove(own.Thumbprint.ToLowerInvariant()));
        Assert.Empty(System.IO.Directory.GetFiles(Store.PersonalPath));
        Assert.Equal(ca.Thumbprint, Assert.Single(Store.List()).Thumbprint);

        // The stored trust list feeds the validator: the revoked gateway is refused.
        Store.AddCrl(TestPki.Crl(ca, leaf));
        var validator = new PeerCertificateValidator(Store.LoadTrustList(), new PeerValidationOptions(), _time);
        Assert.Equal(PeerRejectReason.Revoked, validator.Validate(leaf, null, ["gw2.example.test"]).Reason);
    }
}
