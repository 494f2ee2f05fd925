using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenUM.Security;

/// <summary>Key algorithm and size of a new certificate or certificate request.</summary>
public enum CertificateKeyKind
{
    /// <summary>ECDSA on NIST P-256 (the default: fastest mutual-TLS handshakes).</summary>
    EcdsaP256,
    /// <summary>ECDSA on NIST P-384.</summary>
    EcdsaP384,
    /// <summary>RSA 2048 bits (what most gateways of the Exchange era expect).</summary>
    Rsa2048,
    /// <summary>RSA 3072 bits.</summary>
    Rsa3072,
    /// <summary>RSA 4096 bits.</summary>
    Rsa4096,
}

/// <summary>Names of <see cref="CertificateKeyKind"/> as the command line spells them, and key generation.</summary>
public static class CertificateKeyKinds
{
    private static readonly (string Name, CertificateKeyKind Kind)[] Names =
    [
        ("ecdsa-p256", CertificateKeyKind.EcdsaP256), ("ecdsa-p384", CertificateKeyKind.EcdsaP384),
        ("rsa-2048", CertificateKeyKind.Rsa2048), ("rsa-3072", CertificateKeyKind.Rsa3072),
        ("rsa-4096", CertificateKeyKind.Rsa4096),
    ];

    /// <summary>Parses "ecdsa-p256", "rsa-2048", … (case-insensitive).</summary>
    public static bool TryParse(string? text, out CertificateKeyKind kind)
    {
        foreach (var (name, k) in Names)
        {
            if (string.Equals(name, text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }
        kind = CertificateKeyKind.EcdsaP256;
        return false;
    }

    /// <summary>The command-line spelling of a key kind.</summary>
    public static string Name(CertificateKeyKind kind) => Names.First(n => n.Kind == kind).Name;

    internal static bool IsRsa(CertificateKeyKind kind) => kind is CertificateKeyKind.Rsa2048 or CertificateKeyKind.Rsa3072 or CertificateKeyKind.Rsa4096;

    internal static AsymmetricAlgorithm CreateKey(CertificateKeyKind kind) => kind switch
    {
        CertificateKeyKind.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        CertificateKeyKind.EcdsaP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        CertificateKeyKind.Rsa2048 => RSA.Create(2048),
        CertificateKeyKind.Rsa3072 => RSA.Create(3072),
        CertificateKeyKind.Rsa4096 => RSA.Create(4096),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    // SHA-384 pairs with P-384 so the signature is not weaker than the key.
    internal static CertificateRequest CreateRequest(X500DistinguishedName subject, AsymmetricAlgorithm key, CertificateKeyKind kind) => key switch
    {
        ECDsa ec => new CertificateRequest(subject, ec, kind == CertificateKeyKind.EcdsaP384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256),
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        _ => throw new ArgumentException("Unsupported key type.", nameof(key)),
    };

    internal static string ExportPkcs8Pem(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => ec.ExportPkcs8PrivateKeyPem(),
        RSA rsa => rsa.ExportPkcs8PrivateKeyPem(),
        _ => throw new ArgumentException("Unsupported key type.", nameof(key)),
    };

    internal static AsymmetricAlgorithm ImportPkcs8Pem(string pem, CertificateKeyKind kind)
    {
        AsymmetricAlgorithm key = IsRsa(kind) ? RSA.Create() : ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
