using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace OpenUM.Media.Srtp;

/// <summary>
/// AES-128/256 encryption of SRTP counter blocks with AES-NI (FIPS 197): the key schedule is expanded once per
/// session key with AESKEYGENASSIST, and each block is ten or fourteen AESENC rounds, four blocks interleaved so the
/// rounds pipeline. Checked against the RFC 3711 B.2 and RFC 6188 §7.1 keystreams and against the BCL's AES.
/// </summary>
internal sealed class AesNiKeystream : IDisposable
{
    private readonly Vector128<byte>[] _roundKeys;
    private readonly int _rounds;

    /// <summary>Whether this CPU has AES-NI (x86-64).</summary>
    public static bool IsSupported => X86Aes.IsSupported && Sse2.IsSupported;

    /// <summary>Expands a 16- or 32-byte key.</summary>
    public AesNiKeystream(ReadOnlySpan<byte> key)
    {
        if (!IsSupported)
            throw new PlatformNotSupportedException("AES-NI is not available on this CPU.");
        if (key.Length == 16)
        {
            _rounds = 10;
            _roundKeys = GC.AllocateArray<Vector128<byte>>(11, pinned: true);
            Expand128(key, _roundKeys);
        }
        else if (key.Length == 32)
        {
            _rounds = 14;
            _roundKeys = GC.AllocateArray<Vector128<byte>>(15, pinned: true);
            Expand256(key, _roundKeys);
        }
        else
        {
            throw new ArgumentException("AES keys are 16 or 32 bytes here.", nameof(key));
        }
    }

    /// <summary>XORs AES_k(IV + j), j = 0, 1, ..., into <paramref name="data"/> (counter in the IV's low 16 bits).</summary>
    public void Apply(ReadOnlySpan<byte> iv16, Span<byte> data)
    {
        var iv = Vector128.Create(iv16[..16]);
        ref byte d = ref MemoryMarshal.GetReference(data);
        int n = data.Length, offset = 0;
        uint block = 0;
        for (; offset + 64 <= n; offset += 64, block += 4)
        {
            Encrypt4(Counter(iv, block), Counter(iv, block + 1), Counter(iv, block + 2), Counter(iv, block + 3),
                out var k0, out var k1, out var k2, out var k3);
            (Vector128.LoadUnsafe(ref d, (nuint)offset) ^ k0).StoreUnsafe(ref d, (nuint)offset);
            (Vector128.LoadUnsafe(ref d, (nuint)(offset + 16)) ^ k1).StoreUnsafe(ref d, (nuint)(offset + 16));
            (Vector128.LoadUnsafe(ref d, (nuint)(offset + 32)) ^ k2).StoreUnsafe(ref d, (nuint)(offset + 32));
            (Vector128.LoadUnsafe(ref d, (nuint)(offset + 48)) ^ k3).StoreUnsafe(ref d, (nuint)(offset + 48));
        }
        for (; offset + 16 <= n; offset += 16, block++)
            (Vector128.LoadUnsafe(ref d, (nuint)offset) ^ Encrypt(Counter(iv, block))).StoreUnsafe(ref d, (nuint)offset);
        if (offset < n)
        {
            Span<byte> tail = stackalloc byte[16];
            Encrypt(Counter(iv, block)).CopyTo(tail);
            for (int i = offset; i < n; i++)
                Unsafe.Add(ref d, i) ^= tail[i - offset];
        }
    }

    // Block j's counter: the IV with j (mod 2^16, the most a key may cover per packet) in its last two bytes.
    private static Vector128<byte> Counter(Vector128<byte> iv, uint j) =>
        iv.WithElement(14, (byte)(j >> 8)).WithElement(15, (byte)j);

    private Vector128<byte> Encrypt(Vector128<byte> x)
    {
        var rk = _roundKeys;
        x ^= rk[0];
        for (int r = 1; r < _rounds; r++)
            x = X86Aes.Encrypt(x, rk[r]);
        return X86Aes.EncryptLast(x, rk[_rounds]);
    }

    private void Encrypt4(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c, Vector128<byte> e,
        out Vector128<byte> ra, out Vector128<byte> rb, out Vector128<byte> rc, out Vector128<byte> re)
    {
        var rk = _roundKeys;
        var k = rk[0];
        a ^= k; b ^= k; c ^= k; e ^= k;
        for (int r = 1; r < _rounds; r++)
        {
            k = rk[r];
            a = X86Aes.Encrypt(a, k);
            b = X86Aes.Encrypt(b, k);
            c = X86Aes.Encrypt(c, k);
            e = X86Aes.Encrypt(e, k);
        }
        k = rk[_rounds];
        ra = X86Aes.EncryptLast(a, k);
        rb = X86Aes.EncryptLast(b, k);
        rc = X86Aes.EncryptLast(c, k);
        re = X86Aes.EncryptLast(e, k);
    }

    // FIPS 197 §5.2 for Nk = 4: w[i] = w[i-4] ^ SubWord(RotWord(w[i-1])) ^ Rcon, then the running XOR of the words.
    // AESKEYGENASSIST takes its round constant as an immediate, hence the unrolled calls.
    private static void Expand128(ReadOnlySpan<byte> key, Vector128<byte>[] rk)
    {
        var k = rk[0] = Vector128.Create(key);
        k = rk[1] = Next(k, X86Aes.KeygenAssist(k, 0x01));
        k = rk[2] = Next(k, X86Aes.KeygenAssist(k, 0x02));
        k = rk[3] = Next(k, X86Aes.KeygenAssist(k, 0x04));
        k = rk[4] = Next(k, X86Aes.KeygenAssist(k, 0x08));
        k = rk[5] = Next(k, X86Aes.KeygenAssist(k, 0x10));
        k = rk[6] = Next(k, X86Aes.KeygenAssist(k, 0x20));
        k = rk[7] = Next(k, X86Aes.KeygenAssist(k, 0x40));
        k = rk[8] = Next(k, X86Aes.KeygenAssist(k, 0x80));
        k = rk[9] = Next(k, X86Aes.KeygenAssist(k, 0x1b));
        rk[10] = Next(k, X86Aes.KeygenAssist(k, 0x36));
    }

    // FIPS 197 §5.2 for Nk = 8: even round keys take SubWord(RotWord(w)) ^ Rcon of the previous odd one (assist
    // word 3), odd round keys take SubWord(w) alone of the previous even one (assist word 2).
    private static void Expand256(ReadOnlySpan<byte> key, Vector128<byte>[] rk)
    {
        var a = rk[0] = Vector128.Create(key[..16]);
        var b = rk[1] = Vector128.Create(key[16..32]);
        a = rk[2] = Next(a, X86Aes.KeygenAssist(b, 0x01));
        b = rk[3] = NextOdd(b, X86Aes.KeygenAssist(a, 0));
        a = rk[4] = Next(a, X86Aes.KeygenAssist(b, 0x02));
        b = rk[5] = NextOdd(b, X86Aes.KeygenAssist(a, 0));
        a = rk[6] = Next(a, X86Aes.KeygenAssist(b, 0x04));
        b = rk[7] = NextOdd(b, X86Aes.KeygenAssist(a, 0));
        a = rk[8] = Next(a, X86Aes.KeygenAssist(b, 0x08));
        b = rk[9] = NextOdd(b, X86Aes.KeygenAssist(a, 0));
        a = rk[10] = Next(a, X86Aes.KeygenAssist(b, 0x10));
        b = rk[11] = NextOdd(b, X86Aes.KeygenAssist(a, 0));
        a = rk[12] = Next(a, X86Aes.KeygenAssist(b, 0x20));
        b = rk[13] = NextOdd(b, X86Aes.KeygenAssist(a, 0));
        rk[14] = Next(a, X86Aes.KeygenAssist(b, 0x40));
    }

    private static Vector128<byte> Next(Vector128<byte> previous, Vector128<byte> assist) =>
        PrefixXor(previous) ^ Sse2.Shuffle(assist.AsUInt32(), 0xFF).AsByte();

    private static Vector128<byte> NextOdd(Vector128<byte> previous, Vector128<byte> assist) =>
        PrefixXor(previous) ^ Sse2.Shuffle(assist.AsUInt32(), 0xAA).AsByte();

    // (w0, w1, w2, w3) -> (w0, w0^w1, w0^w1^w2, w0^w1^w2^w3): the word chaining of the key schedule.
    private static Vector128<byte> PrefixXor(Vector128<byte> k)
    {
        k ^= Sse2.ShiftLeftLogical128BitLane(k, 4);
        k ^= Sse2.ShiftLeftLogical128BitLane(k, 4);
        k ^= Sse2.ShiftLeftLogical128BitLane(k, 4);
        return k;
    }

    /// <summary>Zeroes the round keys.</summary>
    public void Dispose() => Array.Clear(_roundKeys);
}
