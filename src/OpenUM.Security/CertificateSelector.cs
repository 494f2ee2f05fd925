using System.Security.Cryptography.X509Certificates;

namespace OpenUM.Security;

/// <summary>Why <see cref="CertificateSelector"/> chose a certificate.</summary>
public enum SelectionReason
{
    /// <summary>The certificate bound to the UM service, still valid.</summary>
    Bound,
    /// <summary>The valid CA-issued (PKI or commercial) certificate with the most time left.</summary>
    CaIssued,
    /// <summary>The valid self-signed certificate with the most time left.</summary>
    SelfSigned,
    /// <summary>No certificate was valid: a self-signed one was generated for the server FQDN.</summary>
    Generated,
}

/// <summary>The certificate the server will present, and why.</summary>
public sealed record CertificateSelection(X509Certificate2 Certificate, SelectionReason Reason, string Explanation);

/// <summary>Chooses the server certificate (CERT-3).</summary>
public static class CertificateSelector
{
    /// <summary>Picks among <paramref name="candidates"/> at <paramref name="now"/>; null when none is valid.</summary>
    public static CertificateSelection? Choose(IEnumerable<X509Certificate2> candidates, string? boundThumbprint, DateTimeOffset now)
    {
        var all = candidates.ToArray();
        var note = "";
        if (!string.IsNullOrWhiteSpace(boundThumbprint))
        {
            var bound = all.FirstOrDefault(c => CertificateFacts.Matches(c, boundThumbprint));
            if (bound is null)
            {
                note = $"the bound certificate {boundThumbprint} is not in the store; ";
            }
            else
            {
                var check = BindCheck.Evaluate(bound, now);
                if (check.Ok) return new CertificateSelection(bound, SelectionReason.Bound, $"bound certificate {bound.Thumbprint} is valid");
                note = $"the bound certificate {bound.Thumbprint} is unusable ({check.Describe()}); ";
            }
        }
        // Most time left first; the thumbprint breaks ties so two servers sharing a store agree.
        var usable = all.Where(c => BindCheck.Evaluate(c, now).Ok)
            .OrderByDescending(CertificateFacts.NotAfter).ThenBy(c => c.Thumbprint, StringComparer.Ordinal).ToArray();
        var ca = usable.FirstOrDefault(c => !CertificateFacts.IsSelfSigned(c));
        if (ca is not null)
        {
            return new CertificateSelection(ca, SelectionReason.CaIssued, note + $"CA-issued certificate {ca.Thumbprint} has the most time left ({CertificateFacts.DaysLeft(ca, now)} days)");
        }
        var self = usable.FirstOrDefault();
        return self is null ? null
            : new CertificateSelection(self, SelectionReason.SelfSigned, note + $"no valid CA-issued certificate; self-signed {self.Thumbprint} has the most time left ({CertificateFacts.DaysLeft(self, now)} days)");
    }

    /// <summary>Chooses from the store's personal certificates, generating and storing a self-signed one for <paramref name="serverFqdn"/> if none is valid.</summary>
    public static CertificateSelection Select(CertificateStore store, string? boundThumbprint, string serverFqdn, DateTimeOffset now)
    {
        var personal = store.LoadPersonal();
        var chosen = Choose(personal, boundThumbprint, now);
        foreach (var c in personal)
        {
            if (!ReferenceEquals(c, chosen?.Certificate)) c.Dispose();
        }
        if (chosen is not null) return chosen;
        var generated = store.NewSelfSigned(serverFqdn, [serverFqdn]);
        return new CertificateSelection(generated, SelectionReason.Generated,
            $"no valid certificate in the store; generated self-signed {generated.Thumbprint} for {serverFqdn}");
    }
}
