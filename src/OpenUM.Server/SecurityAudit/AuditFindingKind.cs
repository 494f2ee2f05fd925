namespace OpenUM.Server.SecurityAudit;

/// <summary>A rule of the audit: its stable ID (never reused for another rule) and its title.</summary>
public sealed record AuditFindingKind(string Id, string Title);

/// <summary>Every rule of `openum security audit`; docs/security-audit.md gives each one's risk and fix.</summary>
public static class AuditFindingKinds
{
    /// <summary>A dial plan in Unsecured mode: SIP and RTP in clear, gateways known by address only.</summary>
    public static readonly AuditFindingKind DialPlanUnsecured = new("OUM-SEC-001", "Dial plan in Unsecured mode");
    /// <summary>A SipSecured dial plan: the signalling is protected, the media is not.</summary>
    public static readonly AuditFindingKind DialPlanMediaInClear = new("OUM-SEC-002", "Dial plan in SipSecured mode: media in clear");
    /// <summary>More failed PIN logons per call than the default before the caller is disconnected.</summary>
    public static readonly AuditFindingKind LogonFailuresBeforeDisconnect = new("OUM-SEC-003", "More PIN guesses per call than the default");

    /// <summary>A gateway named by IP address, which keeps its dial plans from being secured.</summary>
    public static readonly AuditFindingKind GatewayByIpAddress = new("OUM-SEC-010", "Gateway named by IP address");
    /// <summary>A gateway on a loopback address, as the first-run demo creates.</summary>
    public static readonly AuditFindingKind LoopbackGateway = new("OUM-SEC-011", "Gateway on a loopback address (the demo's Loopback)");
    /// <summary>A gateway of a secured dial plan whose port is set to 5060.</summary>
    public static readonly AuditFindingKind SecuredGatewayOnPort5060 = new("OUM-SEC-012", "Gateway of a secured dial plan on port 5060");
    /// <summary>A gateway taking a call's media from any address.</summary>
    public static readonly AuditFindingKind MediaFromAnyAddress = new("OUM-SEC-013", "Gateway takes media from any address");
    /// <summary>Traffic with a gateway that OpenUM does not encrypt end to end; IPsec is the seed document's other answer.</summary>
    public static readonly AuditFindingKind IpsecAdvice = new("OUM-SEC-014", "Traffic with a gateway not protected by OpenUM (IPsec advice)");

    /// <summary>The server certificate is self-signed (or none exists yet and one will be generated).</summary>
    public static readonly AuditFindingKind CertificateSelfSigned = new("OUM-SEC-020", "Server certificate self-signed");
    /// <summary>The server certificate expires within 30 days.</summary>
    public static readonly AuditFindingKind CertificateExpiring = new("OUM-SEC-021", "Server certificate expires within 30 days");
    /// <summary>The server certificate's key is too small (RSA under 2048 bits, EC under 256) or of a weak kind.</summary>
    public static readonly AuditFindingKind CertificateWeakKey = new("OUM-SEC-022", "Server certificate with a weak key");
    /// <summary>The server certificate is signed with SHA-1 or MD5.</summary>
    public static readonly AuditFindingKind CertificateWeakSignature = new("OUM-SEC-023", "Server certificate signed with SHA-1 or MD5");
    /// <summary>The server certificate does not name the server.</summary>
    public static readonly AuditFindingKind CertificateNameMismatch = new("OUM-SEC-024", "Server certificate does not name the server");
    /// <summary>A trusted CA without a revocation list.</summary>
    public static readonly AuditFindingKind CrlMissing = new("OUM-SEC-025", "Trusted CA without a CRL");
    /// <summary>A trusted CA whose revocation list is past its next update.</summary>
    public static readonly AuditFindingKind CrlStale = new("OUM-SEC-026", "Trusted CA with a stale CRL");

    /// <summary>TLS handshakes are given to any address.</summary>
    public static readonly AuditFindingKind TlsFromAnyAddress = new("OUM-SEC-030", "TLS handshakes allowed from any address");
    /// <summary>SMTP delivery to the smart host without the server's client certificate.</summary>
    public static readonly AuditFindingKind SmartHostWithoutClientCertificate = new("OUM-SEC-031", "Smart host without mutual TLS");
    /// <summary>The metrics endpoint on a non-loopback address without TLS.</summary>
    public static readonly AuditFindingKind MetricsWithoutTls = new("OUM-SEC-032", "Metrics endpoint on the network without TLS");
    /// <summary>SIP over UDP is on.</summary>
    public static readonly AuditFindingKind SipOverUdp = new("OUM-SEC-033", "SIP over UDP");
    /// <summary>The admin API listens on an address other than loopback.</summary>
    public static readonly AuditFindingKind AdminApiOnNetwork = new("OUM-SEC-034", "Admin API on the network");

    /// <summary>Unauthenticated callers (dial plan, auto attendant) may dial international groups.</summary>
    public static readonly AuditFindingKind InternationalForAnonymousCallers = new("OUM-SEC-040", "International dialing for unauthenticated callers");
    /// <summary>Logged-on users of a mailbox policy may dial international groups.</summary>
    public static readonly AuditFindingKind InternationalForUsers = new("OUM-SEC-041", "International dialing for logged-on users");
    /// <summary>An allowed dialing-rule group holds a rule with the mask "*" (any number).</summary>
    public static readonly AuditFindingKind AnyNumberRule = new("OUM-SEC-042", "Allowed dialing rule \"*\" (any number)");
    /// <summary>In-country dialing allowed on a dial plan whose numbers the premium-rate deny list cannot read.</summary>
    public static readonly AuditFindingKind PremiumRateUnchecked = new("OUM-SEC-043", "Premium-rate numbers not recognised");
    /// <summary>Unauthenticated callers may dial any number of extension length.</summary>
    public static readonly AuditFindingKind ExtensionsForAnonymousCallers = new("OUM-SEC-044", "Any extension-length number for unauthenticated callers");

    /// <summary>A mailbox policy's PIN rules are weaker than the defaults.</summary>
    public static readonly AuditFindingKind WeakPinPolicy = new("OUM-SEC-050", "PIN policy weaker than the defaults");

    /// <summary>The data directory, or something in it, is open to other users.</summary>
    public static readonly AuditFindingKind DataDirectoryOpen = new("OUM-SEC-060", "Data directory open to other users");
    /// <summary>A private key or a password file is readable by other users.</summary>
    public static readonly AuditFindingKind SecretReadable = new("OUM-SEC-061", "Private key or password readable by other users");

    /// <summary>Every rule, in ID order.</summary>
    public static IReadOnlyList<AuditFindingKind> All { get; } =
    [
        DialPlanUnsecured, DialPlanMediaInClear, LogonFailuresBeforeDisconnect,
        GatewayByIpAddress, LoopbackGateway, SecuredGatewayOnPort5060, MediaFromAnyAddress, IpsecAdvice,
        CertificateSelfSigned, CertificateExpiring, CertificateWeakKey, CertificateWeakSignature, CertificateNameMismatch, CrlMissing, CrlStale,
        TlsFromAnyAddress, SmartHostWithoutClientCertificate, MetricsWithoutTls, SipOverUdp, AdminApiOnNetwork,
        InternationalForAnonymousCallers, InternationalForUsers, AnyNumberRule, PremiumRateUnchecked, ExtensionsForAnonymousCallers,
        WeakPinPolicy,
        DataDirectoryOpen, SecretReadable,
    ];
}
