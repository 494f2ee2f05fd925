using OpenUM.Media.Audio;

namespace OpenUM.Media.Tests;

// Checked against ITU-T G.191 (STL) g711 module reference data embedded in G711Reference.
public class G711Tests
{
    [Fact]
    public void MuLawDecodeTableMatchesG191()
    {
        for (int code = 0; code < 256; code++)
            Assert.Equal(G711Reference.MuLawDecode[code], G711.MuLawToLinear((byte)code));
    }

    [Fact]
    public void ALawDecodeTableMatchesG191()
    {
        for (int code = 0; code < 256; code++)
            Assert.Equal(G711Reference.ALawDecode[code], G711.ALawToLinear((byte)code));
    }

    [Fact]
    public void MuLawNegativeZeroDecodesToZero()
    {
        // Known pitfall of copied tables (-1 at index 127); G.191 gives 0 for both zero codes.
        Assert.Equal(0, G711.MuLawToLinear(0x7F));
        Assert.Equal(0, G711.MuLawToLinear(0xFF));
    }

    [Fact]
    public void EncoderMatchesG191AtEverySegmentBoundary()
    {
        foreach (var row in G711Reference.EncoderSpotChecks)
        {
            short x = (short)row[0];
            Assert.True(row[1] == G711.LinearToMuLaw(x), $"µ-law({x}) = 0x{G711.LinearToMuLaw(x):X2}, G.191 says 0x{row[1]:X2}");
            Assert.True(row[2] == G711.LinearToALaw(x), $"A-law({x}) = 0x{G711.LinearToALaw(x):X2}, G.191 says 0x{row[2]:X2}");
        }
    }

    [Fact]
    public void SilenceCodes()
    {
        Assert.Equal(0xFF, G711.LinearToMuLaw(0));
        Assert.Equal(0xD5, G711.LinearToALaw(0));
        Assert.Equal(G711.MuLawSilence, G711.SilenceCode(AudioCodec.Pcmu));
        Assert.Equal(G711.ALawSilence, G711.SilenceCode(AudioCodec.Pcma));
    }

    [Theory]
    [InlineData(AudioCodec.Pcmu, G711Reference.SweepMuLawCrc32, G711Reference.SweepMuLawDecodedCrc32)]
    [InlineData(AudioCodec.Pcma, G711Reference.SweepALawCrc32, G711Reference.SweepALawDecodedCrc32)]
    public void ExhaustiveSweepMatchesItuConformanceFiles(AudioCodec codec, uint encodedCrc, uint decodedCrc)
    {
        // Rebuild sweep-r.u / sweep-r.a and sweep-r.reu / sweep-r.rea in memory and compare their CRC-32.
        var input = new short[65536];
        for (int i = 0; i < input.Length; i++)
            input[i] = (short)(i - 32768);
        var codes = new byte[input.Length];
        G711.Encode(input, codes, codec);
        var decoded = new short[input.Length];
        G711.Decode(codes, decoded, codec);

        var encodedFile = new byte[2 * input.Length];
        var decodedFile = new byte[2 * input.Length];
        for (int i = 0; i < input.Length; i++)
        {
            encodedFile[2 * i] = codes[i];
            decodedFile[2 * i] = (byte)decoded[i];
            decodedFile[2 * i + 1] = (byte)(decoded[i] >> 8);
        }
        Assert.Equal(encodedCrc, Crc32.Compute(encodedFile));
        Assert.Equal(decodedCrc, Crc32.Compute(decodedFile));
    }

    [Fact]
    public void ScalarAndSpanEncodersAgree()
    {
        var input = new short[65536];
        for (int i = 0; i < input.Length; i++)
            input[i] = (short)(i - 32768);
        var u = new byte[input.Length];
        var a = new byte[input.Length];
        G711.Encode(input, u, AudioCodec.Pcmu);
        G711.Encode(input, a, AudioCodec.Pcma);
        for (int i = 0; i < input.Length; i++)
        {
            Assert.Equal(G711.LinearToMuLaw(input[i]), u[i]);
            Assert.Equal(G711.LinearToALaw(input[i]), a[i]);
        }
    }

    [Fact]
    public void EveryCodeRoundTripsThroughLinear()
    {
        for (int code = 0; code < 256; code++)
        {
            Assert.Equal((byte)code, G711.LinearToALaw(G711.ALawToLinear((byte)code)));
            // µ-law has two zeros; negative zero (0x7F) decodes to 0, which encodes as positive zero.
            byte expected = code == 0x7F ? (byte)0xFF : (byte)code;
            Assert.Equal(expected, G711.LinearToMuLaw(G711.MuLawToLinear((byte)code)));
        }
    }

    [Fact]
    public void QuantisationErrorIsBoundedBySegmentStep()
    {
        for (int x = -32768; x <= 32767; x++)
        {
            int u = G711.MuLawToLinear(G711.LinearToMuLaw((short)x));
            int a = G711.ALawToLinear(G711.LinearToALaw((short)x));
            int mag = Math.Abs(x);
            // Half a step of the segment, plus clipping above the top of the range.
            Assert.True(Math.Abs(u - x) <= Math.Max(mag / 32 + 8, mag - 32124 + 512), $"µ-law error at {x}: {u}");
            Assert.True(Math.Abs(a - x) <= Math.Max(mag / 32 + 16, mag - 32256 + 512), $"A-law error at {x}: {a}");
        }
    }

    [Fact]
    public void SpanApisRejectShortDestinations()
    {
        Assert.Throws<ArgumentException>(() => G711.Encode(new short[4], new byte[3], AudioCodec.Pcmu));
        Assert.Throws<ArgumentException>(() => G711.Decode(new byte[4], new short[3], AudioCodec.Pcma));
    }
}

internal static class Crc32
{
    private static readonly uint[] Table = Build();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] Build()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }
}
