using System.Buffers.Binary;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// Minimal reader for PCM16 WAV files (RIFF/WAVE, format 1 or WAVE_FORMAT_EXTENSIBLE with PCM),
/// independent of the server's own media code so the tests judge its output from the outside.
/// </summary>
public sealed class PcmWav
{
    private PcmWav(int sampleRate, int channels, short[] samples)
    {
        SampleRate = sampleRate;
        Channels = channels;
        Samples = samples;
    }

    /// <summary>Samples per second.</summary>
    public int SampleRate { get; }

    /// <summary>Channel count (samples are interleaved).</summary>
    public int Channels { get; }

    /// <summary>All samples, interleaved.</summary>
    public short[] Samples { get; }

    /// <summary>Length in time.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / Channels / SampleRate);

    /// <summary>Reads a WAV file.</summary>
    public static PcmWav Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses WAV bytes; <paramref name="name"/> is used in error messages.</summary>
    public static PcmWav Parse(ReadOnlySpan<byte> data, string name = "wav")
    {
        if (data.Length < 12 || !data[..4].SequenceEqual("RIFF"u8) || !data.Slice(8, 4).SequenceEqual("WAVE"u8))
            throw new InvalidDataException($"{name}: not a RIFF/WAVE file");
        int pos = 12;
        int rate = 0, channels = 0, bits = 0;
        bool haveFormat = false;
        while (pos + 8 <= data.Length)
        {
            var id = data.Slice(pos, 4);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(pos + 4, 4));
            int body = pos + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + 16 > data.Length)
                    throw new InvalidDataException($"{name}: fmt chunk too short");
                int format = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(body, 2));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(body + 2, 2));
                rate = (int)BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(body + 4, 4));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(body + 14, 2));
                if (format == 0xFFFE && size >= 26 && body + 26 <= data.Length)
                    format = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(body + 24, 2)); // sub-format GUID starts with the tag
                if (format != 1 || bits != 16)
                    throw new InvalidDataException($"{name}: format tag {format}, {bits} bits; only 16-bit PCM is supported");
                haveFormat = true;
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (!haveFormat)
                    throw new InvalidDataException($"{name}: data chunk before fmt chunk");
                // Writers that were interrupted leave 0 or 0xFFFFFFFF here: take what is present.
                long available = data.Length - body;
                long length = size == 0 || size > available ? available : size;
                var samples = new short[length / 2];
                for (int i = 0; i < samples.Length; i++)
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data.Slice(body + 2 * i, 2));
                return new PcmWav(rate, channels, samples);
            }
            long next = (long)body + size + (size & 1);
            if (next > data.Length)
                break;
            pos = (int)next;
        }
        throw new InvalidDataException($"{name}: no data chunk");
    }

    /// <summary>Samples of a mono file (fails for other channel counts).</summary>
    public short[] Mono() =>
        Channels == 1 ? Samples : throw new InvalidDataException($"expected mono audio, got {Channels} channels");

    /// <summary>A copy of the samples between two times (clamped to the file).</summary>
    public short[] Slice(TimeSpan from, TimeSpan to)
    {
        short[] mono = Mono();
        int a = Math.Clamp((int)(from.TotalSeconds * SampleRate), 0, mono.Length);
        int b = Math.Clamp((int)(to.TotalSeconds * SampleRate), a, mono.Length);
        return mono[a..b];
    }

    /// <summary>Writes 16-bit PCM mono samples as a WAV file (used by tests to build fixtures).</summary>
    public static void WriteMono(string path, ReadOnlySpan<short> samples, int sampleRate)
    {
        var bytes = new byte[44 + samples.Length * 2];
        var s = bytes.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], (uint)(36 + samples.Length * 2));
        "WAVEfmt "u8.CopyTo(s[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(s[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(s[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], (uint)sampleRate * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(s[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(s[34..], 16);
        "data"u8.CopyTo(s[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[40..], (uint)(samples.Length * 2));
        for (int i = 0; i < samples.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(s[(44 + 2 * i)..], samples[i]);
        File.WriteAllBytes(path, bytes);
    }
}
