using System.Security.Cryptography;

namespace OpenUM.Media.Srtp;

/// <summary>Which implementation of HMAC-SHA1 (AES-CM suites) and AES-GCM (AEAD suites) a context uses.</summary>
internal enum SrtpCryptoPath
{
    /// <summary>The system libcrypto binding when it loads, else the portable one.</summary>
    Auto,
    /// <summary>The BCL: one reused <see cref="IncrementalHash"/>, or one <see cref="AesGcm"/>.</summary>
    Portable,
    /// <summary>The libcrypto binding; falls back to portable when the library or its symbols are missing.</summary>
    Native,
}

/// <summary>HMAC-SHA1 keyed with one session authentication key, reused for every packet (RFC 3711 §4.2.1).</summary>
internal abstract class SrtpAuthenticator : IDisposable
{
    /// <summary>Full 20-byte HMAC-SHA1 output.</summary>
    public const int MacLength = 20;

    /// <summary>True for the libcrypto binding.</summary>
    public abstract bool IsNative { get; }

    /// <summary>mac = HMAC(key, data || suffix); suffix is the 4-byte ROC for SRTP, empty for SRTCP.</summary>
    public abstract void Compute(ReadOnlySpan<byte> data, ReadOnlySpan<byte> suffix, Span<byte> mac);

    /// <summary>Zeroes key-dependent state.</summary>
    public abstract void Dispose();

    /// <summary>Creates the implementation <paramref name="path"/> asks for.</summary>
    public static SrtpAuthenticator Create(ReadOnlySpan<byte> key, SrtpCryptoPath path) =>
        Create(key, path, LibCryptoSha1.IsAvailable);

    /// <summary>As <see cref="Create(ReadOnlySpan{byte}, SrtpCryptoPath)"/> with the binding's availability given (tests).</summary>
    internal static SrtpAuthenticator Create(ReadOnlySpan<byte> key, SrtpCryptoPath path, bool nativeAvailable) =>
        path != SrtpCryptoPath.Portable && nativeAvailable
            ? new NativeHmacSha1(key)
            : new PortableHmacSha1(key);
}

/// <summary>Portable path: one <see cref="IncrementalHash"/> per context, reset by each GetHashAndReset.</summary>
internal sealed class PortableHmacSha1 : SrtpAuthenticator
{
    private readonly IncrementalHash _hmac;

    /// <summary>Keys the HMAC.</summary>
    public PortableHmacSha1(ReadOnlySpan<byte> key) => _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);

    /// <inheritdoc/>
    public override bool IsNative => false;

    /// <inheritdoc/>
    public override void Compute(ReadOnlySpan<byte> data, ReadOnlySpan<byte> suffix, Span<byte> mac)
    {
        _hmac.AppendData(data);
        if (!suffix.IsEmpty)
            _hmac.AppendData(suffix);
        _hmac.GetHashAndReset(mac);
    }

    /// <inheritdoc/>
    public override void Dispose() => _hmac.Dispose();
}
