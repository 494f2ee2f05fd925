using System.Security.Cryptography.X509Certificates;
using OpenUM.Security;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.SecurityAudit;

/// <summary>Revocation lists of the trusted CAs: a CA OpenUM trusts for gateway certificates should also tell it which it withdrew.</summary>
internal static class TrustChecks
{
    public static IEnumerable<AuditFinding> Check(SecurityAuditInput input)
    {
        foreach (var ca in input.TrustedCertificates.Where(IsCa))
        {
            string name = $"{ca.Subject} ({ca.Thumbprint})";
            var crls = input.RevocationLists.Where(c => c.Issuer.RawData.AsSpan().SequenceEqual(ca.SubjectName.RawData) && c.IsSignedBy(ca)).ToArray();
            const string fixNote = "<crl-file> is the CA's current CRL (PEM or DER), from its CRL distribution point or its operators; " +
                "fetch it again before its next update (cron), since OpenUM reads CRLs only from its store.";
            var fix = new[] { FixCommand.Openum("cert", "trust", "<crl-file>", "--crl") };
            if (crls.Length == 0)
            {
                yield return AuditFinding.Of(K.CrlMissing, AuditSeverity.Medium, AuditObjectType.Certificate, name,
                    $"CA {ca.Subject} is trusted for gateway certificates but the store has no CRL of it: a certificate it revoked " +
                    "(a stolen gateway, a leaked key) is still admitted.",
                    fix, fixNote);
            }
            else if (crls.All(c => c.NextUpdate is { } next && next < input.Now))
            {
                var latest = crls.Max(c => c.NextUpdate!.Value);
                yield return AuditFinding.Of(K.CrlStale, AuditSeverity.Medium, AuditObjectType.Certificate, name,
                    $"The CRL of trusted CA {ca.Subject} was due for renewal on {latest:yyyy-MM-dd}: certificates the CA revoked since are still admitted.",
                    fix, fixNote);
            }
        }
    }

    // A CA issues certificates, so its revocations matter; a pinned peer certificate (a gateway's self-signed one) issues none.
    private static bool IsCa(X509Certificate2 cert) =>
        cert.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true };
}
