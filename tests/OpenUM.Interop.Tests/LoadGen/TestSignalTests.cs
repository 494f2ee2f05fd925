using OpenUM.LoadGen;
using OpenUM.Media.Audio;

namespace OpenUM.Interop.Tests.LoadGen;

/// <summary>The known signal of the load generator: what the recorder writes can be read back frame by frame.</summary>
public sealed class TestSignalTests
{
    private static short[] Decoded(uint call, uint frame)
    {
        var codes = new byte[TestSignal.FrameSize];
        TestSignal.WriteFrame(call, frame, codes);
        var samples = new short[codes.Length];
        G711.Decode(codes, samples, OpenUM.Media.AudioCodec.Pcmu);
        return samples;
    }

    [Fact]
    public void FramesAreFoundAfterSilenceFillsOfAnyLengthAndLostOnesAreMissing()
    {
        // As the recorder writes a call: frames 0-2, a lost frame filled with 160 samples of silence, frame 4, then a
        // fill cut short by the clock (37 samples) that shifts everything after it off the 160-sample grid.
        var recording = new List<short>();
        foreach (uint f in new uint[] { 0, 1, 2 })
            recording.AddRange(Decoded(42, f));
        recording.AddRange(new short[160]);
        recording.AddRange(Decoded(42, 4));
        recording.AddRange(new short[37]);
        recording.AddRange(Decoded(42, 5));
        recording.AddRange(Decoded(43, 0));

        var found = new List<(uint, uint)>();
        TestSignal.Scan(recording.ToArray(), (call, frame) => found.Add((call, frame)));

        Assert.Equal([(42u, 0u), (42u, 1u), (42u, 2u), (42u, 4u), (42u, 5u), (43u, 0u)], found);
    }

    [Fact]
    public void AFrameWithOneDamagedSampleIsNotCounted()
    {
        var samples = Decoded(7, 9);
        samples[100] = 0;
        int found = 0;
        TestSignal.Scan(samples, (_, _) => found++);
        Assert.Equal(0, found);
    }

    [Theory]
    [InlineData(0u, 0u)]
    [InlineData(3000u, 123456u)]
    [InlineData(uint.MaxValue, uint.MaxValue)]
    public void EveryFrameIsFarAboveTheRecordersSilenceThreshold(uint call, uint frame)
    {
        // The recorder's idle timeout treats a packet below -50 dBFS (mean square 10,737) as silence.
        double meanSquare = Decoded(call, frame).Average(s => (double)s * s);
        Assert.True(meanSquare > 100 * 10_737, $"mean square {meanSquare}");
    }
}
