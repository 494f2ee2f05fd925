using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenUM.Security;

/// <summary>Facts about a certificate that every certificate decision needs, computed one way only.</summary>
public static class CertificateFacts
{
    /// <summary>OID of the serverAuth extended key usage.</summary>
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    /// <summary>OID of the clientAuth extended key usage.</summary>
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private const string AnyEkuOid = "2.5.29.37.0";
    private const string CommonNameOid = "2.5.4.3";

    /// <summary>SHA-1 thumbprint, upper-case hex (the one operators know from Exchange).</summary>
    public static string Sha1Thumbprint(X509Certificate2 cert) => cert.Thumbprint;

    /// <summary>SHA-256 thumbprint, upper-case hex.</summary>
    public static string Sha256Thumbprint(X509Certificate2 cert) => cert.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>NotBefore as a UTC instant (X509Certificate2 reports local time).</summary>
    public static DateTimeOffset NotBefore(X509Certificate2 cert) => new(cert.NotBefore.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>NotAfter as a UTC instant.</summary>
    public static DateTimeOffset NotAfter(X509Certificate2 cert) => new(cert.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>Whether <paramref name="now"/> lies within the certificate's validity period.</summary>
    public static bool IsTimeValid(X509Certificate2 cert, DateTimeOffset now) => now >= NotBefore(cert) && now <= NotAfter(cert);

    /// <summary>Whole days from <paramref name="now"/> to NotAfter, rounded down (negative once expired).</summary>
    public static int DaysLeft(X509Certificate2 cert, DateTimeOffset now) => (int)Math.Floor((NotAfter(cert) - now).TotalDays);

    /// <summary>Issuer equals subject and, when both key identifiers are present, they agree.</summary>
    public static bool IsSelfSigned(X509Certificate2 cert)
    {
        if (!cert.SubjectName.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData)) return false;
        var ski = cert.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes;
        var aki = cert.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier;
        return ski is null || aki is null || ski.Value.Span.SequenceEqual(aki.Value.Span);
    }

    /// <summary>The dNSName entries of the subject alternative name extension.</summary>
    public static IReadOnlyList<string> DnsNames(X509Certificate2 cert) =>
        cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToArray();

    /// <summary>The subject's (last) common name, or null.</summary>
    public static string? CommonName(X509Certificate2 cert) => CommonName(cert.SubjectName);

    /// <summary>The (last) common name of <paramref name="name"/> (a certificate's or a request's subject), or null.</summary>
    public static string? CommonName(X500DistinguishedName name)
    {
        string? cn = null;
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == CommonNameOid) cn = rdn.GetSingleElementValue();
        }
        return cn;
    }

    /// <summary>Whether the EKU extension allows <paramref name="oid"/>; RFC 5280: no EKU extension means any purpose.</summary>
    public static bool AllowsEku(X509Certificate2 cert, string oid)
    {
        var eku = cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (eku is null) return true;
        foreach (var o in eku.EnhancedKeyUsages)
        {
            if (o.Value == oid || o.Value == AnyEkuOid) return true;
        }
        return false;
    }

    /// <summary>Whether a key usage extension, if present, allows signatures (every TLS authentication needs one).</summary>
    public static bool AllowsDigitalSignature(X509Certificate2 cert)
    {
        var ku = cert.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        return ku is null || (ku.KeyUsages & X509KeyUsageFlags.DigitalSignature) != 0;
    }

    /// <summary>The serial number as upper-case hex, big-endian as printed by openssl.</summary>
    public static string SerialNumber(X509Certificate2 cert) => cert.SerialNumber;

    /// <summary>SHA-256 of the SubjectPublicKeyInfo: how a CA response is matched to its pending key.</summary>
    public static string PublicKeyId(X509Certificate2 cert) => PublicKeyId(cert.PublicKey.ExportSubjectPublicKeyInfo());

    internal static string PublicKeyId(AsymmetricAlgorithm key) => PublicKeyId(key.ExportSubjectPublicKeyInfo());

    private static string PublicKeyId(byte[] spki) => Convert.ToHexString(SHA256.HashData(spki));

    /// <summary>Normalises an operator-typed thumbprint: hex only, upper case.</summary>
    public static string NormalizeThumbprint(string thumbprint) =>
        new string(thumbprint.Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant();

    /// <summary>Whether a SHA-1 or SHA-256 thumbprint designates this certificate.</summary>
    public static bool Matches(X509Certificate2 cert, string thumbprint)
    {
        var t = NormalizeThumbprint(thumbprint);
        return t.Length > 0 && (t == cert.Thumbprint || t == Sha256Thumbprint(cert));
    }
}
