using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace OpenUM.Media.Srtp;

/// <summary>
/// AES-128/256 encryption of SRTP counter blocks with AES-NI (FIPS 197): the key schedule is expanded once per
/// session key with AESKEYGENASSIST, and each block is ten or fourteen AESENC rounds, eight blocks interleaved so the
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
    [SkipLocalsInit]
    public void Apply(ReadOnlySpan<byte> iv16, Span<byte> data)
    {
        // The counter block is the IV with j in its last two bytes, big-endian (RFC 3711 §4.1.1). Read as two
        // little-endian words, those bytes are the top 16 bits of the second one: each counter is an OR there.
        ulong lo = BinaryPrimitives.ReadUInt64LittleEndian(iv16);
        ulong hi = BinaryPrimitives.ReadUInt64LittleEndian(iv16[8..16]) & 0x0000_FFFF_FFFF_FFFF;
        ref byte d = ref MemoryMarshal.GetReference(data);
        int n = data.Length, offset = 0;
        uint j = 0;
        // Eight blocks at a time: AESENC has a latency of several cycles but issues one or two per cycle, so eight
        // independent blocks keep the AES unit busy where four left it idle half the time (1,360-byte payloads).
        for (; offset + 128 <= n; offset += 128, j += 8)
        {
            Encrypt8(lo, hi, j, out var k0, out var k1, out var k2, out var k3, out var k4, out var k5, out var k6, out var k7);
            XorStore(ref d, offset, k0);
            XorStore(ref d, offset + 16, k1);
            XorStore(ref d, offset + 32, k2);
            XorStore(ref d, offset + 48, k3);
            XorStore(ref d, offset + 64, k4);
            XorStore(ref d, offset + 80, k5);
            XorStore(ref d, offset + 96, k6);
            XorStore(ref d, offset + 112, k7);
        }
        if (offset == n)
            return;
        // The rest (1..127 bytes): its blocks are encrypted side by side too, into a stack buffer, then XORed.
        Span<byte> tail = stackalloc byte[128];
        ref byte t = ref MemoryMarshal.GetReference(tail);
        int rest = n - offset;
        if (rest > 64)
        {
            Encrypt8(lo, hi, j, out var k0, out var k1, out var k2, out var k3, out var k4, out var k5, out var k6, out var k7);
            k4.StoreUnsafe(ref t, 64);
            k5.StoreUnsafe(ref t, 80);
            k6.StoreUnsafe(ref t, 96);
            k7.StoreUnsafe(ref t, 112);
            k0.StoreUnsafe(ref t, 0);
            k1.StoreUnsafe(ref t, 16);
            k2.StoreUnsafe(ref t, 32);
            k3.StoreUnsafe(ref t, 48);
        }
        else
        {
            Encrypt4(lo, hi, j, out var k0, out var k1, out var k2, out var k3);
            k0.StoreUnsafe(ref t, 0);
            k1.StoreUnsafe(ref t, 16);
            k2.StoreUnsafe(ref t, 32);
            k3.StoreUnsafe(ref t, 48);
        }
        // The stack copy of the keystream is not wiped: it only ever reveals this packet's plaintext, which the
        // caller holds anyway.
        AesCounterMode.Xor(data[offset..], tail[..rest]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void XorStore(ref byte d, int offset, Vector128<byte> keystream) =>
        (Vector128.LoadUnsafe(ref d, (nuint)offset) ^ keystream).StoreUnsafe(ref d, (nuint)offset);

    // Block j's counter: the IV with j (mod 2^16, the most a key may cover per packet) in its last two bytes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Counter(ulong lo, ulong hi, uint j) =>
        Vector128.Create(lo, hi | ((ulong)BinaryPrimitives.ReverseEndianness((ushort)j) << 48)).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Encrypt8(ulong lo, ulong hi, uint j,
        out Vector128<byte> r0, out Vector128<byte> r1, out Vector128<byte> r2, out Vector128<byte> r3,
        out Vector128<byte> r4, out Vector128<byte> r5, out Vector128<byte> r6, out Vector128<byte> r7)
    {
        ref Vector128<byte> rk = ref MemoryMarshal.GetArrayDataReference(_roundKeys);
        int rounds = _rounds;
        var k = rk;
        var b0 = Counter(lo, hi, j) ^ k;
        var b1 = Counter(lo, hi, j + 1) ^ k;
        var b2 = Counter(lo, hi, j + 2) ^ k;
        var b3 = Counter(lo, hi, j + 3) ^ k;
        var b4 = Counter(lo, hi, j + 4) ^ k;
        var b5 = Counter(lo, hi, j + 5) ^ k;
        var b6 = Counter(lo, hi, j + 6) ^ k;
        var b7 = Counter(lo, hi, j + 7) ^ k;
        for (int r = 1; r < rounds; r++)
        {
            k = Unsafe.Add(ref rk, r);
            b0 = X86Aes.Encrypt(b0, k);
            b1 = X86Aes.Encrypt(b1, k);
            b2 = X86Aes.Encrypt(b2, k);
            b3 = X86Aes.Encrypt(b3, k);
            b4 = X86Aes.Encrypt(b4, k);
            b5 = X86Aes.Encrypt(b5, k);
            b6 = X86Aes.Encrypt(b6, k);
            b7 = X86Aes.Encrypt(b7, k);
        }
        k = Unsafe.Add(ref rk, rounds);
        r0 = X86Aes.EncryptLast(b0, k);
        r1 = X86Aes.EncryptLast(b1, k);
        r2 = X86Aes.EncryptLast(b2, k);
        r3 = X86Aes.EncryptLast(b3, k);
        r4 = X86Aes.EncryptLast(b4, k);
        r5 = X86Aes.EncryptLast(b5, k);
        r6 = X86Aes.EncryptLast(b6, k);
        r7 = X86Aes.EncryptLast(b7, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Encrypt4(ulong lo, ulong hi, uint j,
        out Vector128<byte> r0, out Vector128<byte> r1, out Vector128<byte> r2, out Vector128<byte> r3)
    {
        ref Vector128<byte> rk = ref MemoryMarshal.GetArrayDataReference(_roundKeys);
        int rounds = _rounds;
        var k = rk;
        var b0 = Counter(lo, hi, j) ^ k;
        var b1 = Counter(lo, hi, j + 1) ^ k;
        var b2 = Counter(lo, hi, j + 2) ^ k;
        var b3 = Counter(lo, hi, j + 3) ^ k;
        for (int r = 1; r < rounds; r++)
        {
            k = Unsafe.Add(ref rk, r);
            b0 = X86Aes.Encrypt(b0, k);
            b1 = X86Aes.Encrypt(b1, k);
            b2 = X86Aes.Encrypt(b2, k);
            b3 = X86Aes.Encrypt(b3, k);
        }
        k = Unsafe.Add(ref rk, rounds);
        r0 = X86Aes.EncryptLast(b0, k);
        r1 = X86Aes.EncryptLast(b1, k);
        r2 = X86Aes.EncryptLast(b2, k);
        r3 = X86Aes.EncryptLast(b3, k);
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
