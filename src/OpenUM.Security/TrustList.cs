using System.Security.Cryptography.X509Certificates;

namespace OpenUM.Security;

/// <summary>An immutable snapshot of the trusted certificates and CRLs that peer validation uses.</summary>
public sealed class TrustList
{
    /// <summary>A trust list that trusts nothing.</summary>
    public static readonly TrustList Empty = new([], []);

    /// <summary>Builds a snapshot; the collections are copied so later store changes cannot leak in.</summary>
    public TrustList(IEnumerable<X509Certificate2> certificates, IEnumerable<RevocationList> revocationLists)
    {
        Certificates = [.. certificates];
        RevocationLists = revocationLists.ToArray();
    }

    /// <summary>Trust anchors: roots and pinned peer certificates.</summary>
    public IReadOnlyList<X509Certificate2> Certificates { get; }
    /// <summary>The configured CRLs.</summary>
    public IReadOnlyList<RevocationList> RevocationLists { get; }

    /// <summary>Whether a configured CRL signed by <paramref name="issuer"/> lists <paramref name="cert"/>.</summary>
    public bool IsRevoked(X509Certificate2 cert, X509Certificate2 issuer)
    {
        // Serial first: the signature is verified only for a hit, so a handshake costs no public-key operation here.
        // NextUpdate is not enforced: a revoked serial stays revoked in a stale CRL, and refusing every
        // gateway because an operator forgot to refresh a file would turn a chore into an outage.
        foreach (var crl in RevocationLists)
        {
            if (crl.ListsSerial(cert) && crl.IsSignedBy(issuer)) return true;
        }
        return false;
    }

    /// <summary>Whether this exact certificate is in the trust list (a pinned peer certificate).</summary>
    public bool Contains(X509Certificate2 cert) => Certificates.Any(c => c.RawData.AsSpan().SequenceEqual(cert.RawData));
}
