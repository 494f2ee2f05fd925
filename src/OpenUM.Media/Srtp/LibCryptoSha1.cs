using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace OpenUM.Media.Srtp;

/// <summary>
/// Thin binding to SHA1_Init/Update/Final of the system libcrypto. HMAC's inner and outer SHA-1 states after
/// the key block are computed once per key and copied per packet, which saves two of the four compressions
/// a 172-byte packet costs and all the per-call EVP overhead of the BCL path.
/// </summary>
internal static unsafe class LibCryptoSha1
{
    /// <summary>Bytes reserved per SHA_CTX (the struct is 96 bytes on LP64; rounded up for safety).</summary>
    public const int CtxSize = 128;

    /// <summary>The OpenSSL 3 libcrypto that .NET itself uses on Linux.</summary>
    internal const string Library = "libcrypto.so.3";

    // Declared P/Invokes rather than function pointers from NativeLibrary: the JIT then clears the upper vector
    // registers (vzeroupper) before each call. Without it, a state copy done with AVX-512 moves just before made
    // OpenSSL's SSE SHA-1 run about 2.5x slower (measured: 550 ns vs 220 ns per packet MAC). Packets are small and
    // SHA-1 over them takes well under a microsecond, so the GC transition is skipped.
    [DllImport(Library, EntryPoint = "SHA1_Init"), SuppressGCTransition]
    private static extern int Sha1Init(void* ctx);

    [DllImport(Library, EntryPoint = "SHA1_Update"), SuppressGCTransition]
    private static extern int Sha1Update(void* ctx, void* data, nuint length);

    [DllImport(Library, EntryPoint = "SHA1_Update")]
    private static extern int Sha1UpdateLong(void* ctx, void* data, nuint length);

    [DllImport(Library, EntryPoint = "SHA1_Final"), SuppressGCTransition]
    private static extern int Sha1Final(byte* digest, void* ctx);

    private const int FastLimit = 2048;

    static LibCryptoSha1()
    {
        // Resolve the library and symbols without throwing first; a missing libcrypto means the portable path.
        if (!TryBind(Library, "SHA1_Init", out IntPtr lib, out _)
            || !NativeLibrary.TryGetExport(lib, "SHA1_Update", out _) || !NativeLibrary.TryGetExport(lib, "SHA1_Final", out _))
            return;
        IsAvailable = SelfTest();
    }

    /// <summary>Whether <paramref name="library"/> loads and exports <paramref name="symbol"/> (tests of the fallback).</summary>
    internal static bool Probe(string library, string symbol) => TryBind(library, symbol, out _, out _);

    private static bool TryBind(string library, string symbol, out IntPtr handle, out IntPtr export)
    {
        export = IntPtr.Zero;
        return NativeLibrary.TryLoad(library, out handle) && NativeLibrary.TryGetExport(handle, symbol, out export);
    }

    /// <summary>True when libcrypto and the three symbols were found and a known answer matched.</summary>
    public static bool IsAvailable { get; }

    /// <summary>SHA1_Init.</summary>
    public static void Init(void* ctx) => Sha1Init(ctx);

    /// <summary>SHA1_Update.</summary>
    public static void Update(void* ctx, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            if (data.Length <= FastLimit)
                Sha1Update(ctx, p, (nuint)data.Length);
            else
                UpdateLong(ctx, p, (nuint)data.Length);
        }
    }

    // Kept out of line: a method that inlines a P/Invoke with the GC transition sets up a P/Invoke frame in its
    // prologue on every call (a helper call and a thread-local lookup), even when the branch is never taken.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UpdateLong(void* ctx, byte* data, nuint length) => Sha1UpdateLong(ctx, data, length);

    /// <summary>SHA1_Final into 20 bytes.</summary>
    public static void Final(void* ctx, byte* digest) => Sha1Final(digest, ctx);

    // Guards against a libcrypto whose SHA_CTX is larger than we reserve or that misbehaves: FIPS-mode builds
    // can refuse the low-level API, in which case the portable path is used.
    private static bool SelfTest()
    {
        try
        {
            byte* ctx = stackalloc byte[CtxSize * 2];
            new Span<byte>(ctx, CtxSize * 2).Fill(0xA5);
            if (Sha1Init(ctx) != 1)
                return false;
            for (int i = CtxSize; i < CtxSize * 2; i++)
                if (ctx[i] != 0xA5)
                    return false;
            ReadOnlySpan<byte> abc = "abc"u8;
            fixed (byte* p = abc)
                Sha1Update(ctx, p, 3);
            byte* md = stackalloc byte[20];
            Sha1Final(md, ctx);
            // FIPS 180-2 Appendix A.1: SHA-1("abc").
            ReadOnlySpan<byte> expected = [0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e, 0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d];
            return new ReadOnlySpan<byte>(md, 20).SequenceEqual(expected);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }
}

/// <summary>HMAC-SHA1 over the libcrypto binding with precomputed inner/outer states.</summary>
internal sealed unsafe class NativeHmacSha1 : SrtpAuthenticator
{
    // Pinned (POH) so the raw pointers stay valid without a native free; layout: inner | outer | work.
    private readonly byte[] _states = GC.AllocateArray<byte>(LibCryptoSha1.CtxSize * 3, pinned: true);
    private readonly byte* _inner;
    private readonly byte* _outer;
    private readonly byte* _work;

    /// <summary>Precomputes SHA-1 over (key XOR ipad) and (key XOR opad) (RFC 2104).</summary>
    public NativeHmacSha1(ReadOnlySpan<byte> key)
    {
        _inner = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_states));
        _outer = _inner + LibCryptoSha1.CtxSize;
        _work = _outer + LibCryptoSha1.CtxSize;
        // SRTP session auth keys are 20 bytes; RFC 2104's hash-the-long-key step is never needed here.
        if (key.Length > 64)
            throw new ArgumentException("HMAC key longer than one SHA-1 block.", nameof(key));
        Span<byte> pad = stackalloc byte[64];
        PadKey(key, 0x36, pad);
        LibCryptoSha1.Init(_inner);
        LibCryptoSha1.Update(_inner, pad);
        PadKey(key, 0x5c, pad);
        LibCryptoSha1.Init(_outer);
        LibCryptoSha1.Update(_outer, pad);
        CryptographicOperations.ZeroMemory(pad);
    }

    private static void PadKey(ReadOnlySpan<byte> key, byte pad, Span<byte> block)
    {
        block.Fill(pad);
        for (int i = 0; i < key.Length; i++)
            block[i] ^= key[i];
    }

    /// <inheritdoc/>
    public override bool IsNative => true;

    /// <inheritdoc/>
    public override void Compute(ReadOnlySpan<byte> data, ReadOnlySpan<byte> suffix, Span<byte> mac)
    {
        byte* digest = stackalloc byte[MacLength];
        Unsafe.CopyBlockUnaligned(_work, _inner, LibCryptoSha1.CtxSize);
        LibCryptoSha1.Update(_work, data);
        if (!suffix.IsEmpty)
            LibCryptoSha1.Update(_work, suffix);
        LibCryptoSha1.Final(_work, digest);
        Unsafe.CopyBlockUnaligned(_work, _outer, LibCryptoSha1.CtxSize);
        LibCryptoSha1.Update(_work, new ReadOnlySpan<byte>(digest, MacLength));
        LibCryptoSha1.Final(_work, digest);
        new ReadOnlySpan<byte>(digest, MacLength).CopyTo(mac);
    }

    /// <inheritdoc/>
    public override void Dispose() => CryptographicOperations.ZeroMemory(_states);
}
