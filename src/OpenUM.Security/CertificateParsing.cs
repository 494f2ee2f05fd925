using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace OpenUM.Security;

// Reads certificates as CAs and operators hand them over: PEM bundles, a single DER certificate, or a
// PKCS#7 "certs-only" bundle (.p7b, what Windows CAs return). .NET 9 deprecated the PKCS#7 path of
// X509Certificate2Collection.Import, so the few lines of SignedData are read here.
internal static class CertificateParsing
{
    private const string SignedDataOid = "1.2.840.113549.1.7.2";

    public static bool LooksLikePem(ReadOnlySpan<byte> data) => data.IndexOf("-----BEGIN "u8) >= 0;

    public static X509Certificate2[] ReadCertificates(byte[] data)
    {
        try
        {
            if (LooksLikePem(data))
            {
                var text = Encoding.ASCII.GetString(data);
                if (PemEncoding.TryFind(text, out var fields) && text[fields.Label] is "PKCS7" or "CMS")
                {
                    return ReadPkcs7(Convert.FromBase64String(text[fields.Base64Data]));
                }
                var collection = new X509Certificate2Collection();
                collection.ImportFromPem(text);
                if (collection.Count == 0) throw new CertificateStoreException("The PEM data holds no CERTIFICATE block.");
                return [.. collection];
            }
            return IsPkcs7(data) ? ReadPkcs7(data) : [X509CertificateLoader.LoadCertificate(data)];
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException or FormatException)
        {
            throw new CertificateStoreException("The data is not a PEM, DER or PKCS#7 X.509 certificate: " + ex.Message, ex);
        }
    }

    private static bool IsPkcs7(byte[] data)
    {
        try
        {
            var contentInfo = new AsnReader(data, AsnEncodingRules.BER).ReadSequence();
            return contentInfo.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier) && contentInfo.ReadObjectIdentifier() == SignedDataOid;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    // ContentInfo { signedData, [0] EXPLICIT SignedData { version, digestAlgorithms, encapContentInfo,
    // certificates [0] IMPLICIT SET OF Certificate OPTIONAL, ... } } (RFC 5652). BER: Windows writes
    // indefinite lengths; each certificate is then loaded (and checked) as DER by the platform.
    private static X509Certificate2[] ReadPkcs7(byte[] data)
    {
        var outer = new AsnReader(data, AsnEncodingRules.BER);
        var contentInfo = outer.ReadSequence();
        if (contentInfo.ReadObjectIdentifier() != SignedDataOid) throw new CryptographicException("The PKCS#7 data is not SignedData.");
        var signedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadSequence();
        signedData.ReadInteger();
        signedData.ReadSetOf(skipSortOrderValidation: true);
        signedData.ReadSequence();
        var certificatesTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        var result = new List<X509Certificate2>();
        if (signedData.HasData && signedData.PeekTag().HasSameClassAndValue(certificatesTag))
        {
            var certificates = signedData.ReadSetOf(skipSortOrderValidation: true, expectedTag: certificatesTag);
            while (certificates.HasData)
            {
                var tag = certificates.PeekTag();
                var encoded = certificates.ReadEncodedValue();
                // Other CertificateChoices (attribute certificates, …) are not X.509 certificates: skipped.
                if (tag.HasSameClassAndValue(Asn1Tag.Sequence)) result.Add(X509CertificateLoader.LoadCertificate(encoded.Span));
            }
        }
        if (result.Count == 0) throw new CryptographicException("The PKCS#7 data holds no certificate.");
        return [.. result];
    }
}
