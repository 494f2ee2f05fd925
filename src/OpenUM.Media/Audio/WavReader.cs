using System.Buffers.Binary;

namespace OpenUM.Media.Audio;

// RIFF/WAVE reading for prompts. Streams are read forward only (no Seek), with caps on chunk count and
// audio size so that a hostile or corrupt file cannot make us allocate without bound.
internal static class WavReader
{
    private const int MaxChunks = 64;
    private const int MaxDataBytes = 64 * 1024 * 1024;
    private const int MaxSkippedBytes = 1024 * 1024;
    internal const string ConvertHint = "Convert it with: sox in.wav -r 8000 -c 1 -b 16 out.wav";

    public static short[] Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> head = stackalloc byte[12];
        if (!ReadExactly(stream, head))
            throw Invalid("The file is too short to be a WAV file.");
        if (!head[..4].SequenceEqual("RIFF"u8) || !head[8..12].SequenceEqual("WAVE"u8))
            throw Invalid("The file is not a RIFF/WAVE file. " + ConvertHint);

        int format = -1, channels = 0, rate = 0, bits = 0;
        Span<byte> chunkHead = stackalloc byte[8];
        for (int chunk = 0; chunk < MaxChunks; chunk++)
        {
            if (!ReadExactly(stream, chunkHead))
                throw Invalid("The WAV file has no data chunk.");
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHead[4..]);
            var id = chunkHead[..4];
            if (id.SequenceEqual("fmt "u8))
            {
                if (size is < 16 or > 1024)
                    throw Invalid($"The WAV fmt chunk has an invalid size ({size}).");
                var fmt = new byte[size];
                if (!ReadExactly(stream, fmt))
                    throw Invalid("The WAV fmt chunk is truncated.");
                SkipPad(stream, size);
                format = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(2));
                rate = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(fmt.AsSpan(4)));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(14));
                // WAVE_FORMAT_EXTENSIBLE carries the real format in the first two bytes of the sub-format GUID.
                if (format == 0xFFFE && size >= 40)
                    format = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(24));
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format < 0)
                    throw Invalid("The WAV data chunk comes before the fmt chunk.");
                Validate(format, channels, rate, bits);
                return ReadData(stream, size, format);
            }
            else
            {
                if (size > MaxSkippedBytes)
                    throw Invalid($"The WAV file has an oversized '{System.Text.Encoding.ASCII.GetString(id)}' chunk ({size} bytes).");
                Skip(stream, size + (size & 1));
            }
        }
        throw Invalid($"The WAV file has more than {MaxChunks} chunks before its audio.");
    }

    private static void Validate(int format, int channels, int rate, int bits)
    {
        string? kind = (format, bits) switch
        {
            (1, 16) => "16-bit PCM",
            (6, 8) => "A-law",
            (7, 8) => "µ-law",
            _ => null,
        };
        if (kind is not null && channels == 1 && rate == AudioClip.SampleRate)
            return;
        string what = format switch
        {
            1 => $"{bits}-bit PCM",
            3 => $"{bits}-bit floating point",
            6 => $"{bits}-bit A-law",
            7 => $"{bits}-bit µ-law",
            _ => $"format 0x{format:X4} ({bits} bits)",
        };
        throw Invalid($"The WAV file is {what}, {rate} Hz, {channels} channel{(channels == 1 ? "" : "s")}; " +
            "OpenUM needs 8000 Hz mono 16-bit PCM, µ-law or A-law. " + ConvertHint);
    }

    private static short[] ReadData(Stream stream, uint size, int format)
    {
        int bytesPerSample = format == 1 ? 2 : 1;
        // Streaming writers leave 0 or 0xFFFFFFFF in the size; then the data runs to the end of the file.
        bool toEnd = size == 0 || size == uint.MaxValue;
        if (!toEnd && size > MaxDataBytes)
            throw Invalid($"The WAV audio is too large ({size} bytes, limit {MaxDataBytes}).");
        byte[] raw;
        if (toEnd)
        {
            using var ms = new MemoryStream();
            var buf = new byte[64 * 1024];
            int n;
            while ((n = stream.Read(buf)) > 0)
            {
                if (ms.Length + n > MaxDataBytes)
                    throw Invalid($"The WAV audio is too large (limit {MaxDataBytes} bytes).");
                ms.Write(buf, 0, n);
            }
            raw = ms.ToArray();
        }
        else
        {
            raw = new byte[size];
            int got = stream.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            if (got < raw.Length)
                raw = raw[..got]; // a truncated file still yields the audio it has
        }

        var samples = new short[raw.Length / bytesPerSample];
        switch (format)
        {
            case 1:
                for (int i = 0; i < samples.Length; i++)
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(raw.AsSpan(2 * i));
                break;
            case 6:
                G711.Decode(raw, samples, AudioCodec.Pcma);
                break;
            default:
                G711.Decode(raw, samples, AudioCodec.Pcmu);
                break;
        }
        return samples;
    }

    private static bool ReadExactly(Stream s, Span<byte> buffer) =>
        s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) == buffer.Length;

    private static void SkipPad(Stream s, uint size)
    {
        if ((size & 1) != 0)
            Skip(s, 1);
    }

    private static void Skip(Stream s, long count)
    {
        Span<byte> scratch = stackalloc byte[512];
        while (count > 0)
        {
            int n = s.Read(scratch[..(int)Math.Min(count, scratch.Length)]);
            if (n == 0)
                return;
            count -= n;
        }
    }

    private static InvalidDataException Invalid(string message) => new(message);
}
