using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OpenUM.Media.Srtp;

/// <summary>
/// Thin binding to libcrypto's EVP AES-GCM (the same library as <see cref="LibCryptoSha1"/>). One EVP_CIPHER_CTX is
/// keyed once per session key and reused: per packet only the IV is set, so the key schedule and GHASH tables are
/// computed once, where the BCL's AesGcm pays ~1 µs of fixed per-call cost.
/// </summary>
internal static unsafe class LibCryptoAesGcm
{
    private const string Library = LibCryptoSha1.Library;

    // include/openssl/evp.h (OpenSSL 3.0).
    private const int CtrlAeadGetTag = 0x10;
    private const int CtrlAeadSetTag = 0x11;

    /// <summary>Inputs longer than this go through the P/Invoke with the GC transition (as <see cref="LibCryptoSha1"/>).</summary>
    private const int FastLimit = 2048;

    // Declared P/Invokes, as for SHA-1, so the JIT clears the upper vector registers before each call. The per-packet
    // calls are short (well under a microsecond for an RTP packet) and never call back, so they skip the GC transition.
    [DllImport(Library, EntryPoint = "EVP_CIPHER_CTX_new")]
    private static extern IntPtr CtxNew();

    [DllImport(Library, EntryPoint = "EVP_CIPHER_CTX_free")]
    private static extern void CtxFree(IntPtr ctx);

    [DllImport(Library, EntryPoint = "EVP_aes_128_gcm")]
    private static extern IntPtr Aes128Gcm();

    [DllImport(Library, EntryPoint = "EVP_aes_256_gcm")]
    private static extern IntPtr Aes256Gcm();

    [DllImport(Library, EntryPoint = "EVP_CipherInit_ex")]
    private static extern int CipherInitKey(IntPtr ctx, IntPtr cipher, IntPtr engine, byte* key, byte* iv, int enc);

    [DllImport(Library, EntryPoint = "EVP_CipherInit_ex"), SuppressGCTransition]
    private static extern int CipherInitIv(IntPtr ctx, IntPtr cipher, IntPtr engine, byte* key, byte* iv, int enc);

    [DllImport(Library, EntryPoint = "EVP_CipherUpdate"), SuppressGCTransition]
    private static extern int CipherUpdate(IntPtr ctx, byte* output, int* outputLength, byte* input, int inputLength);

    [DllImport(Library, EntryPoint = "EVP_CipherUpdate")]
    private static extern int CipherUpdateLong(IntPtr ctx, byte* output, int* outputLength, byte* input, int inputLength);

    [DllImport(Library, EntryPoint = "EVP_CipherFinal_ex"), SuppressGCTransition]
    private static extern int CipherFinal(IntPtr ctx, byte* output, int* outputLength);

    [DllImport(Library, EntryPoint = "EVP_CIPHER_CTX_ctrl"), SuppressGCTransition]
    private static extern int Ctrl(IntPtr ctx, int type, int arg, void* ptr);

    private static readonly string[] Symbols =
    [
        "EVP_CIPHER_CTX_new", "EVP_CIPHER_CTX_free", "EVP_aes_128_gcm", "EVP_aes_256_gcm", "EVP_CipherInit_ex",
        "EVP_CipherUpdate", "EVP_CipherFinal_ex", "EVP_CIPHER_CTX_ctrl",
    ];

    static LibCryptoAesGcm()
    {
        // Resolve everything without throwing first: a missing library or symbol means the BCL path.
        if (!NativeLibrary.TryLoad(Library, out IntPtr lib))
            return;
        foreach (var symbol in Symbols)
        {
            if (!NativeLibrary.TryGetExport(lib, symbol, out _))
                return;
        }
        IsAvailable = SelfTest();
    }

    /// <summary>True when libcrypto and every symbol were found and the known answers (accept and reject) matched.</summary>
    public static bool IsAvailable { get; }

    /// <summary>A context keyed with a 16- or 32-byte AES key, or <see cref="IntPtr.Zero"/> when libcrypto refuses.</summary>
    public static IntPtr CreateContext(ReadOnlySpan<byte> key)
    {
        IntPtr cipher = key.Length switch
        {
            16 => Aes128Gcm(),
            32 => Aes256Gcm(),
            _ => throw new ArgumentException("AES-GCM keys are 16 or 32 bytes.", nameof(key)),
        };
        IntPtr ctx = CtxNew();
        if (ctx == IntPtr.Zero)
            return IntPtr.Zero;
        int ok;
        fixed (byte* k = key)
            ok = CipherInitKey(ctx, cipher, IntPtr.Zero, k, null, 1); // the default IV length is GCM's 12 bytes
        if (ok != 1)
        {
            CtxFree(ctx);
            return IntPtr.Zero;
        }
        return ctx;
    }

    /// <summary>EVP_CIPHER_CTX_free: OpenSSL zeroes the key schedule before it frees it.</summary>
    public static void FreeContext(IntPtr ctx) => CtxFree(ctx);

    /// <summary>Encrypts <paramref name="data"/> in place under <paramref name="nonce"/>, AAD = aad || aad2; writes the 16-byte tag.</summary>
    public static bool Seal(IntPtr ctx, ReadOnlySpan<byte> nonce, Span<byte> data, Span<byte> tag, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> aad2)
    {
        fixed (byte* iv = nonce)
        fixed (byte* d = data)
        fixed (byte* t = tag)
        {
            int n;
            if (CipherInitIv(ctx, IntPtr.Zero, IntPtr.Zero, null, iv, 1) != 1 || !Aad(ctx, aad) || !Aad(ctx, aad2)
                || !Update(ctx, d, data.Length) || CipherFinal(ctx, null, &n) != 1)
                return false;
            return Ctrl(ctx, CtrlAeadGetTag, tag.Length, t) == 1;
        }
    }

    /// <summary>
    /// Decrypts <paramref name="data"/> in place and checks <paramref name="tag"/>. False when it does not verify;
    /// OpenSSL compares the tag in constant time. The caller must discard <paramref name="data"/> then.
    /// </summary>
    public static bool Open(IntPtr ctx, ReadOnlySpan<byte> nonce, Span<byte> data, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> aad2)
    {
        fixed (byte* iv = nonce)
        fixed (byte* d = data)
        fixed (byte* t = tag)
        {
            int n;
            // The expected tag is set before any data, as EVP requires it before the final call.
            return CipherInitIv(ctx, IntPtr.Zero, IntPtr.Zero, null, iv, 0) == 1
                && Ctrl(ctx, CtrlAeadSetTag, tag.Length, t) == 1
                && Aad(ctx, aad) && Aad(ctx, aad2)
                && Update(ctx, d, data.Length)
                && CipherFinal(ctx, null, &n) == 1;
        }
    }

    private static bool Aad(IntPtr ctx, ReadOnlySpan<byte> aad)
    {
        if (aad.IsEmpty)
            return true;
        fixed (byte* a = aad)
        {
            int n;
            // A null output buffer makes the update AAD (EVP_EncryptUpdate(3), "AEAD interface").
            return aad.Length <= FastLimit ? CipherUpdate(ctx, null, &n, a, aad.Length) == 1 : UpdateLong(ctx, null, &n, a, aad.Length) == 1;
        }
    }

    private static bool Update(IntPtr ctx, byte* data, int length)
    {
        if (length == 0)
            return true;
        int n;
        // GCM is a stream mode: the whole input comes back at once (n == length), in place.
        int ok = length <= FastLimit ? CipherUpdate(ctx, data, &n, data, length) : UpdateLong(ctx, data, &n, data, length);
        return ok == 1 && n == length;
    }

    // Out of line for the reason given in LibCryptoSha1: an inlined P/Invoke with the GC transition costs its caller
    // a P/Invoke frame set-up on every call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int UpdateLong(IntPtr ctx, byte* output, int* outputLength, byte* input, int inputLength) =>
        CipherUpdateLong(ctx, output, outputLength, input, inputLength);

    // Known answers, so that a libcrypto that misbehaves (or a FIPS build that refuses GCM) is never used: the
    // binding must both produce the right ciphertext and tag and reject a wrong tag.
    private static bool SelfTest()
    {
        IntPtr ctx = IntPtr.Zero;
        try
        {
            // McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", Appendix B, Test Case 2:
            // K = 0^128, IV = 0^96, P = 0^128.
            Span<byte> key = stackalloc byte[16];
            key.Clear();
            ctx = CreateContext(key);
            if (ctx == IntPtr.Zero)
                return false;
            Span<byte> nonce = stackalloc byte[12];
            nonce.Clear();
            Span<byte> data = stackalloc byte[16];
            data.Clear();
            Span<byte> tag = stackalloc byte[16];
            if (!Seal(ctx, nonce, data, tag, default, default))
                return false;
            ReadOnlySpan<byte> c = [0x03, 0x88, 0xda, 0xce, 0x60, 0xb6, 0xa3, 0x92, 0xf3, 0x28, 0xc2, 0xb9, 0x71, 0xb2, 0xfe, 0x78];
            ReadOnlySpan<byte> t = [0xab, 0x6e, 0x47, 0xd4, 0x2c, 0xec, 0x13, 0xbd, 0xf5, 0x3a, 0x67, 0xb2, 0x12, 0x57, 0xbd, 0xdf];
            if (!data.SequenceEqual(c) || !tag.SequenceEqual(t))
                return false;
            if (!Open(ctx, nonce, data, tag, default, default) || data.ContainsAnyExcept((byte)0))
                return false;
            data.Clear();
            if (!Seal(ctx, nonce, data, tag, default, default))
                return false;
            tag[15] ^= 1;
            return !Open(ctx, nonce, data, tag, default, default);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or BadImageFormatException)
        {
            return false;
        }
        finally
        {
            if (ctx != IntPtr.Zero)
                CtxFree(ctx);
        }
    }
}
