using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace OpenUM.Security;

/// <summary>A parsed X.509 CRL (RFC 5280 §5): issuer, dates, revoked serials, and its signature for verification.</summary>
/// <remarks>
/// .NET's chain engine on Linux takes CRLs only from its own download cache, so offline revocation from
/// operator-supplied files is checked here. The reader is strict DER and refuses what it does not
/// understand (unknown critical extensions: delta, partitioned or indirect CRLs) rather than guessing.
/// </remarks>
public sealed class RevocationList
{
    private static readonly HashSet<string> KnownCrlExtensions = ["2.5.29.20", "2.5.29.35", "2.5.29.18"]; // number, AKI, issuer alt name
    private static readonly HashSet<string> KnownEntryExtensions = ["2.5.29.21", "2.5.29.24"]; // reason code, invalidity date

    private readonly HashSet<string> _revokedSerials;
    private readonly byte[] _tbs;
    private readonly byte[] _signature;
    private readonly string _algorithm;

    private RevocationList(byte[] der, X500DistinguishedName issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate,
        HashSet<string> revoked, byte[] tbs, string algorithm, byte[] signature)
    {
        Der = der;
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revokedSerials = revoked;
        _tbs = tbs;
        _algorithm = algorithm;
        _signature = signature;
    }

    /// <summary>The CRL as DER.</summary>
    public byte[] Der { get; }
    /// <summary>The CRL issuer's name.</summary>
    public X500DistinguishedName Issuer { get; }
    /// <summary>When the CRL was issued.</summary>
    public DateTimeOffset ThisUpdate { get; }
    /// <summary>When the next CRL is due, if stated.</summary>
    public DateTimeOffset? NextUpdate { get; }
    /// <summary>Number of revoked certificates listed.</summary>
    public int Count => _revokedSerials.Count;

    /// <summary>Whether the CRL lists the certificate's serial (the caller checks issuer and signature with <see cref="IsSignedBy"/>).</summary>
    public bool ListsSerial(X509Certificate2 cert) => _revokedSerials.Contains(Convert.ToHexString(cert.SerialNumberBytes.Span));

    /// <summary>Whether <paramref name="issuer"/> issued this CRL: same name, cRLSign allowed, signature verifies.</summary>
    public bool IsSignedBy(X509Certificate2 issuer)
    {
        if (!issuer.SubjectName.RawData.AsSpan().SequenceEqual(Issuer.RawData)) return false;
        var ku = issuer.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (ku is not null && (ku.KeyUsages & X509KeyUsageFlags.CrlSign) == 0) return false;
        switch (_algorithm)
        {
            case "1.2.840.10045.4.3.2" or "1.2.840.10045.4.3.3" or "1.2.840.10045.4.3.4":
                using (var ec = issuer.GetECDsaPublicKey())
                {
                    return ec is not null && ec.VerifyData(_tbs, _signature, Hash(_algorithm), DSASignatureFormat.Rfc3279DerSequence);
                }
            case "1.2.840.113549.1.1.11" or "1.2.840.113549.1.1.12" or "1.2.840.113549.1.1.13":
                using (var rsa = issuer.GetRSAPublicKey())
                {
                    return rsa is not null && rsa.VerifyData(_tbs, _signature, Hash(_algorithm), RSASignaturePadding.Pkcs1);
                }
            default:
                return false;
        }
    }

    /// <summary>Parses a CRL given as DER or PEM ("X509 CRL"); throws <see cref="CertificateStoreException"/> when malformed.</summary>
    public static RevocationList Parse(ReadOnlySpan<byte> data)
    {
        byte[] der = data.ToArray();
        if (CertificateParsing.LooksLikePem(data))
        {
            // The first X509 CRL block: bundles like openssl's ca.crt + ca.crl put a certificate first.
            var text = Encoding.ASCII.GetString(data);
            var rest = text.AsSpan();
            der = [];
            while (PemEncoding.TryFind(rest, out var fields))
            {
                if (rest[fields.Label].SequenceEqual("X509 CRL"))
                {
                    der = Convert.FromBase64String(rest[fields.Base64Data].ToString());
                    break;
                }
                rest = rest[fields.Location.End..];
            }
            if (der.Length == 0) throw new CertificateStoreException("The PEM data holds no X509 CRL block.");
        }
        try
        {
            return ParseDer(der);
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException or FormatException)
        {
            throw new CertificateStoreException("The CRL is malformed or uses an unsupported feature: " + ex.Message, ex);
        }
    }

    private static RevocationList ParseDer(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var certList = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbsBytes = certList.ReadEncodedValue().ToArray();
        var (algorithm, parameters) = ReadAlgorithm(certList);
        var signature = certList.ReadBitString(out var unusedBits);
        if (unusedBits != 0) throw new CryptographicException("The CRL signature has unused bits.");
        certList.ThrowIfNotEmpty();
        if (Hash(algorithm) == default) throw new CryptographicException($"Unsupported CRL signature algorithm {algorithm}.");

        var tbs = new AsnReader(tbsBytes, AsnEncodingRules.DER).ReadSequence();
        var v2 = false;
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            if (!tbs.TryReadInt32(out var version) || version != 1) throw new CryptographicException("Unsupported CRL version.");
            v2 = true;
        }
        var (innerAlgorithm, innerParameters) = ReadAlgorithm(tbs);
        // RFC 5280 §5.1.1.2: the two algorithm fields must agree, or the signature proves nothing about the content.
        if (innerAlgorithm != algorithm || !innerParameters.SequenceEqual(parameters)) throw new CryptographicException("CRL signature algorithms disagree.");
        if (!tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence)) throw new CryptographicException("CRL issuer is not a Name.");
        var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
        var thisUpdate = ReadTime(tbs);
        DateTimeOffset? nextUpdate = tbs.HasData && IsTime(tbs.PeekTag()) ? ReadTime(tbs) : null;

        var revoked = new HashSet<string>(StringComparer.Ordinal);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                revoked.Add(Convert.ToHexString(entry.ReadIntegerBytes().Span));
                ReadTime(entry);
                if (entry.HasData)
                {
                    if (!v2) throw new CryptographicException("CRL entry extensions need a v2 CRL.");
                    CheckExtensions(entry.ReadSequence(), KnownEntryExtensions);
                }
                entry.ThrowIfNotEmpty();
            }
        }
        var extensionsTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(extensionsTag))
        {
            if (!v2) throw new CryptographicException("CRL extensions need a v2 CRL.");
            var wrapper = tbs.ReadSequence(extensionsTag);
            CheckExtensions(wrapper.ReadSequence(), KnownCrlExtensions);
            wrapper.ThrowIfNotEmpty();
        }
        tbs.ThrowIfNotEmpty();
        return new RevocationList(der, issuer, thisUpdate, nextUpdate, revoked, tbsBytes, algorithm, signature);
    }

    private static (string Oid, byte[] Parameters) ReadAlgorithm(AsnReader reader)
    {
        var seq = reader.ReadSequence();
        var oid = seq.ReadObjectIdentifier();
        var parameters = seq.HasData ? seq.ReadEncodedValue().ToArray() : [];
        seq.ThrowIfNotEmpty();
        return (oid, parameters);
    }

    private static bool IsTime(Asn1Tag tag) => tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    private static void CheckExtensions(AsnReader extensions, HashSet<string> known)
    {
        while (extensions.HasData)
        {
            var extension = extensions.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            var critical = extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
            extension.ReadOctetString();
            extension.ThrowIfNotEmpty();
            // RFC 5280 §5.2: a CRL with an unrecognised critical extension must not be used for status.
            if (critical && !known.Contains(oid)) throw new CryptographicException($"Unsupported critical CRL extension {oid}.");
        }
    }

    private static HashAlgorithmName Hash(string algorithm) => algorithm switch
    {
        "1.2.840.10045.4.3.2" or "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
        "1.2.840.10045.4.3.3" or "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
        "1.2.840.10045.4.3.4" or "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512,
        _ => default,
    };
}
