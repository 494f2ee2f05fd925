using System.Security.Cryptography.X509Certificates;

namespace OpenUM.Security;

/// <summary>Decides whether a peer's certificate is acceptable (TLS-1, ADM-1 TLS part, TLS-4 name check).</summary>
public sealed class PeerCertificateValidator(TrustList trust, PeerValidationOptions options, TimeProvider time)
{
    /// <summary>The trust list this validator checks against.</summary>
    public TrustList Trust { get; } = trust;
    /// <summary>The policy this validator applies.</summary>
    public PeerValidationOptions Options { get; } = options;

    /// <summary>Validates at the current time.</summary>
    public PeerValidationResult Validate(X509Certificate2? certificate, X509Certificate2Collection? extraCertificates,
        IReadOnlyCollection<string> gatewayFqdns, PeerRole role = PeerRole.Client) =>
        Validate(certificate, extraCertificates, gatewayFqdns, role, time.GetUtcNow());

    /// <summary>Validates: validity, chain to a trusted root, revocation, EKU, then the gateway name.</summary>
    public PeerValidationResult Validate(X509Certificate2? certificate, X509Certificate2Collection? extraCertificates,
        IReadOnlyCollection<string> gatewayFqdns, PeerRole role, DateTimeOffset now) =>
        CheckTrust(certificate, extraCertificates, role, now) ?? MatchName(certificate!, gatewayFqdns);

    /// <summary>
    /// Validates a client that is a person or a tool rather than a gateway (the admin API): validity, chain to a trusted
    /// root or pinned certificate, revocation and EKU, as for a gateway, but no name to match.
    /// </summary>
    public PeerValidationResult ValidateClient(X509Certificate2? certificate, X509Certificate2Collection? extraCertificates) =>
        CheckTrust(certificate, extraCertificates, PeerRole.Client, time.GetUtcNow()) ?? PeerValidationResult.Trusted(certificate!);

    // Everything but the name: null when the certificate is trusted for the role.
    private PeerValidationResult? CheckTrust(X509Certificate2? certificate, X509Certificate2Collection? extraCertificates, PeerRole role, DateTimeOffset now)
    {
        if (certificate is null) return PeerValidationResult.Reject(null, PeerRejectReason.NoCertificate, "no client certificate was presented");
        // The leaf's own dates first: "expired" is what the operator must hear, not a generic chain failure.
        if (now < CertificateFacts.NotBefore(certificate))
        {
            return PeerValidationResult.Reject(certificate, PeerRejectReason.NotYetValid, $"not valid before {CertificateFacts.NotBefore(certificate):u}");
        }
        if (now > CertificateFacts.NotAfter(certificate))
        {
            return PeerValidationResult.Reject(certificate, PeerRejectReason.Expired, $"expired on {CertificateFacts.NotAfter(certificate):u}");
        }
        var chainFailure = CheckChain(certificate, extraCertificates, now);
        if (chainFailure is not null) return chainFailure;

        var required = role == PeerRole.Client ? CertificateFacts.ClientAuthOid : CertificateFacts.ServerAuthOid;
        var ekuOk = CertificateFacts.AllowsEku(certificate, required)
            || (role == PeerRole.Client && Options.AcceptServerAuthOnly && CertificateFacts.AllowsEku(certificate, CertificateFacts.ServerAuthOid));
        if (!ekuOk || !CertificateFacts.AllowsDigitalSignature(certificate))
        {
            var detail = !ekuOk
                ? $"extended key usage lacks {(role == PeerRole.Client ? "clientAuth" : "serverAuth")}"
                : "key usage lacks digitalSignature";
            return PeerValidationResult.Reject(certificate, PeerRejectReason.WrongEku, detail);
        }
        return null;
    }

    private PeerValidationResult? CheckChain(X509Certificate2 certificate, X509Certificate2Collection? extras, DateTimeOffset now)
    {
        using var chain = BuildChain(certificate, extras, now, X509ChainTrustMode.CustomRootTrust);
        var failure = Classify(certificate, chain);
        X509Chain? systemChain = null;
        try
        {
            if (failure?.Reason == PeerRejectReason.UntrustedRoot && Options.TrustSystemRoots)
            {
                systemChain = BuildChain(certificate, extras, now, X509ChainTrustMode.System);
                failure = Classify(certificate, systemChain);
            }
            // A pinned peer certificate (trusted as itself, issuer unknown) is trusted like a root.
            if (failure?.Reason == PeerRejectReason.UntrustedRoot && Trust.Contains(certificate)) return null;
            if (failure is not null) return failure;
            var elements = (systemChain ?? chain).ChainElements;
            if (Options.RevocationMode == RevocationCheckMode.Offline)
            {
                for (var i = 0; i + 1 < elements.Count; i++)
                {
                    if (Trust.IsRevoked(elements[i].Certificate, elements[i + 1].Certificate))
                    {
                        var what = i == 0 ? "the certificate" : $"issuer {elements[i].Certificate.Subject}";
                        return PeerValidationResult.Reject(certificate, PeerRejectReason.Revoked,
                            $"{what} (serial {elements[i].Certificate.SerialNumber}) is listed in the CRL of {elements[i + 1].Certificate.Subject}");
                    }
                }
            }
            return null;
        }
        finally
        {
            systemChain?.Dispose();
        }
    }

    private X509Chain BuildChain(X509Certificate2 certificate, X509Certificate2Collection? extras, DateTimeOffset now, X509ChainTrustMode mode)
    {
        var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = mode;
        if (mode == X509ChainTrustMode.CustomRootTrust)
        {
            foreach (var c in Trust.Certificates) policy.CustomTrustStore.Add(c);
        }
        if (extras is not null) policy.ExtraStore.AddRange(extras);
        // Trusted intermediates (not self-signed) help build chains whose peers omit them.
        foreach (var c in Trust.Certificates) policy.ExtraStore.Add(c);
        policy.RevocationMode = Options.RevocationMode == RevocationCheckMode.Online ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
        policy.RevocationFlag = X509RevocationFlag.ExcludeRoot;
        // A handshake must not make the server fetch arbitrary URLs named by the peer's certificate.
        policy.DisableCertificateDownloads = Options.RevocationMode != RevocationCheckMode.Online;
        policy.VerificationTime = now.UtcDateTime;
        policy.VerificationTimeIgnored = false;
        chain.Build(certificate);
        return chain;
    }

    private static PeerValidationResult? Classify(X509Certificate2 certificate, X509Chain chain)
    {
        var flags = X509ChainStatusFlags.NoError;
        foreach (var s in chain.ChainStatus) flags |= s.Status;
        if (flags == X509ChainStatusFlags.NoError) return null;
        var detail = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        if ((flags & X509ChainStatusFlags.Revoked) != 0) return PeerValidationResult.Reject(certificate, PeerRejectReason.Revoked, detail);
        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            return PeerValidationResult.Reject(certificate, PeerRejectReason.Expired, "an issuer in the chain is outside its validity period: " + detail);
        }
        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
        {
            return PeerValidationResult.Reject(certificate, PeerRejectReason.UntrustedRoot,
                $"the chain does not end at a trusted root (issuer {certificate.Issuer}): {detail}");
        }
        return PeerValidationResult.Reject(certificate, PeerRejectReason.ChainError, $"{flags}: {detail}");
    }

    // RFC 6125: when the certificate has dNSName SANs the CN is not consulted. Wildcards are not
    // matched: Exchange UM never supported them for gateways and a wildcard would admit any host.
    private static IReadOnlyList<string> PresentedNames(X509Certificate2 certificate) =>
        CertificateFacts.DnsNames(certificate) is { Count: > 0 } sans ? sans
            : CertificateFacts.CommonName(certificate) is { } cn ? [cn] : [];

    /// <summary>The FQDN among <paramref name="gatewayFqdns"/> that the certificate names (ADM-1, TLS part), or null.</summary>
    public static string? MatchGateway(X509Certificate2 certificate, IEnumerable<string> gatewayFqdns)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(gatewayFqdns);
        var names = PresentedNames(certificate);
        foreach (var gateway in gatewayFqdns)
            foreach (var name in names)
                if (string.Equals(name.TrimEnd('.'), gateway.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)) return gateway;
        return null;
    }

    private static PeerValidationResult MatchName(X509Certificate2 certificate, IReadOnlyCollection<string> gatewayFqdns)
    {
        if (MatchGateway(certificate, gatewayFqdns) is { } gateway) return PeerValidationResult.Accept(certificate, gateway);
        var names = PresentedNames(certificate);
        var source = CertificateFacts.DnsNames(certificate).Count > 0 ? "SAN dNSName" : "subject CN";
        return PeerValidationResult.Reject(certificate, PeerRejectReason.NameNotAGateway,
            names.Count == 0 ? "the certificate names no host (no SAN dNSName, no CN)"
                : $"{source} {string.Join(", ", names)} matches no gateway FQDN");
    }
}
