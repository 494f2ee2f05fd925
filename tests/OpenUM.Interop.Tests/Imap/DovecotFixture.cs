using System.Security.Cryptography.X509Certificates;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;
using OpenUM.Security;

namespace OpenUM.Interop.Tests.Imap;

/// <summary>
/// One private Dovecot per test class that takes it as class fixture (started once: the class's time budget), and the
/// TLS context a server trusting it has.
/// </summary>
public sealed class DovecotFixture : IAsyncLifetime
{
    public TestPki Pki { get; private set; } = null!;
    public DovecotImap Dovecot { get; private set; } = null!;
    public TlsContext Tls { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Pki = await TestPki.GetAsync();
        Dovecot = await DovecotImap.StartAsync(Pki, null);
        // The UM's own certificate and the test CA as the only trusted root, as a server with that store has.
        var um = X509Certificate2.CreateFromPemFile(Pki.Crt("um"), Pki.Key("um"));
        Tls = TlsContext.Create(um, null, new TrustList([X509CertificateLoader.LoadCertificateFromFile(Pki.CaCrt)], []), new PeerValidationOptions(),
            () => [], TimeProvider.System);
    }

    public async Task DisposeAsync() => await Dovecot.DisposeAsync();
}
