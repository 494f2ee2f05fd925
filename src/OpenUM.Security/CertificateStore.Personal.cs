using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace OpenUM.Security;

// The New-/Import-/Export-ExchangeCertificate equivalents: everything that creates or moves a private key.
public sealed partial class CertificateStore
{
    /// <summary>Validity of a generated self-signed certificate when none is given (Exchange's is five years).</summary>
    public const int DefaultValidityDays = 5 * 365;

    /// <summary>Creates and stores a self-signed certificate (EKU serverAuth + clientAuth); returns it with its key.</summary>
    public X509Certificate2 NewSelfSigned(string subject, IEnumerable<string>? dnsNames = null,
        CertificateKeyKind keyKind = CertificateKeyKind.EcdsaP256, int validityDays = DefaultValidityDays, bool exportable = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(validityDays, 1);
        var (dn, sans) = SubjectAndNames(subject, dnsNames);
        using var key = CertificateKeyKinds.CreateKey(keyKind);
        var request = BuildRequest(dn, sans, key, keyKind);
        var now = _time.GetUtcNow();
        // Backdated by an hour: a gateway whose clock lags ours must not see a certificate from the future.
        var created = request.CreateSelfSigned(now.AddHours(-1), now.AddDays(validityDays));
        SavePersonal(created, key, chain: null, exportable, CertificateKeyKinds.Name(keyKind));
        return created;
    }

    /// <summary>Creates a PKCS#10 request; its private key waits in pending/ until the CA's response is imported.</summary>
    public CertificateSigningRequest NewRequest(string subject, IEnumerable<string>? dnsNames = null,
        CertificateKeyKind keyKind = CertificateKeyKind.EcdsaP256, bool exportable = false)
    {
        var (dn, sans) = SubjectAndNames(subject, dnsNames);
        using var key = CertificateKeyKinds.CreateKey(keyKind);
        var der = BuildRequest(dn, sans, key, keyKind).CreateSigningRequest();
        var id = CertificateFacts.PublicKeyId(key);
        WriteFile(Path.Combine(PendingPath, id + ".key.pem"), Encoding.ASCII.GetBytes(CertificateKeyKinds.ExportPkcs8Pem(key) + "\n"));
        WriteFile(Path.Combine(PendingPath, id + ".csr.pem"), Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE REQUEST", der) + "\n"));
        WriteMetadata(Path.Combine(PendingPath, id + ".json"), new KeyMetadata
        {
            Exportable = exportable, KeyKind = CertificateKeyKinds.Name(keyKind), Subject = dn.Name, Created = _time.GetUtcNow(),
        });
        return new CertificateSigningRequest(id, der);
    }

    /// <summary>Imports a CA's response (PEM bundle or DER), matched to its pending key by public key.</summary>
    public X509Certificate2 Import(byte[] response)
    {
        var certs = CertificateParsing.ReadCertificates(response);
        foreach (var cert in certs)
        {
            var id = CertificateFacts.PublicKeyId(cert);
            var keyPath = Path.Combine(PendingPath, id + ".key.pem");
            if (!File.Exists(keyPath)) continue;
            var meta = ReadMetadata(Path.Combine(PendingPath, id + ".json"));
            CertificateKeyKinds.TryParse(meta.KeyKind, out var kind);
            using var key = CertificateKeyKinds.ImportPkcs8Pem(File.ReadAllText(keyPath), kind);
            SavePersonal(cert, key, certs, meta.Exportable, meta.KeyKind);
            foreach (var suffix in new[] { ".key.pem", ".csr.pem", ".json" }) File.Delete(Path.Combine(PendingPath, id + suffix));
            return AttachKey(cert, key);
        }
        throw new CertificateStoreException("No pending certificate request matches the public key of the imported certificate(s): "
            + string.Join(", ", certs.Select(c => c.Subject + " (" + c.Thumbprint + ")")));
    }

    /// <summary>Imports a PKCS#12 file with its private key and chain.</summary>
    public X509Certificate2 ImportPfx(byte[] pfx, string? password, bool exportable = false)
    {
        X509Certificate2Collection all;
        try
        {
            // Exportable is needed only to copy the key into the store's PEM file; the store's own flag governs export.
            all = X509CertificateLoader.LoadPkcs12Collection(pfx, password, X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException ex)
        {
            throw new CertificateStoreException("The PFX could not be read (wrong password or damaged file): " + ex.Message, ex);
        }
        var leaf = all.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw new CertificateStoreException("The PFX holds no certificate with a private key.");
        using var key = PrivateKey(leaf);
        SavePersonal(leaf, key, all, exportable, keyKind: null);
        return leaf;
    }

    /// <summary>Imports a PEM certificate (plus chain) and its PKCS#8 key, encrypted when a password is given.</summary>
    public X509Certificate2 ImportPem(string certificatePem, string keyPem, string? keyPassword = null, bool exportable = false)
    {
        X509Certificate2 leaf;
        var chain = new X509Certificate2Collection();
        try
        {
            leaf = keyPassword is null
                ? X509Certificate2.CreateFromPem(certificatePem, keyPem)
                : X509Certificate2.CreateFromEncryptedPem(certificatePem, keyPem, keyPassword);
            chain.ImportFromPem(certificatePem);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new CertificateStoreException("The PEM certificate and key could not be read or do not match: " + ex.Message, ex);
        }
        using var key = PrivateKey(leaf);
        SavePersonal(leaf, key, chain, exportable, keyKind: null);
        return leaf;
    }

    /// <summary>Exports a personal certificate; formats carrying the key are refused for non-exportable keys.</summary>
    public byte[] Export(string thumbprint, CertificateExportFormat format, string? password = null)
    {
        using var cert = FindPersonal(thumbprint) ?? throw new CertificateStoreException($"No personal certificate has thumbprint {thumbprint}.");
        switch (format)
        {
            case CertificateExportFormat.CertificateDer:
                return cert.RawData;
            case CertificateExportFormat.CertificatePem:
                return Encoding.ASCII.GetBytes(cert.ExportCertificatePem() + "\n");
        }
        if (!ReadMetadata(PersonalFile(cert.Thumbprint, ".json")).Exportable)
        {
            throw new CertificateExportRefusedException(
                $"The private key of certificate {cert.Thumbprint} ({cert.Subject}) was created or imported as non-exportable; " +
                "only the certificate itself can be exported. Create a new certificate with --exportable if a copy of the key is needed.");
        }
        if (!cert.HasPrivateKey) throw new CertificateStoreException($"The store holds no private key for certificate {cert.Thumbprint}.");
        var chain = LoadChain(cert);
        if (format == CertificateExportFormat.Pfx)
        {
            if (string.IsNullOrEmpty(password)) throw new CertificateStoreException("A PFX export needs a password to protect the private key.");
            var bundle = new X509Certificate2Collection(cert);
            bundle.AddRange(chain);
            return bundle.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password);
        }
        using var key = PrivateKey(cert);
        var keyPem = string.IsNullOrEmpty(password)
            ? CertificateKeyKinds.ExportPkcs8Pem(key)
            : ExportEncryptedPem(key, password);
        return Encoding.ASCII.GetBytes(cert.ExportCertificatePem() + "\n" + string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n")) + keyPem + "\n");
    }

    private static string ExportEncryptedPem(AsymmetricAlgorithm key, string password)
    {
        var pbe = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 600_000);
        return key switch
        {
            ECDsa ec => ec.ExportEncryptedPkcs8PrivateKeyPem(password, pbe),
            RSA rsa => rsa.ExportEncryptedPkcs8PrivateKeyPem(password, pbe),
            _ => throw new CertificateStoreException("Unsupported key type."),
        };
    }

    private static AsymmetricAlgorithm PrivateKey(X509Certificate2 cert) =>
        (AsymmetricAlgorithm?)cert.GetECDsaPrivateKey() ?? cert.GetRSAPrivateKey()
        ?? throw new CertificateStoreException($"Certificate {cert.Thumbprint} has no ECDSA or RSA private key (only those are supported).");

    private static X509Certificate2 AttachKey(X509Certificate2 cert, AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => cert.CopyWithPrivateKey(ec),
        RSA rsa => cert.CopyWithPrivateKey(rsa),
        _ => throw new CertificateStoreException("Unsupported key type."),
    };

    private static CertificateRequest BuildRequest(X500DistinguishedName subject, IReadOnlyList<string> dnsNames, AsymmetricAlgorithm key, CertificateKeyKind kind)
    {
        var request = CertificateKeyKinds.CreateRequest(subject, key, kind);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        // RSA key exchange (keyEncipherment) matters only to old TLS 1.2 RSA suites some gateways still insist on.
        var usage = X509KeyUsageFlags.DigitalSignature | (CertificateKeyKinds.IsRsa(kind) ? X509KeyUsageFlags.KeyEncipherment : 0);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        // clientAuth too: the server presents this certificate on outbound TLS, and some gateways demand it.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(CertificateFacts.ServerAuthOid), new Oid(CertificateFacts.ClientAuthOid)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        if (dnsNames.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in dnsNames) san.AddDnsName(name);
            request.CertificateExtensions.Add(san.Build());
        }
        return request;
    }

    // Like Exchange: a bare name becomes CN=name, and the CN is always among the SANs (peers match SANs first).
    private static (X500DistinguishedName Subject, IReadOnlyList<string> Names) SubjectAndNames(string subject, IEnumerable<string>? dnsNames)
    {
        if (string.IsNullOrWhiteSpace(subject)) throw new CertificateStoreException("A certificate needs a subject.");
        X500DistinguishedName dn;
        try
        {
            dn = subject.Contains('=')
                ? new X500DistinguishedName(subject)
                : CommonNameOnly(subject.Trim());
        }
        catch (CryptographicException ex)
        {
            throw new CertificateStoreException($"'{subject}' is not a valid distinguished name: {ex.Message}", ex);
        }
        var names = new List<string>();
        var cn = dn.EnumerateRelativeDistinguishedNames().Where(r => !r.HasMultipleElements && r.GetSingleElementType().Value == "2.5.4.3")
            .Select(r => r.GetSingleElementValue()).LastOrDefault();
        foreach (var name in (cn is null || !IsDnsName(cn) ? [] : new[] { cn }).Concat(dnsNames ?? []))
        {
            var n = name.Trim().TrimEnd('.');
            if (!IsDnsName(n)) throw new CertificateStoreException($"'{name}' is not a valid DNS name for a certificate.");
            if (!names.Contains(n, StringComparer.OrdinalIgnoreCase)) names.Add(n);
        }
        return (dn, names);
    }

    private static X500DistinguishedName CommonNameOnly(string cn)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(cn);
        return builder.Build();
    }

    private static bool IsDnsName(string name)
    {
        if (name.Length is 0 or > 253) return false;
        var labels = name.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (i == 0 && label == "*" && labels.Length > 2) continue;
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        }
        return true;
    }
}
