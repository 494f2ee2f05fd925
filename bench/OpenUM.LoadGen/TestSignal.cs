using OpenUM.Media.Audio;

namespace OpenUM.LoadGen;

/// <summary>
/// The known signal: every 20 ms G.711 µ-law frame names its call and its own number, so a recording can be read back
/// and each frame counted. The server's recorder writes the decoded samples as they are and fills a lost packet with
/// silence (or skips a long gap), so a lost frame is a frame number that never appears.
/// </summary>
/// <remarks>
/// Layout of the 160 bytes: an 8-byte sync pattern, the call number, the frame number and a check word (32 bits each,
/// one loud µ-law code per 4-bit nibble), then 128 bytes of filler derived from the frame number. Every code is at
/// least -18 dBFS (the recorder's idle detection must never see silence) and none is a µ-law zero (0x7F and 0xFF both
/// decode to 0), so re-encoding the recorded samples gives back the sent bytes exactly.
/// </remarks>
public static class TestSignal
{
    /// <summary>Samples (and µ-law bytes) per 20 ms frame at 8 kHz.</summary>
    public const int FrameSize = 160;

    private const int HeaderSize = 32;
    private static ReadOnlySpan<byte> Sync => [0x05, 0x85, 0x0A, 0x8A, 0x05, 0x85, 0x0A, 0x8A];

    // Nibble v -> µ-law code: exponent 5 both signs (|x| 4092..7932), alternating sign to keep the mean near zero.
    private static byte Symbol(int v) => (byte)((v & 1) == 0 ? 0x20 + v : 0xA0 + v);

    private static int Nibble(byte code) => code switch
    {
        >= 0x20 and <= 0x2F when (code & 1) == 0 => code - 0x20,
        >= 0xA0 and <= 0xAF when (code & 1) == 1 => code - 0xA0,
        _ => -1,
    };

    /// <summary>The check word of a frame: a mix of both numbers, so a header damaged in transit is not taken for another frame.</summary>
    private static uint Check(uint call, uint frame)
    {
        uint h = call * 0x9E3779B1u ^ frame * 0x85EBCA77u ^ 0x5A17C0DEu;
        h ^= h >> 15;
        h *= 0x2C1B3C6Du;
        return h ^ (h >> 13);
    }

    /// <summary>Writes frame <paramref name="frame"/> of call <paramref name="call"/> as µ-law into <paramref name="destination"/> (160 bytes).</summary>
    public static void WriteFrame(uint call, uint frame, Span<byte> destination)
    {
        var d = destination[..FrameSize];
        Sync.CopyTo(d);
        WriteWord(call, d[8..]);
        WriteWord(frame, d[16..]);
        WriteWord(Check(call, frame), d[24..]);
        for (int i = HeaderSize; i < FrameSize; i++)
            d[i] = Symbol((int)((frame + (uint)i) & 15));
    }

    private static void WriteWord(uint value, Span<byte> d)
    {
        for (int i = 0; i < 8; i++)
            d[i] = Symbol((int)(value >> (28 - 4 * i)) & 15);
    }

    private static bool TryReadWord(ReadOnlySpan<byte> s, out uint value)
    {
        value = 0;
        for (int i = 0; i < 8; i++)
        {
            int n = Nibble(s[i]);
            if (n < 0)
                return false;
            value = value << 4 | (uint)n;
        }
        return true;
    }

    /// <summary>
    /// Reads the frame at the start of <paramref name="codes"/> (µ-law): true when all 160 bytes are exactly the frame
    /// its header names.
    /// </summary>
    public static bool TryReadFrame(ReadOnlySpan<byte> codes, out uint call, out uint frame)
    {
        call = frame = 0;
        if (codes.Length < FrameSize || !codes.StartsWith(Sync))
            return false;
        if (!TryReadWord(codes[8..], out call) || !TryReadWord(codes[16..], out frame) || !TryReadWord(codes[24..], out uint check)
            || check != Check(call, frame))
            return false;
        Span<byte> expected = stackalloc byte[FrameSize];
        WriteFrame(call, frame, expected);
        return codes[..FrameSize].SequenceEqual(expected);
    }

    /// <summary>
    /// Every intact frame in a recording (PCM16 samples as the server wrote them), in order. The frames need not start
    /// at sample 0 or at multiples of 160: a partial silence fill can shift what follows.
    /// </summary>
    public static void Scan(ReadOnlySpan<short> samples, Action<uint, uint> onFrame)
    {
        var codes = new byte[samples.Length];
        for (int i = 0; i < samples.Length; i++)
            codes[i] = G711.LinearToMuLaw(samples[i]);
        int p = 0;
        while (p + FrameSize <= codes.Length)
        {
            if (TryReadFrame(codes.AsSpan(p), out uint call, out uint frame))
            {
                onFrame(call, frame);
                p += FrameSize;
            }
            else
            {
                p++;
            }
        }
    }

    /// <summary>
    /// <paramref name="silentFrames"/> frames of µ-law silence (the caller hearing the greeting), then frames
    /// 0..count-1 of <paramref name="call"/>, as headerless µ-law (SIPp's rtp_stream file).
    /// </summary>
    public static void WriteRaw(Stream destination, uint call, int count, int silentFrames = 0)
    {
        var frame = new byte[FrameSize];
        Array.Fill(frame, (byte)0xFF);
        for (int i = 0; i < silentFrames; i++)
            destination.Write(frame);
        for (uint i = 0; i < (uint)count; i++)
        {
            WriteFrame(call, i, frame);
            destination.Write(frame);
        }
    }
}
