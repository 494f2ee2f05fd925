using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace OpenUM.Security;

/// <summary>Everything a TLS handshake needs, built once and never changed (DESIGN pattern 3); rotation builds a new one.</summary>
public sealed class TlsContext
{
    // TLS 1.3 suites plus ECDHE with AEAD for 1.2: forward secrecy and no CBC, RSA key exchange or SHA-1 MACs.
    private static readonly CipherSuitesPolicy StrongSuites = new(
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);

    private readonly Func<IReadOnlyCollection<string>> _gatewayFqdns;

    private TlsContext(X509Certificate2 certificate, SslStreamCertificateContext certificateContext, PeerCertificateValidator validator,
        Func<IReadOnlyCollection<string>> gatewayFqdns, CertificateSelection? selection)
    {
        ServerCertificate = certificate;
        CertificateContext = certificateContext;
        Validator = validator;
        _gatewayFqdns = gatewayFqdns;
        Selection = selection;
    }

    /// <summary>The certificate the server presents (with its private key).</summary>
    public X509Certificate2 ServerCertificate { get; }
    /// <summary>The certificate and its chain, prepared once for every handshake.</summary>
    public SslStreamCertificateContext CertificateContext { get; }
    /// <summary>The peer validator over this context's trust list.</summary>
    public PeerCertificateValidator Validator { get; }
    /// <summary>How the certificate was selected, when it came from <see cref="FromStore"/>.</summary>
    public CertificateSelection? Selection { get; }
    /// <summary>The facts event 1112 records about <see cref="ServerCertificate"/>.</summary>
    public CertificateDetails Details => CertificateDetails.From(ServerCertificate);

    /// <summary>Builds a context; <paramref name="gatewayFqdns"/> is read at each handshake so gateway changes need no reload.</summary>
    public static TlsContext Create(X509Certificate2 serverCertificate, X509Certificate2Collection? chain, TrustList trust,
        PeerValidationOptions options, Func<IReadOnlyCollection<string>> gatewayFqdns, TimeProvider time, CertificateSelection? selection = null)
    {
        if (!serverCertificate.HasPrivateKey) throw new CertificateStoreException($"Certificate {serverCertificate.Thumbprint} has no private key.");
        // The trusted CAs are announced in the CertificateRequest so a gateway holding several
        // certificates picks the one this server accepts. offline: chain building never downloads.
        var context = SslStreamCertificateContext.Create(serverCertificate, chain, offline: true,
            trust: SslCertificateTrust.CreateForX509Collection([.. trust.Certificates], sendTrustInHandshake: true));
        return new TlsContext(serverCertificate, context, new PeerCertificateValidator(trust, options, time), gatewayFqdns, selection);
    }

    /// <summary>Selects the server certificate from the store (CERT-3, possibly generating one) and builds a context around it.</summary>
    public static TlsContext FromStore(CertificateStore store, string? boundThumbprint, string serverFqdn, PeerValidationOptions options,
        Func<IReadOnlyCollection<string>> gatewayFqdns, TimeProvider time)
    {
        var selection = CertificateSelector.Select(store, boundThumbprint, serverFqdn, time.GetUtcNow());
        return Create(selection.Certificate, store.LoadChain(selection.Certificate), store.LoadTrustList(), options, gatewayFqdns, time, selection);
    }

    /// <summary>Options for one inbound handshake: TLS 1.2/1.3, client certificate required, validated by <see cref="Validator"/>.</summary>
    /// <param name="onValidated">Receives the verdict (for events 1113/1426 and to learn the gateway); called on the handshake's thread.</param>
    public SslServerAuthenticationOptions CreateServerOptions(Action<PeerValidationResult>? onValidated = null) =>
        InboundOptions((_, certificate, chain, _) =>
            Report(Validator.Validate(AsCertificate2(certificate), chain?.ChainPolicy.ExtraStore, _gatewayFqdns(), PeerRole.Client), onValidated));

    /// <summary>
    /// Options for one handshake of the admin API: as <see cref="CreateServerOptions"/>, but a client certificate is asked
    /// for, not required (a client without one authenticates by token), and one presented must be trusted
    /// (<see cref="PeerCertificateValidator.ValidateClient"/>) or the handshake fails.
    /// </summary>
    /// <param name="onValidated">Receives the verdict on a presented certificate; called on the handshake's thread.</param>
    public SslServerAuthenticationOptions CreateAdministrationOptions(Action<PeerValidationResult>? onValidated = null) =>
        // ClientCertificateRequired (below) only makes the server send its CertificateRequest: a client that sends none passes here.
        InboundOptions((_, certificate, chain, _) =>
            certificate is null || Report(Validator.ValidateClient(AsCertificate2(certificate), chain?.ChainPolicy.ExtraStore), onValidated));

    private SslServerAuthenticationOptions InboundOptions(RemoteCertificateValidationCallback validate) => new()
    {
        ServerCertificateContext = CertificateContext,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ClientCertificateRequired = true,
        AllowRenegotiation = false,
        CipherSuitesPolicy = StrongSuites,
        EncryptionPolicy = EncryptionPolicy.RequireEncryption,
        // Revocation is the validator's job (configured CRLs); the platform must not fetch anything.
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = validate,
    };

    /// <summary>Options for an outbound connection (TLS-4): presents the server certificate and requires the gateway's name.</summary>
    public SslClientAuthenticationOptions CreateClientOptions(string gatewayFqdn, Action<PeerValidationResult>? onValidated = null) => new()
    {
        TargetHost = gatewayFqdn,
        ClientCertificateContext = CertificateContext,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        AllowRenegotiation = false,
        CipherSuitesPolicy = StrongSuites,
        EncryptionPolicy = EncryptionPolicy.RequireEncryption,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            Report(Validator.Validate(AsCertificate2(certificate), chain?.ChainPolicy.ExtraStore, [gatewayFqdn], PeerRole.Server), onValidated),
    };

    private static bool Report(PeerValidationResult result, Action<PeerValidationResult>? onValidated)
    {
        onValidated?.Invoke(result);
        return result.Accepted;
    }

    private static X509Certificate2? AsCertificate2(X509Certificate? certificate) => certificate switch
    {
        null => null,
        X509Certificate2 c2 => c2,
        _ => X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()),
    };
}
