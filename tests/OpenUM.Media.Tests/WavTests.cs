using System.Buffers.Binary;
using System.Text;
using OpenUM.Media.Audio;

namespace OpenUM.Media.Tests;

public sealed class WavTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("openum-wav-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WriterAndReaderRoundTrip()
    {
        var path = Path.Combine(_dir, "a.wav");
        var tone = AudioClip.Tone(440, TimeSpan.FromMilliseconds(250));
        using (var w = new WavWriter(path))
        {
            w.Write(tone.Samples.Span);
            w.WriteSilence(800);
            Assert.Equal(2800, w.SamplesWritten);
            w.Complete();
        }
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(44 + 2 * 2800, bytes.Length);
        Assert.Equal("RIFF", Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal(36u + 5600, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(8000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24)));
        Assert.Equal(5600u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)));

        var clip = AudioClip.FromWavFile(path);
        Assert.Equal(TimeSpan.FromMilliseconds(350), clip.Duration);
        Assert.Equal(tone.Samples.ToArray(), clip.Samples[..2000].ToArray());
        Assert.All(clip.Samples[2000..].ToArray(), s => Assert.Equal(0, s));
    }

    [Fact]
    public void DisposeWithoutCompletePatchesTheHeader()
    {
        var path = Path.Combine(_dir, "b.wav");
        using (var w = new WavWriter(path))
            w.Write([1, 2, 3]);
        Assert.Equal(new short[] { 1, 2, 3 }, AudioClip.FromWavFile(path).Samples.ToArray());
    }

    [Fact]
    public void WritingAfterCompleteFails()
    {
        using var ms = new MemoryStream();
        using var w = new WavWriter(ms);
        w.Complete();
        Assert.Throws<InvalidOperationException>(() => w.Write([1]));
    }

    [Theory]
    [InlineData(7, AudioCodec.Pcmu)]
    [InlineData(6, AudioCodec.Pcma)]
    public void G711WavFilesAreDecoded(int format, AudioCodec codec)
    {
        var codes = new byte[] { 0x00, 0x7F, 0x80, 0xFF, 0x55, 0xD5 };
        var wav = BuildWav(format, 1, 8000, 8, codes, extraChunk: true);
        var clip = AudioClip.FromWav(new MemoryStream(wav));
        var expected = new short[codes.Length];
        G711.Decode(codes, expected, codec);
        Assert.Equal(expected, clip.Samples.ToArray());
    }

    [Fact]
    public void ExtensibleFormatIsUnderstood()
    {
        var fmt = new byte[40];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(4), 8000);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(24), 1); // sub-format PCM
        var wav = Riff(Chunk("fmt ", fmt), Chunk("data", [0x34, 0x12]));
        Assert.Equal(new short[] { 0x1234 }, AudioClip.FromWav(new MemoryStream(wav)).Samples.ToArray());
    }

    [Fact]
    public void CdQualityStereoIsRejectedWithSoxHint()
    {
        var wav = BuildWav(1, 2, 44100, 16, new byte[400], extraChunk: false);
        var ex = Assert.Throws<InvalidDataException>(() => AudioClip.FromWav(new MemoryStream(wav)));
        Assert.Contains("44100 Hz", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2 channels", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sox", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-r 8000 -c 1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, 1, 8000, 32, "floating point")]
    [InlineData(1, 1, 8000, 8, "8-bit PCM")]
    [InlineData(1, 1, 16000, 16, "16000 Hz")]
    [InlineData(0x55, 1, 8000, 0, "0x0055")]
    public void UnsupportedFormatsSayWhatTheyAre(int format, int channels, int rate, int bits, string expected)
    {
        var wav = BuildWav(format, channels, rate, bits, new byte[16], extraChunk: false);
        var ex = Assert.Throws<InvalidDataException>(() => AudioClip.FromWav(new MemoryStream(wav)));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("sox", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostileFilesAreRejected()
    {
        Assert.Throws<InvalidDataException>(() => AudioClip.FromWav(new MemoryStream([])));
        Assert.Throws<InvalidDataException>(() => AudioClip.FromWav(new MemoryStream(Encoding.ASCII.GetBytes("ID3\u0004 this is an mp3"))));
        // No data chunk.
        Assert.Throws<InvalidDataException>(() => AudioClip.FromWav(new MemoryStream(Riff(Chunk("fmt ", Fmt(1, 1, 8000, 16))))));
        // Data before fmt.
        Assert.Throws<InvalidDataException>(() => AudioClip.FromWav(new MemoryStream(Riff(Chunk("data", [0, 0]), Chunk("fmt ", Fmt(1, 1, 8000, 16))))));
        // fmt chunk claiming 4 GB.
        var bad = Riff(Chunk("fmt ", Fmt(1, 1, 8000, 16)));
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(16), uint.MaxValue - 1);
        Assert.Throws<InvalidDataException>(() => AudioClip.FromWav(new MemoryStream(bad)));
        // Endless small chunks.
        var many = Enumerable.Range(0, 100).Select(_ => Chunk("junk", [1, 2])).Prepend(Chunk("fmt ", Fmt(1, 1, 8000, 16))).ToArray();
        Assert.Throws<InvalidDataException>(() => AudioClip.FromWav(new MemoryStream(Riff(many))));
        // A huge declared data size is refused before allocating.
        var huge = Riff(Chunk("fmt ", Fmt(1, 1, 8000, 16)), Chunk("data", [0, 0]));
        BinaryPrimitives.WriteUInt32LittleEndian(huge.AsSpan(huge.Length - 6), 0x7FFF0000);
        Assert.Throws<InvalidDataException>(() => AudioClip.FromWav(new MemoryStream(huge)));
    }

    [Fact]
    public void StreamingWriterSizesAndTruncatedDataAreTolerated()
    {
        var wav = Riff(Chunk("fmt ", Fmt(1, 1, 8000, 16)), Chunk("data", [1, 0, 2, 0, 3, 0]));
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(wav.Length - 10), uint.MaxValue); // "until end of file"
        Assert.Equal(new short[] { 1, 2, 3 }, AudioClip.FromWav(new MemoryStream(wav)).Samples.ToArray());
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(wav.Length - 10), 1000); // claims more than present
        Assert.Equal(new short[] { 1, 2, 3 }, AudioClip.FromWav(new MemoryStream(wav)).Samples.ToArray());
    }

    [Fact]
    public void ClipHelpers()
    {
        var tone = AudioClip.Tone(1000, TimeSpan.FromMilliseconds(100), 0.5);
        Assert.Equal(800, tone.Samples.Length);
        Assert.Equal(TimeSpan.FromMilliseconds(100), tone.Duration);
        Assert.InRange(tone.Samples.ToArray().Max(s => (int)s), 16000, 16384);
        Assert.Equal(0, tone.Samples.Span[0]);
        Assert.Equal(tone.Samples.Span[1], tone.Samples.Span[9]); // 1 kHz at 8 kHz repeats every 8 samples
        var silence = AudioClip.Silence(TimeSpan.FromMilliseconds(20));
        Assert.Equal(160, silence.Samples.Length);
        var both = AudioClip.Concat(tone, silence, tone);
        Assert.Equal(1760, both.Samples.Length);
        Assert.Equal(tone.Samples.ToArray(), both.Samples[960..].ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioClip.Tone(5000, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioClip.Silence(TimeSpan.FromSeconds(-1)));
    }

    private static byte[] BuildWav(int format, int channels, int rate, int bits, byte[] data, bool extraChunk)
    {
        var chunks = new List<byte[]> { Chunk("fmt ", Fmt(format, channels, rate, bits)) };
        if (extraChunk)
            chunks.Add(Chunk("LIST", [1, 2, 3])); // odd size: exercises the pad byte
        chunks.Add(Chunk("data", data));
        return Riff([.. chunks]);
    }

    private static byte[] Fmt(int format, int channels, int rate, int bits)
    {
        var f = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(f, (ushort)format);
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(4), (uint)rate);
        BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(8), (uint)(rate * channels * Math.Max(1, bits / 8)));
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(12), (ushort)(channels * Math.Max(1, bits / 8)));
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(14), (ushort)bits);
        return f;
    }

    private static byte[] Chunk(string id, byte[] body)
    {
        var c = new byte[8 + body.Length + (body.Length & 1)];
        Encoding.ASCII.GetBytes(id).CopyTo(c, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(4), (uint)body.Length);
        body.CopyTo(c, 8);
        return c;
    }

    private static byte[] Riff(params byte[][] chunks)
    {
        int len = 12 + chunks.Sum(c => c.Length);
        var r = new byte[len];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(r, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(4), (uint)(len - 8));
        Encoding.ASCII.GetBytes("WAVE").CopyTo(r, 8);
        int at = 12;
        foreach (var c in chunks)
        {
            c.CopyTo(r, at);
            at += c.Length;
        }
        return r;
    }
}
