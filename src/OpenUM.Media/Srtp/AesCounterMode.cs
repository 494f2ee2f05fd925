using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace OpenUM.Media.Srtp;

/// <summary>
/// AES in counter mode as SRTP uses it (RFC 3711 §4.1.1): keystream block j = AES_k(IV + j), IV low 16 bits zero.
/// With AES-NI the rounds run inline on expanded round keys (<see cref="AesNiKeystream"/>): the cipher work for a
/// 20 ms packet is ~50 ns, where the call into the BCL's ECB transform alone cost 200-300 ns. Elsewhere one cached
/// ECB transform encrypts all counter blocks of a packet in one call, through two preallocated 1 KB chunk buffers;
/// the AES-NI path needs none (a call holds three contexts: 6 KB per call that were never touched).
/// </summary>
internal sealed class AesCounterMode : IDisposable
{
    private const int ChunkBlocks = 64;

    private readonly AesNiKeystream? _ni;
    private readonly Aes? _aes;
    private readonly ICryptoTransform? _ecb;
    private readonly byte[]? _counters;
    private readonly byte[]? _keystream;

    /// <summary>Keys the cipher with a session encryption key (16 or 32 bytes).</summary>
    public AesCounterMode(ReadOnlySpan<byte> key)
        : this(key, AesNiKeystream.IsSupported)
    {
    }

    /// <summary>As above, choosing the implementation (tests compare the two).</summary>
    internal AesCounterMode(ReadOnlySpan<byte> key, bool useAesNi)
    {
        if (useAesNi && AesNiKeystream.IsSupported && key.Length is 16 or 32)
        {
            _ni = new AesNiKeystream(key);
            return;
        }
        _counters = new byte[ChunkBlocks * 16];
        _keystream = new byte[ChunkBlocks * 16];
        _aes = Aes.Create();
        byte[] k = key.ToArray();
        _aes.Key = k;
        CryptographicOperations.ZeroMemory(k);
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _ecb = _aes.CreateEncryptor();
    }

    /// <summary>Builds the SRTP/SRTCP IV: (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16).</summary>
    public static void BuildIv(ReadOnlySpan<byte> salt14, uint ssrc, ulong index, Span<byte> iv16)
    {
        salt14[..14].CopyTo(iv16);
        iv16[14] = 0;
        iv16[15] = 0;
        uint s = BinaryPrimitives.ReadUInt32BigEndian(iv16[4..]) ^ ssrc;
        BinaryPrimitives.WriteUInt32BigEndian(iv16[4..], s);
        // index is at most 48 bits: XOR into bytes 8..13.
        ulong hi = BinaryPrimitives.ReadUInt64BigEndian(iv16[8..]) ^ (index << 16);
        BinaryPrimitives.WriteUInt64BigEndian(iv16[8..], hi);
    }

    /// <summary>True when the rounds run on AES-NI.</summary>
    internal bool UsesAesNi => _ni is not null;

    /// <summary>Bytes of chunk buffers held (tests: none on the AES-NI path).</summary>
    internal int ChunkBufferBytes => (_counters?.Length ?? 0) + (_keystream?.Length ?? 0);

    /// <summary>XORs the keystream starting at block 0 of <paramref name="iv16"/> into <paramref name="data"/>.</summary>
    public void Apply(ReadOnlySpan<byte> iv16, Span<byte> data)
    {
        if (_ni is not null)
        {
            _ni.Apply(iv16, data);
            return;
        }
        var iv = Vector128.Create(iv16[..16]);
        int block = 0;
        while (!data.IsEmpty)
        {
            int n = Math.Min(data.Length, ChunkBlocks * 16);
            int blocks = (n + 15) >> 4;
            ref byte c = ref MemoryMarshal.GetArrayDataReference(_counters!);
            for (int j = 0; j < blocks; j++, block++)
            {
                iv.StoreUnsafe(ref c, (nuint)(j * 16));
                Unsafe.Add(ref c, j * 16 + 14) = (byte)(block >> 8);
                Unsafe.Add(ref c, j * 16 + 15) = (byte)block;
            }
            _ecb!.TransformBlock(_counters!, 0, blocks * 16, _keystream!, 0);
            Xor(data[..n], _keystream!);
            data = data[n..];
        }
    }

    /// <summary>data ^= keystream[..data.Length].</summary>
    internal static void Xor(Span<byte> data, ReadOnlySpan<byte> keystream)
    {
        int n = data.Length;
        if (keystream.Length < n)
            throw new ArgumentException("Keystream shorter than data.", nameof(keystream));
        ref byte d = ref MemoryMarshal.GetReference(data);
        ref byte k = ref MemoryMarshal.GetReference(keystream);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 32 <= n; i += 32)
                (Vector256.LoadUnsafe(ref d, (nuint)i) ^ Vector256.LoadUnsafe(ref k, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i + 16 <= n; i += 16)
            (Vector128.LoadUnsafe(ref d, (nuint)i) ^ Vector128.LoadUnsafe(ref k, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        for (; i < n; i++)
            Unsafe.Add(ref d, i) ^= Unsafe.Add(ref k, i);
    }

    /// <summary>Releases the cipher and zeroes the last keystream.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_keystream);
        _ni?.Dispose();
        _ecb?.Dispose();
        _aes?.Dispose();
    }
}
