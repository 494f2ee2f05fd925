using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace OpenUM.Media.Srtp;

/// <summary>
/// AES-GCM keyed with one session key and reused for every packet (RFC 7714). The AAD may come in two pieces
/// (SRTCP's is the first 8 octets and the E|index word, which are not adjacent on the wire), so no caller copies it.
/// </summary>
internal abstract class SrtpAead : IDisposable
{
    /// <summary>RFC 7714 §12: the SRTP AEAD suites use 16-octet tags.</summary>
    public const int TagLength = 16;

    /// <summary>True for the libcrypto binding.</summary>
    public abstract bool IsNative { get; }

    /// <summary>Encrypts <paramref name="data"/> in place, AAD = aad || aad2, and writes the tag.</summary>
    public abstract void Seal(ReadOnlySpan<byte> nonce, Span<byte> data, Span<byte> tag, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> aad2);

    /// <summary>
    /// Decrypts <paramref name="data"/> in place when <paramref name="tag"/> verifies; returns false otherwise, with
    /// <paramref name="data"/> zeroed so no unauthenticated plaintext is left behind.
    /// </summary>
    public abstract bool Open(ReadOnlySpan<byte> nonce, Span<byte> data, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> aad2);

    /// <summary>Releases the key.</summary>
    public abstract void Dispose();

    /// <summary>Creates the implementation <paramref name="path"/> asks for.</summary>
    public static SrtpAead Create(ReadOnlySpan<byte> key, SrtpCryptoPath path) => Create(key, path, LibCryptoAesGcm.IsAvailable);

    /// <summary>As <see cref="Create(ReadOnlySpan{byte}, SrtpCryptoPath)"/> with the binding's availability given (tests).</summary>
    internal static SrtpAead Create(ReadOnlySpan<byte> key, SrtpCryptoPath path, bool nativeAvailable)
    {
        if (path != SrtpCryptoPath.Portable && nativeAvailable)
        {
            IntPtr ctx = LibCryptoAesGcm.CreateContext(key);
            if (ctx != IntPtr.Zero)
                return new NativeAesGcm(ctx);
        }
        return new PortableAesGcm(key);
    }
}

/// <summary>AES-GCM on one reused libcrypto EVP_CIPHER_CTX; a wrong tag is a false return, never an exception.</summary>
internal sealed class NativeAesGcm : SrtpAead
{
    private readonly EvpCipherContext _ctx;

    /// <summary>Takes ownership of a keyed context from <see cref="LibCryptoAesGcm.CreateContext"/>.</summary>
    public NativeAesGcm(IntPtr ctx) => _ctx = new EvpCipherContext(ctx);

    /// <inheritdoc/>
    public override bool IsNative => true;

    /// <inheritdoc/>
    public override void Seal(ReadOnlySpan<byte> nonce, Span<byte> data, Span<byte> tag, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> aad2)
    {
        // The raw pointer is used for speed; the handle only guarantees the free. A context is used by one thread
        // and not disposed while in use (SrtpContext checks before each call).
        if (!LibCryptoAesGcm.Seal(_ctx.DangerousGetHandle(), nonce, data, tag, aad, aad2))
            throw new CryptographicException("libcrypto AES-GCM encryption failed.");
        GC.KeepAlive(_ctx);
    }

    /// <inheritdoc/>
    public override bool Open(ReadOnlySpan<byte> nonce, Span<byte> data, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> aad2)
    {
        bool ok = LibCryptoAesGcm.Open(_ctx.DangerousGetHandle(), nonce, data, tag, aad, aad2);
        GC.KeepAlive(_ctx);
        if (!ok)
            CryptographicOperations.ZeroMemory(data);
        return ok;
    }

    /// <inheritdoc/>
    public override void Dispose() => _ctx.Dispose();

    /// <summary>Frees the EVP_CIPHER_CTX (and so its key schedule) on Dispose, or on finalization if a caller forgot.</summary>
    private sealed class EvpCipherContext : SafeHandle
    {
        public EvpCipherContext(IntPtr ctx)
            : base(IntPtr.Zero, ownsHandle: true) => SetHandle(ctx);

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            LibCryptoAesGcm.FreeContext(handle);
            return true;
        }
    }
}

/// <summary>
/// The portable fallback when libcrypto cannot be bound: the BCL's <see cref="AesGcm"/>. It reports a wrong tag by
/// throwing, which is caught here; that costs an exception per forged packet, which only this path pays.
/// </summary>
internal sealed class PortableAesGcm : SrtpAead
{
    private readonly AesGcm _gcm;
    private byte[] _aad = [];

    /// <summary>Keys the cipher.</summary>
    public PortableAesGcm(ReadOnlySpan<byte> key) => _gcm = new AesGcm(key, TagLength);

    /// <inheritdoc/>
    public override bool IsNative => false;

    /// <inheritdoc/>
    public override void Seal(ReadOnlySpan<byte> nonce, Span<byte> data, Span<byte> tag, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> aad2) =>
        _gcm.Encrypt(nonce, data, data, tag, Join(aad, aad2));

    /// <inheritdoc/>
    public override bool Open(ReadOnlySpan<byte> nonce, Span<byte> data, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> aad2)
    {
        try
        {
            // On a mismatch AesGcm zeroes the output itself.
            _gcm.Decrypt(nonce, data, tag, data, Join(aad, aad2));
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    // AesGcm takes one AAD span: the two pieces are joined in a buffer grown once (SRTCP with E=0 makes the whole
    // RTCP packet AAD) and reused.
    private ReadOnlySpan<byte> Join(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> aad2)
    {
        if (aad2.IsEmpty)
            return aad;
        int length = aad.Length + aad2.Length;
        if (_aad.Length < length)
            _aad = new byte[Math.Max(length, 1500)];
        aad.CopyTo(_aad);
        aad2.CopyTo(_aad.AsSpan(aad.Length));
        return _aad.AsSpan(0, length);
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        CryptographicOperations.ZeroMemory(_aad);
        _gcm.Dispose();
    }
}
