using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests;

/// <summary>
/// Justifies <see cref="AudioCompare.SameAudioThreshold"/>: the same audio (also after G.711 and
/// with an offset) scores near 1, different speech, noise and silence score far below the threshold.
/// </summary>
public sealed class AudioCompareTests(ITestOutputHelper output)
{
    private const int Rate = 8000;
    private static readonly TimeSpan Overhang = TimeSpan.FromSeconds(0.5);

    [Fact]
    public void SyntheticClipAgainstItselfIsOne()
    {
        short[] clip = Bursts(seed: 1, seconds: 6);
        var a = AudioCompare.Align(clip, clip, Rate, Overhang);
        Assert.Equal(1.0, a.Correlation, 6);
        Assert.Equal(TimeSpan.Zero, a.Offset);
    }

    [Fact]
    public void SyntheticTailIsFoundAtItsOffset()
    {
        short[] clip = Bursts(seed: 2, seconds: 8);
        short[] tail = clip[(int)(2.35 * Rate)..];
        var a = AudioCompare.Align(clip, tail, Rate, Overhang);
        output.WriteLine(a.ToString());
        Assert.True(a.Correlation > 0.99, a.ToString());
        Assert.InRange(a.Offset.TotalSeconds, 2.33, 2.37);
    }

    [Fact]
    public void DifferentSyntheticBurstsNoiseAndSilenceScoreLow()
    {
        short[] clip = Bursts(seed: 3, seconds: 8);
        short[] other = Bursts(seed: 4, seconds: 5);
        short[] noise = Noise(seed: 5, seconds: 5, amplitude: 3000);
        short[] silence = new short[5 * Rate];
        var vsOther = AudioCompare.Align(clip, other, Rate, Overhang);
        var vsNoise = AudioCompare.Align(clip, noise, Rate, Overhang);
        var vsSilence = AudioCompare.Align(clip, silence, Rate, Overhang);
        output.WriteLine($"other: {vsOther}\nnoise: {vsNoise}\nsilence: {vsSilence}");
        Assert.True(vsOther.Correlation < 0.5, vsOther.ToString());
        Assert.True(vsNoise.Correlation < 0.5, vsNoise.ToString());
        Assert.Equal(0, vsSilence.Correlation);
    }

    [Fact]
    public void NeedleLongerThanHaystackScoresZero()
    {
        short[] clip = Bursts(seed: 6, seconds: 3);
        var a = AudioCompare.Align(clip[..Rate], clip, Rate, Overhang);
        Assert.Equal(0, a.Correlation);
    }

    [Fact]
    public void GoertzelFindsTheBeep()
    {
        short[] audio = [.. Bursts(seed: 7, seconds: 3), .. Tone(1000, 0.5, 0.3), .. new short[Rate]];
        var (start, length) = AudioCompare.FindTone(audio, Rate, 1000);
        Assert.InRange(start.TotalSeconds, 2.95, 3.05);
        Assert.InRange(length.TotalSeconds, 0.45, 0.55);
        Assert.True(AudioCompare.ToneFraction(Tone(440, 0.5, 0.3), Rate, 1000) < 0.05);
        Assert.True(AudioCompare.ToneFraction(Tone(1000, 0.5, 0.3), Rate, 1000) > 0.95);
    }

    [Fact]
    public void WavReaderRoundTrip()
    {
        string path = Path.Combine(Path.GetTempPath(), $"openum-wav-{Guid.NewGuid():N}.wav");
        try
        {
            short[] samples = Bursts(seed: 8, seconds: 1);
            PcmWav.WriteMono(path, samples, Rate);
            var wav = PcmWav.Read(path);
            Assert.Equal(Rate, wav.SampleRate);
            Assert.Equal(1, wav.Channels);
            Assert.Equal(samples, wav.Samples);
            Assert.Throws<InvalidDataException>(() => PcmWav.Parse("RIFF\0\0\0\0WAVEjunk"u8));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Real speech (espeak-ng): the numbers that set the threshold for the interop tests.</summary>
    [Fact]
    public async Task SpokenSentencesSeparateClearlyAroundTheThreshold()
    {
        short[] a = PcmWav.Read(await SpeechFixtures.GetAsync(SpeechFixtures.SentenceA)).Mono();
        short[] b = PcmWav.Read(await SpeechFixtures.GetAsync(SpeechFixtures.SentenceB)).Mono();
        short[] c = PcmWav.Read(await SpeechFixtures.GetAsync(SpeechFixtures.SentenceC)).Mono();
        short[] aTailG711 = MuLawRoundTrip(a[(int)(1.5 * Rate)..]);

        var self = AudioCompare.Align(a, a, Rate, Overhang);
        var tail = AudioCompare.Align(a, aTailG711, Rate, Overhang);
        var bInA = AudioCompare.Align(a, b[..(int)(5.0 * Rate)], Rate, Overhang);
        var cInA = AudioCompare.Align(a, c[..(int)(5.0 * Rate)], Rate, Overhang);
        var aInB = AudioCompare.Align(b, aTailG711[..(int)(5.0 * Rate)], Rate, Overhang);
        output.WriteLine($"self {self}\ntail(G.711) {tail}\nB in A {bInA}\nC in A {cInA}\nA in B {aInB}");

        Assert.True(self.Correlation > 0.999, self.ToString());
        Assert.True(tail.Correlation > 0.95, tail.ToString());
        Assert.InRange(tail.Offset.TotalSeconds, 1.45, 1.55);
        Assert.True(bInA.Correlation < AudioCompare.SameAudioThreshold - 0.2, bInA.ToString());
        Assert.True(cInA.Correlation < AudioCompare.SameAudioThreshold - 0.2, cInA.ToString());
        Assert.True(aInB.Correlation < AudioCompare.SameAudioThreshold - 0.2, aInB.ToString());
    }

    /// <summary>
    /// The interop callers send a tone lead-in before the speech and silence after it, which every clip
    /// shares: over the whole clip that shared shape alone correlates, so the check looks only at the
    /// speech (the focus window), where a different sentence must score low.
    /// </summary>
    [Fact]
    public async Task LeadInAndPaddingDoNotMakeADifferentSentenceMatch()
    {
        var a = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA, leadInToneSeconds: 10);
        var b = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceB, leadInToneSeconds: 10);
        short[] pad = new short[10 * Rate];
        short[] sentA = [.. a.Samples, .. pad];
        short[] sentB = [.. b.Samples, .. pad];
        // A recording from 2 s before the end of the lead-in to 1 s after the speech.
        short[] recordedA = MuLawRoundTrip(sentA[(8 * Rate)..(a.Samples.Length + Rate)]);

        var right = AudioCompare.Align(sentA, recordedA, Rate, Overhang, a.SpeechStart, a.SpeechEnd);
        var wrong = AudioCompare.Align(sentB, recordedA, Rate, Overhang, b.SpeechStart, b.SpeechEnd);
        var wrongUnfocused = AudioCompare.Align(sentB, recordedA, Rate, Overhang);
        var truncated = AudioCompare.Align(sentA, recordedA[..(recordedA.Length / 2)], Rate, Overhang, a.SpeechStart, a.SpeechEnd);
        output.WriteLine($"right {right}\nwrong {wrong}\nwrong, whole clip {wrongUnfocused}\ntruncated {truncated}");

        Assert.True(right.Correlation > 0.95, right.ToString());
        Assert.InRange(right.Offset.TotalSeconds, 7.95, 8.05);
        Assert.True(wrong.Correlation < AudioCompare.SameAudioThreshold - 0.2, wrong.ToString());
        Assert.Equal(0, truncated.Correlation);
    }

    private static short[] MuLawRoundTrip(short[] pcm)
    {
        var result = new short[pcm.Length];
        for (int i = 0; i < pcm.Length; i++)
            result[i] = RtpSink.MuLawToLinear(LinearToMuLaw(pcm[i]));
        return result;
    }

    // G.711 µ-law compression (bias 0x84, clip 32635), the counterpart of RtpSink.MuLawToLinear.
    private static byte LinearToMuLaw(short sample)
    {
        int s = sample;
        int sign = s < 0 ? 0x80 : 0;
        if (s < 0)
            s = -s;
        s = Math.Min(s, 32635) + 0x84;
        int exponent = 7;
        for (int mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1)
            exponent--;
        int mantissa = (s >> (exponent + 3)) & 0x0F;
        return (byte)~(sign | (exponent << 4) | mantissa);
    }

    // Speech-like test signal: noise bursts of random length and level separated by random pauses.
    private static short[] Bursts(int seed, double seconds)
    {
        var rng = new Random(seed);
        var samples = new short[(int)(seconds * Rate)];
        int i = 0;
        while (i < samples.Length)
        {
            int burst = rng.Next(Rate / 20, Rate / 3);
            double level = 1000 + rng.NextDouble() * 8000;
            for (int k = 0; k < burst && i < samples.Length; k++, i++)
                samples[i] = (short)(level * (rng.NextDouble() * 2 - 1));
            i += rng.Next(Rate / 25, Rate / 4);
        }
        return samples;
    }

    private static short[] Noise(int seed, double seconds, double amplitude)
    {
        var rng = new Random(seed);
        var samples = new short[(int)(seconds * Rate)];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = (short)(amplitude * (rng.NextDouble() * 2 - 1));
        return samples;
    }

    private static short[] Tone(double hz, double seconds, double amplitude)
    {
        var samples = new short[(int)(seconds * Rate)];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = (short)(amplitude * 32767 * Math.Sin(2 * Math.PI * hz * i / Rate));
        return samples;
    }
}
