using System.Security.Cryptography.X509Certificates;
using OpenUM.Security;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.SecurityAudit;

/// <summary>The certificate the server presents (chosen as it chooses, CERT-3): issuer, expiry, key, signature, names.</summary>
internal static class CertificateChecks
{
    /// <summary>Days before NotAfter from which the server warns (event 1120), and so does the audit.</summary>
    public const int ExpiryWarningDays = 30;

    /// <summary>Days left from which an expiring certificate is High.</summary>
    public const int ExpiryUrgentDays = 7;

    /// <summary>Smallest acceptable RSA key, in bits.</summary>
    public const int MinRsaBits = 2048;

    /// <summary>Smallest acceptable elliptic-curve key, in bits.</summary>
    public const int MinEcBits = 256;

    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";
    private const string DsaOid = "1.2.840.10040.4.1";

    // Signatures whose hash allows forged certificates: MD2, MD5, SHA-1 with RSA, ECDSA or DSA.
    private static readonly Dictionary<string, string> WeakSignatures = new(StringComparer.Ordinal)
    {
        ["1.2.840.113549.1.1.2"] = "md2WithRSAEncryption",
        ["1.2.840.113549.1.1.4"] = "md5WithRSAEncryption",
        ["1.2.840.113549.1.1.5"] = "sha1WithRSAEncryption",
        ["1.3.14.3.2.29"] = "sha1WithRSASignature",
        ["1.2.840.10045.4.1"] = "ecdsa-with-SHA1",
        ["1.2.840.10040.4.3"] = "dsa-with-sha1",
    };

    public static IEnumerable<AuditFinding> Check(SecurityAuditInput input)
    {
        string? bound = input.Configuration.FindUmServer(input.ServerName)?.CertificateThumbprint;
        var selection = CertificateSelector.Choose(input.PersonalCertificates, bound, input.Now);
        var fix = ReplaceFix(input.ServerFqdn, bound);
        const string fixNote = "Send openum.csr to your CA (your PKI or a commercial one); <ca-signed-certificate-file> is the certificate it returns. " +
            "cert import matches it to the key waiting in the store and prints its thumbprint.";
        if (selection is null)
        {
            yield return AuditFinding.Of(K.CertificateSelfSigned, AuditSeverity.Medium, AuditObjectType.Certificate, "(none yet)",
                $"The store holds no valid server certificate, so the server generates a self-signed one for {input.ServerFqdn} when TLS first needs it: " +
                "no CA vouches for it, every gateway must import and pin it by hand, and it cannot be revoked.",
                fix, fixNote);
            yield break;
        }
        var cert = selection.Certificate;
        string name = $"{cert.Subject} ({cert.Thumbprint})";
        if (CertificateFacts.IsSelfSigned(cert))
        {
            yield return AuditFinding.Of(K.CertificateSelfSigned, AuditSeverity.Medium, AuditObjectType.Certificate, name,
                $"The server presents a self-signed certificate: no CA vouches for it, every gateway must import and pin it by hand, " +
                "and it cannot be revoked.",
                fix, fixNote);
        }
        int days = CertificateFacts.DaysLeft(cert, input.Now);
        if (days <= ExpiryWarningDays)
        {
            yield return AuditFinding.Of(K.CertificateExpiring, days <= ExpiryUrgentDays ? AuditSeverity.High : AuditSeverity.Medium,
                AuditObjectType.Certificate, name,
                $"The server certificate expires on {CertificateFacts.NotAfter(cert):yyyy-MM-dd} (in {days} days): after that gateways refuse " +
                "its TLS connections and secured dial plans stop taking calls.",
                fix, fixNote);
        }
        if (WeakKey(cert) is { } weakKey)
        {
            yield return AuditFinding.Of(K.CertificateWeakKey, AuditSeverity.High, AuditObjectType.Certificate, name,
                $"The server certificate has a {weakKey} key (at least RSA {MinRsaBits} or EC {MinEcBits} bits is required): " +
                "its private key can be computed from the public one by a determined attacker, who can then pose as the server.",
                fix, fixNote);
        }
        if (WeakSignatures.TryGetValue(cert.SignatureAlgorithm.Value ?? "", out var algorithm))
        {
            yield return AuditFinding.Of(K.CertificateWeakSignature, AuditSeverity.High, AuditObjectType.Certificate, name,
                $"The server certificate is signed with {algorithm}, a hash for which colliding certificates can be made, " +
                "and which current TLS peers refuse.",
                fix, fixNote);
        }
        if (!Names(cert, input.ServerFqdn))
        {
            var names = CertificateFacts.DnsNames(cert) is { Count: > 0 } sans ? "its names " + string.Join(", ", sans) : $"its subject {cert.Subject}";
            yield return AuditFinding.Of(K.CertificateNameMismatch, AuditSeverity.Medium, AuditObjectType.Certificate, name,
                $"The server certificate does not name {input.ServerFqdn} ({names}): gateways that check the name refuse it, " +
                "and those that do not would accept any certificate from their CA.",
                fix, fixNote + " If the server is known by another name, audit with --fqdn NAME (the name `serve --fqdn` gives).");
        }
    }

    /// <summary>
    /// A new key and a CA-issued certificate for <paramref name="fqdn"/>: CERT-3 presents a valid CA-issued certificate before any
    /// self-signed one, but a bound certificate wins, so the new one is bound too when one is.
    /// </summary>
    private static IReadOnlyList<string> ReplaceFix(string fqdn, string? bound) =>
    [
        FixCommand.Openum("cert", "new-request", "--subject", fqdn, "--out", "openum.csr"),
        FixCommand.Openum("cert", "import", "<ca-signed-certificate-file>"),
        .. bound is null ? Array.Empty<string>() : [FixCommand.Openum("cert", "enable", "<thumbprint-printed-by-import>")],
    ];

    /// <summary>"RSA 1024-bit", "DSA"... or null when the key is strong enough.</summary>
    internal static string? WeakKey(X509Certificate2 cert)
    {
        switch (cert.PublicKey.Oid.Value)
        {
            case RsaOid:
                using (var rsa = cert.GetRSAPublicKey())
                    return rsa is not null && rsa.KeySize < MinRsaBits ? $"RSA {rsa.KeySize}-bit" : null;
            case EcOid:
                using (var ec = cert.GetECDsaPublicKey())
                    return ec is not null && ec.KeySize < MinEcBits ? $"EC {ec.KeySize}-bit" : null;
            case DsaOid:
                return "DSA"; // TLS 1.3 has no DSA, and its keys top out at 3072 bits with SHA-1-era parameters
            default:
                return null;
        }
    }

    // The name gateways reach the server by, as they match it: the SAN dNSNames, else the CN (no wildcards, as for gateways).
    private static bool Names(X509Certificate2 cert, string fqdn)
    {
        var names = CertificateFacts.DnsNames(cert) is { Count: > 0 } sans ? sans
            : CertificateFacts.CommonName(cert) is { } cn ? [cn] : [];
        return names.Any(n => string.Equals(n.TrimEnd('.'), fqdn.TrimEnd('.'), StringComparison.OrdinalIgnoreCase));
    }
}
