using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OpenUM.Media;

/// <summary>
/// Small unpredictable numbers (SSRCs, first sequence numbers and timestamps, port picks, SDP session ids) drawn from
/// a per-thread buffer of CSPRNG output. Every <see cref="RandomNumberGenerator"/> call is one OpenSSL RAND_bytes,
/// about 1.2 us whatever the size, and a call set up draws several: one fill of <see cref="BufferBytes"/> serves many
/// calls. Each byte is used once. Key material never comes from here (SRTP master keys fill their own buffers).
/// </summary>
internal static class SecureRandomDraws
{
    /// <summary>Bytes per refill.</summary>
    internal const int BufferBytes = 512;

    [ThreadStatic] private static byte[]? t_buffer;
    [ThreadStatic] private static int t_next;

    /// <summary>A uniformly distributed 32-bit value.</summary>
    public static uint NextUInt32()
    {
        var buffer = t_buffer;
        int next = t_next;
        if (buffer is null || next > BufferBytes - sizeof(uint))
        {
            buffer = t_buffer ??= new byte[BufferBytes];
            RandomNumberGenerator.Fill(buffer);
            next = 0;
        }
        t_next = next + sizeof(uint);
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(next));
        buffer.AsSpan(next, sizeof(uint)).Clear(); // a drawn value does not stay in memory beside the ones to come
        return value;
    }

    /// <summary>A uniformly distributed value in [0, <paramref name="maxExclusive"/>), as RandomNumberGenerator.GetInt32.</summary>
    public static int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        // Rejection of the top, incomplete run of values keeps every result equally likely (no modulo bias).
        uint range = (uint)maxExclusive;
        uint limit = uint.MaxValue - (uint.MaxValue % range + 1) % range;
        uint value;
        do value = NextUInt32();
        while (value > limit);
        return (int)(value % range);
    }
}
