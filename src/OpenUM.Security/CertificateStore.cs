using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace OpenUM.Security;

/// <summary>The server's certificate store: personal/, trusted/ (with crl/) and pending/ under one root, owner-only.</summary>
/// <remarks>
/// Layout: personal/&lt;SHA1&gt;.crt.pem (leaf), .chain.pem (issuers to present), .key.pem (PKCS#8), .json
/// (exportable flag); trusted/&lt;SHA1&gt;.crt.pem; trusted/crl/&lt;issuer hash&gt;.crl (DER);
/// pending/&lt;public key id&gt;.key.pem, .csr.pem, .json. Every file is written to a temporary name and
/// renamed, so the server reading the store while the CLI writes it never sees half a file.
/// </remarks>
public sealed partial class CertificateStore
{
    private const UnixFileMode DirPermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const string CertSuffix = ".crt.pem";

    private readonly TimeProvider _time;

    /// <summary>Opens (creating if needed) the store under <paramref name="root"/> and tightens its permissions.</summary>
    public CertificateStore(string root, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Root = Path.GetFullPath(root);
        PersonalPath = Path.Combine(Root, "personal");
        TrustedPath = Path.Combine(Root, "trusted");
        CrlPath = Path.Combine(TrustedPath, "crl");
        PendingPath = Path.Combine(Root, "pending");
        foreach (var dir in new[] { Root, PersonalPath, TrustedPath, CrlPath, PendingPath }) EnsureDirectory(dir);
    }

    /// <summary>The store's root directory.</summary>
    public string Root { get; }
    /// <summary>Directory of the server's certificates and keys.</summary>
    public string PersonalPath { get; }
    /// <summary>Directory of trusted roots and peer certificates.</summary>
    public string TrustedPath { get; }
    /// <summary>Directory of the configured CRL files.</summary>
    public string CrlPath { get; }
    /// <summary>Directory of the keys of outstanding certificate requests.</summary>
    public string PendingPath { get; }

    /// <summary>Every personal and trusted certificate with its facts.</summary>
    public IReadOnlyList<CertificateInfo> List()
    {
        var now = _time.GetUtcNow();
        var list = new List<CertificateInfo>();
        foreach (var thumb in PersonalThumbprints())
        {
            using var cert = LoadPersonalCertificate(thumb, withKey: false);
            if (cert is null) continue;
            list.Add(CertificateInfo.From(cert, CertificateLocation.Personal, ReadMetadata(PersonalFile(thumb, ".json")).Exportable, now) with
            {
                HasPrivateKey = File.Exists(PersonalFile(thumb, ".key.pem")),
            });
        }
        foreach (var cert in LoadTrusted())
        {
            list.Add(CertificateInfo.From(cert, CertificateLocation.Trusted, exportable: false, now));
            cert.Dispose();
        }
        return list;
    }

    /// <summary>The outstanding certificate requests.</summary>
    public IReadOnlyList<PendingRequestInfo> ListPending() =>
        System.IO.Directory.EnumerateFiles(PendingPath, "*.json").Order(StringComparer.Ordinal).Select(path =>
        {
            var meta = ReadMetadata(path);
            CertificateKeyKinds.TryParse(meta.KeyKind, out var kind);
            return new PendingRequestInfo(Path.GetFileName(path)[..^5], meta.Subject ?? "", kind, meta.Exportable, meta.Created);
        }).ToArray();

    /// <summary>The PKCS#10 request of a pending entry, as PEM (to hand to the CA again).</summary>
    public string ExportRequest(string pendingId)
    {
        var path = Path.Combine(PendingPath, PendingFileName(pendingId) + ".csr.pem");
        return File.Exists(path) ? File.ReadAllText(path) : throw new CertificateStoreException($"No pending request has id {pendingId}.");
    }

    /// <summary>Abandons a pending request and deletes its key; false when there was none.</summary>
    public bool RemovePending(string pendingId)
    {
        var name = PendingFileName(pendingId);
        var existed = File.Exists(Path.Combine(PendingPath, name + ".key.pem"));
        foreach (var suffix in new[] { ".key.pem", ".csr.pem", ".json" }) File.Delete(Path.Combine(PendingPath, name + suffix));
        return existed;
    }

    /// <summary>The personal certificates, each with its private key when the store holds one.</summary>
    public IReadOnlyList<X509Certificate2> LoadPersonal() =>
        PersonalThumbprints().Select(t => LoadPersonalCertificate(t, withKey: true)).OfType<X509Certificate2>().ToArray();

    /// <summary>A personal certificate (with key) by SHA-1 or SHA-256 thumbprint, or null.</summary>
    public X509Certificate2? FindPersonal(string thumbprint)
    {
        X509Certificate2? found = null;
        foreach (var cert in LoadPersonal())
        {
            if (found is null && CertificateFacts.Matches(cert, thumbprint)) found = cert;
            else cert.Dispose();
        }
        return found;
    }

    /// <summary>The issuer certificates stored beside a personal certificate, to present in the handshake.</summary>
    public X509Certificate2Collection LoadChain(X509Certificate2 cert)
    {
        var chain = new X509Certificate2Collection();
        var path = PersonalFile(cert.Thumbprint, ".chain.pem");
        if (File.Exists(path)) chain.ImportFromPemFile(path);
        return chain;
    }

    /// <summary>The trusted roots and pinned peer certificates.</summary>
    public IReadOnlyList<X509Certificate2> LoadTrusted() =>
        System.IO.Directory.EnumerateFiles(TrustedPath, "*" + CertSuffix).Order(StringComparer.Ordinal)
            .Select(LoadPemCertificate).ToArray();

    /// <summary>The stored CRLs, parsed.</summary>
    public IReadOnlyList<RevocationList> LoadCrls() =>
        System.IO.Directory.EnumerateFiles(CrlPath, "*.crl").Order(StringComparer.Ordinal)
            .Select(p => RevocationList.Parse(File.ReadAllBytes(p))).ToArray();

    /// <summary>An immutable snapshot of the trusted certificates and CRLs for peer validation.</summary>
    public TrustList LoadTrustList() => new(LoadTrusted(), LoadCrls());

    /// <summary>Adds roots or peer certificates (PEM bundle or DER) to trusted/; returns what was added.</summary>
    public IReadOnlyList<X509Certificate2> Trust(byte[] data)
    {
        var certs = CertificateParsing.ReadCertificates(data);
        foreach (var cert in certs)
        {
            WriteFile(Path.Combine(TrustedPath, cert.Thumbprint + CertSuffix), Encoding.ASCII.GetBytes(cert.ExportCertificatePem() + "\n"));
        }
        return certs;
    }

    /// <summary>Removes a trusted certificate by SHA-1 or SHA-256 thumbprint; false when none matched.</summary>
    public bool Untrust(string thumbprint)
    {
        var removed = false;
        foreach (var cert in LoadTrusted())
        {
            if (CertificateFacts.Matches(cert, thumbprint))
            {
                File.Delete(Path.Combine(TrustedPath, cert.Thumbprint + CertSuffix));
                removed = true;
            }
            cert.Dispose();
        }
        return removed;
    }

    /// <summary>Stores a CRL (PEM or DER) under trusted/crl/, replacing the previous one of the same issuer.</summary>
    public RevocationList AddCrl(byte[] data)
    {
        var crl = RevocationList.Parse(data);
        var name = Convert.ToHexString(SHA256.HashData(crl.Issuer.RawData))[..32] + ".crl";
        WriteFile(Path.Combine(CrlPath, name), crl.Der);
        return crl;
    }

    /// <summary>Removes a personal (with its key) or trusted certificate by thumbprint; false when none matched.</summary>
    public bool Remove(string thumbprint)
    {
        var removed = Untrust(thumbprint);
        foreach (var thumb in PersonalThumbprints())
        {
            using var cert = LoadPersonalCertificate(thumb, withKey: false);
            if (cert is null || !CertificateFacts.Matches(cert, thumbprint)) continue;
            // The certificate goes first so a crash midway never leaves a certificate that lost its key.
            foreach (var suffix in new[] { CertSuffix, ".chain.pem", ".key.pem", ".json" }) File.Delete(PersonalFile(thumb, suffix));
            removed = true;
        }
        return removed;
    }

    /// <summary>Checks whether a certificate can be bound to the UM service now.</summary>
    public BindCheck Bindable(X509Certificate2 cert) => BindCheck.Evaluate(cert, _time.GetUtcNow());

    private IEnumerable<string> PersonalThumbprints() =>
        System.IO.Directory.EnumerateFiles(PersonalPath, "*" + CertSuffix).Order(StringComparer.Ordinal)
            .Select(p => Path.GetFileName(p)[..^CertSuffix.Length]).ToArray();

    // Ids are hex; anything else could name a path outside pending/.
    private static string PendingFileName(string pendingId) =>
        pendingId.Length == 64 && pendingId.All(Uri.IsHexDigit) ? pendingId.ToUpperInvariant() : throw new CertificateStoreException($"'{pendingId}' is not a pending request id.");

    private string PersonalFile(string thumbprint, string suffix) => Path.Combine(PersonalPath, thumbprint + suffix);

    private X509Certificate2? LoadPersonalCertificate(string thumbprint, bool withKey)
    {
        var certPath = PersonalFile(thumbprint, CertSuffix);
        var keyPath = PersonalFile(thumbprint, ".key.pem");
        if (!File.Exists(certPath)) return null;
        return withKey && File.Exists(keyPath)
            ? X509Certificate2.CreateFromPemFile(certPath, keyPath)
            : LoadPemCertificate(certPath);
    }

    private static X509Certificate2 LoadPemCertificate(string path) => X509Certificate2.CreateFromPem(File.ReadAllText(path));

    private void SavePersonal(X509Certificate2 cert, AsymmetricAlgorithm key, IEnumerable<X509Certificate2>? chain, bool exportable, string? keyKind)
    {
        var thumb = cert.Thumbprint;
        // Key before certificate: the certificate file is what makes the entry visible.
        WriteFile(PersonalFile(thumb, ".key.pem"), Encoding.ASCII.GetBytes(CertificateKeyKinds.ExportPkcs8Pem(key) + "\n"));
        WriteMetadata(PersonalFile(thumb, ".json"), new KeyMetadata { Exportable = exportable, KeyKind = keyKind, Subject = cert.Subject, Created = _time.GetUtcNow() });
        var issuers = chain?.Where(c => c.Thumbprint != thumb).ToArray() ?? [];
        if (issuers.Length > 0)
        {
            WriteFile(PersonalFile(thumb, ".chain.pem"), Encoding.ASCII.GetBytes(string.Concat(issuers.Select(c => c.ExportCertificatePem() + "\n"))));
        }
        WriteFile(PersonalFile(thumb, CertSuffix), Encoding.ASCII.GetBytes(cert.ExportCertificatePem() + "\n"));
    }

    private static void EnsureDirectory(string path)
    {
        System.IO.Directory.CreateDirectory(path, DirPermissions);
        // CreateDirectory leaves an existing directory's mode alone; a store must never stay group/world readable.
        File.SetUnixFileMode(path, DirPermissions);
    }

    private static void WriteFile(string path, ReadOnlySpan<byte> content)
    {
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FilePermissions,
            }))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static KeyMetadata ReadMetadata(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<KeyMetadata>(File.ReadAllBytes(path)) ?? new KeyMetadata() : new KeyMetadata();

    private static void WriteMetadata(string path, KeyMetadata meta) => WriteFile(path, JsonSerializer.SerializeToUtf8Bytes(meta));

    // The JSON sidecar: never the key itself, only facts about it.
    private sealed class KeyMetadata
    {
        public bool Exportable { get; set; }
        public string? KeyKind { get; set; }
        public string? Subject { get; set; }
        public DateTimeOffset Created { get; set; }
    }
}
