using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using OpenUM.Security;

namespace OpenUM.Delivery;

/// <summary>
/// The TLS of one MailKit connection (SMTP submission, IMAP store): the server's certificate checked by
/// OpenUM.Security with the host name, and SslStream's options taken from the <see cref="TlsContext"/> rather than
/// MailKit's own defaults, so both clients get the same protocols, suites and client certificate as the rest of OpenUM.
/// </summary>
internal sealed class MailKitTls
{
    private readonly TlsContext _context;
    private readonly PeerCertificateValidator _validator;
    private readonly string _host;
    private readonly bool _clientCertificate;

    /// <param name="host">The name the server's certificate must carry.</param>
    /// <param name="clientCertificate">Present the server certificate of the context as TLS client certificate.</param>
    public MailKitTls(TlsContext context, string host, bool clientCertificate, TimeProvider time)
    {
        _context = context;
        // Mail servers usually hold a public-CA or company-CA certificate: the OS roots count as well as the UM store.
        _validator = new PeerCertificateValidator(context.Validator.Trust, context.Validator.Options with { TrustSystemRoots = true }, time);
        _host = host;
        _clientCertificate = clientCertificate;
    }

    /// <summary>Our verdict on the server's certificate; null until the handshake reached it (it tells a refused certificate from other TLS failures).</summary>
    public PeerValidationResult? Verdict { get; private set; }

    /// <summary>For MailKit's ServerCertificateValidationCallback: OpenUM's verdict, whatever SslStream thought.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var c2 = certificate switch
        {
            null => null,
            X509Certificate2 x => x,
            _ => X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()),
        };
        var verdict = _validator.Validate(c2, chain?.ChainPolicy.ExtraStore, [_host], PeerRole.Server);
        Verdict = verdict;
        return verdict.Accepted;
    }

    /// <summary>For a client's GetSslClientAuthenticationOptions override.</summary>
    public SslClientAuthenticationOptions ClientOptions(string host)
    {
        var options = _context.CreateClientOptions(host);
        // MailKit gives SslStream its own callback, which calls ServerCertificateValidationCallback (set to Validate).
        options.RemoteCertificateValidationCallback = null;
        if (!_clientCertificate) options.ClientCertificateContext = null;
        return options;
    }
}
