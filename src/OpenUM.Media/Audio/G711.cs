using System.Runtime.CompilerServices;

namespace OpenUM.Media.Audio;

/// <summary>ITU-T G.711 µ-law (PCMU) and A-law (PCMA) codec, bit-exact with the ITU-T G.191 STL g711 module.</summary>
public static class G711
{
    // µ-law depends only on the 14 MSBs of the input and A-law only on the 12 MSBs (G.191 ulaw_compress /
    // alaw_compress), so 16K + 4K tables hold every possible result: one indexed load per sample.
    private static readonly byte[] MuLawEncodeTable = BuildMuLawEncodeTable();
    private static readonly byte[] ALawEncodeTable = BuildALawEncodeTable();
    private static readonly short[] MuLawDecodeTable = BuildDecodeTable(MuLawExpand);
    private static readonly short[] ALawDecodeTable = BuildDecodeTable(ALawExpand);

    /// <summary>The µ-law code of digital silence (linear 0).</summary>
    public const byte MuLawSilence = 0xFF;

    /// <summary>The A-law code of digital silence (linear 0).</summary>
    public const byte ALawSilence = 0xD5;

    /// <summary>Encodes one 16-bit linear sample to µ-law.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte LinearToMuLaw(short sample) => MuLawEncodeTable[(sample >> 2) & 0x3FFF];

    /// <summary>Decodes one µ-law code to a 16-bit linear sample (14-bit value left-justified).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short MuLawToLinear(byte code) => MuLawDecodeTable[code];

    /// <summary>Encodes one 16-bit linear sample to A-law (even bits already inverted, as sent on the wire).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte LinearToALaw(short sample) => ALawEncodeTable[(sample >> 4) & 0xFFF];

    /// <summary>Decodes one A-law code to a 16-bit linear sample (13-bit value left-justified).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short ALawToLinear(byte code) => ALawDecodeTable[code];

    /// <summary>The code that represents silence in the given codec.</summary>
    public static byte SilenceCode(AudioCodec codec) => codec == AudioCodec.Pcma ? ALawSilence : MuLawSilence;

    /// <summary>Encodes <paramref name="samples"/> into <paramref name="destination"/> (one byte per sample).</summary>
    public static void Encode(ReadOnlySpan<short> samples, Span<byte> destination, AudioCodec codec)
    {
        if (destination.Length < samples.Length)
            throw new ArgumentException("Destination is shorter than the input.", nameof(destination));
        var table = EncodeTableFor(codec);
        int shift = codec == AudioCodec.Pcma ? 4 : 2;
        int mask = codec == AudioCodec.Pcma ? 0xFFF : 0x3FFF;
        for (int i = 0; i < samples.Length; i++)
            destination[i] = table[(samples[i] >> shift) & mask];
    }

    /// <summary>Decodes <paramref name="codes"/> into <paramref name="destination"/> (one sample per byte).</summary>
    public static void Decode(ReadOnlySpan<byte> codes, Span<short> destination, AudioCodec codec)
    {
        if (destination.Length < codes.Length)
            throw new ArgumentException("Destination is shorter than the input.", nameof(destination));
        var table = codec switch
        {
            AudioCodec.Pcmu => MuLawDecodeTable,
            AudioCodec.Pcma => ALawDecodeTable,
            _ => throw new ArgumentOutOfRangeException(nameof(codec)),
        };
        for (int i = 0; i < codes.Length; i++)
            destination[i] = table[codes[i]];
    }

    private static byte[] EncodeTableFor(AudioCodec codec) => codec switch
    {
        AudioCodec.Pcmu => MuLawEncodeTable,
        AudioCodec.Pcma => ALawEncodeTable,
        _ => throw new ArgumentOutOfRangeException(nameof(codec)),
    };

    // The table index is the input's top bits as an unsigned field; sign-extend it back to a sample that
    // has those top bits (the discarded low bits do not influence the G.191 result).
    private static byte[] BuildMuLawEncodeTable()
    {
        var table = new byte[1 << 14];
        for (int i = 0; i < table.Length; i++)
            table[i] = MuLawCompress((short)(i << 2));
        return table;
    }

    private static byte[] BuildALawEncodeTable()
    {
        var table = new byte[1 << 12];
        for (int i = 0; i < table.Length; i++)
            table[i] = ALawCompress((short)(i << 4));
        return table;
    }

    private static short[] BuildDecodeTable(Func<byte, short> expand)
    {
        var table = new short[256];
        for (int i = 0; i < 256; i++)
            table[i] = expand((byte)i);
        return table;
    }

    // G.191 ulaw_compress: ones' complement for negatives, 14-bit magnitude biased by 33, segment search.
    internal static byte MuLawCompress(short sample)
    {
        int absno = sample < 0 ? ((~sample) >> 2) + 33 : (sample >> 2) + 33;
        if (absno > 0x1FFF)
            absno = 0x1FFF;
        int segno = 1;
        for (int i = absno >> 6; i != 0; i >>= 1)
            segno++;
        int high = 8 - segno;
        int low = 0xF - ((absno >> segno) & 0xF);
        int code = (high << 4) | low;
        if (sample >= 0)
            code |= 0x80;
        return (byte)code;
    }

    // G.191 alaw_compress: ones' complement for negatives, 12-bit magnitude, exponent search, even bits toggled.
    internal static byte ALawCompress(short sample)
    {
        int ix = sample < 0 ? (~sample) >> 4 : sample >> 4;
        if (ix > 15)
        {
            int exp = 1;
            while (ix > 16 + 15)
            {
                ix >>= 1;
                exp++;
            }
            ix -= 16;
            ix += exp << 4;
        }
        if (sample >= 0)
            ix |= 0x80;
        return (byte)(ix ^ 0x55);
    }

    // G.191 ulaw_expand.
    internal static short MuLawExpand(byte code)
    {
        int sign = code < 0x80 ? -1 : 1;
        int mantissa = ~code;
        int exponent = (mantissa >> 4) & 0x7;
        int segment = exponent + 1;
        mantissa &= 0xF;
        int step = 4 << segment;
        return (short)(sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33));
    }

    // G.191 alaw_expand.
    internal static short ALawExpand(byte code)
    {
        int ix = (code ^ 0x55) & 0x7F;
        int exp = ix >> 4;
        int mant = ix & 0xF;
        if (exp > 0)
            mant += 16;
        mant = (mant << 4) + 8;
        if (exp > 1)
            mant <<= exp - 1;
        return (short)(code > 127 ? mant : -mant);
    }
}
