using OpenUM.Media.Audio;

namespace OpenUM.Media.Tests;

// The fax calling tone (ITU-T T.30 §5.2.1: 1100 Hz ± 38 Hz, 0.5 s on, 3 s off) against everything else a caller sends.
// Every signal is generated here and goes through G.711 µ-law and back, as the receiver decodes it.
public sealed class CngDetectorTests
{
    private const int Rate = 8000;

    [Theory]
    [InlineData(1100, -10)]
    [InlineData(1100, 0)]
    [InlineData(1100, -40)]
    [InlineData(1062, -20)]
    [InlineData(1138, -20)]
    [InlineData(1062, -40)]
    [InlineData(1138, 0)]
    public void ACngBurstIsDeclaredWithinTheBurst(int hz, double dbm0)
    {
        // Half a second of silence first, then the T.30 cadence: the tone is declared during the first burst.
        short[] audio = [.. Silence(0.5), .. Cng(hz, dbm0, cycles: 2)];
        int at = DetectAt(audio, chunk: 160);
        Assert.True(at >= 0, $"{hz} Hz at {dbm0} dBm0 was not detected");
        double seconds = (at - 0.5 * Rate) / Rate;
        Assert.InRange(seconds, CngDetector.MinOnTime.TotalSeconds, 0.5);
    }

    [Theory]
    [InlineData(0.425)]  // T.30's shortest burst (0.5 s -15 %)
    [InlineData(0.575)]  // and its longest
    public void BurstsWithinTheToleranceAreDetected(double onSeconds)
    {
        short[] audio = [.. Tone(1100, -20, onSeconds), .. Silence(3)];
        Assert.True(DetectAt(audio, chunk: 160) >= 0);
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.35)]
    public void ShortBurstsAreNotATone(double onSeconds)
    {
        // Repeated, so a detector that added bursts up would be caught.
        var audio = new List<short>();
        for (int i = 0; i < 4; i++)
            audio.AddRange([.. Tone(1100, -20, onSeconds), .. Silence(0.3)]);
        Assert.Equal(-1, DetectAt([.. audio], chunk: 160));
    }

    [Theory]
    [InlineData(1000)] // the beep before recording, echoed back
    [InlineData(1200)]
    [InlineData(1400)]
    [InlineData(1300)]
    [InlineData(2100)] // the answering fax's CED
    [InlineData(900)]
    public void OtherSteadyTonesAreNotCng(int hz)
    {
        foreach (double dbm0 in new[] { 0.0, -20, -40 })
            Assert.Equal(-1, DetectAt(Tone(hz, dbm0, 4), chunk: 160));
    }

    [Theory]
    [InlineData('1')]
    [InlineData('5')]
    [InlineData('9')]
    [InlineData('0')]
    [InlineData('#')]
    [InlineData('*')]
    public void LongDtmfIsNotCng(char key)
    {
        // In-band DTMF held for 2 s (a caller leaning on a key), at a normal and a hot level.
        var (low, high) = Dtmf(key);
        foreach (double dbm0 in new[] { -10.0, -25 })
            Assert.Equal(-1, DetectAt(Mix(Tone(low, dbm0 - 3, 2), Tone(high, dbm0 - 3, 2)), chunk: 160));
    }

    [Theory]
    [InlineData(20)]
    [InlineData(10)]
    public void CngInNoiseIsDetected(double snrDb)
    {
        var rng = new Random(7);
        short[] tone = Cng(1100, -20, cycles: 1);
        short[] noisy = Mix(tone, Noise(rng, -20 - snrDb, tone.Length / (double)Rate));
        Assert.True(DetectAt(noisy, chunk: 160) >= 0, $"CNG at {snrDb} dB SNR was missed");
    }

    [Fact]
    public void NoiseAloneIsNotCng()
    {
        var rng = new Random(11);
        foreach (double dbm0 in new[] { -10.0, -30, -45 })
            Assert.Equal(-1, DetectAt(Noise(rng, dbm0, 4), chunk: 160));
    }

    [Fact]
    public void TooQuietIsNotATone()
    {
        // -55 dBm0 is line noise to the detector, even when it is a perfect 1100 Hz.
        Assert.Equal(-1, DetectAt(Tone(1100, -55, 2), chunk: 160));
    }

    [Theory]
    [InlineData(110, "a")]   // F2 of /a/ near 1100 Hz and the 10th harmonic exactly on it
    [InlineData(110, "i")]
    [InlineData(220, "a")]   // the 5th harmonic on 1100 Hz
    [InlineData(157, "u")]   // the 7th harmonic on 1100 Hz
    [InlineData(183, "o")]
    public void SustainedVowelsAreNotCng(double pitch, string vowel)
    {
        // A held vowel is the hardest speech for a tone detector: steady harmonics, one of them on 1100 Hz. 3 s each,
        // with a little vibrato as voices have.
        Assert.Equal(-1, DetectAt(Vowel(pitch, vowel, 3, -15), chunk: 160));
    }

    [Fact]
    public void SpeechLikeSyllablesAreNotCng()
    {
        // Vowels of changing pitch and formants separated by short pauses: connected speech of 10 s.
        var rng = new Random(3);
        var speech = new List<short>();
        string[] vowels = ["a", "i", "u", "o", "e"];
        while (speech.Count < 10 * Rate)
        {
            speech.AddRange(Vowel(100 + rng.Next(150), vowels[rng.Next(vowels.Length)], 0.1 + rng.NextDouble() * 0.4, -25 + rng.Next(15)));
            speech.AddRange(Silence(rng.NextDouble() * 0.15));
        }
        Assert.Equal(-1, DetectAt([.. speech], chunk: 160));
    }

    [Fact]
    public void ThePacketSizeDoesNotChangeTheVerdict()
    {
        // 10, 20, 30 and 60 ms packets, and odd sizes that split the analysis blocks anywhere.
        // The tone is declared at the same sample every time: inside the chunk that DetectAt reports the end of.
        short[] audio = [.. Silence(0.33), .. Cng(1100, -25, cycles: 1)];
        int exact = DetectAt(audio, chunk: 1);
        Assert.True(exact >= 0);
        foreach (int chunk in new[] { 80, 160, 240, 480, 37, 161 })
            Assert.InRange(DetectAt(audio, chunk), exact, exact + chunk - 1);
    }

    [Fact]
    public void ALostPacketInTheBurstIsForgiven()
    {
        // One 20 ms packet of the burst never arrives (the decoder sees the samples before and after, joined).
        short[] burst = Tone(1100, -20, 0.5);
        short[] withLoss = [.. burst.AsSpan(0, 1600), .. burst.AsSpan(1760), .. Silence(3)];
        Assert.True(DetectAt(withLoss, chunk: 160) >= 0);
    }

    [Fact]
    public void ABurstBrokenEveryFewFramesIsNotATone()
    {
        // 1100 Hz chopped into 60 ms on / 40 ms of 1000 Hz: never a 0.4 s run, whatever the total.
        var audio = new List<short>();
        for (int i = 0; i < 40; i++)
            audio.AddRange([.. Tone(1100, -20, 0.06), .. Tone(1000, -20, 0.04)]);
        Assert.Equal(-1, DetectAt([.. audio], chunk: 160));
    }

    [Fact]
    public void DetectionIsDeclaredOnceAndResetStartsAgain()
    {
        var detector = new CngDetector();
        short[] audio = Cng(1100, -20, cycles: 3);
        int declared = 0;
        for (int i = 0; i < audio.Length; i += 160)
            declared += detector.Process(audio.AsSpan(i, Math.Min(160, audio.Length - i))) ? 1 : 0;
        Assert.Equal(1, declared);
        Assert.True(detector.Detected);
        detector.Reset();
        Assert.False(detector.Detected);
        Assert.False(detector.Process(Silence(1)));
        Assert.True(detector.Process(Tone(1100, -20, 0.5)));
    }

    [Theory]
    [InlineData(1100, 0.95, 1.0)]
    [InlineData(1062, 0.5, 0.7)]
    [InlineData(1000, 0, 0.02)]
    [InlineData(1200, 0, 0.02)]
    public void ToneFractionMeasuresTheShareAt1100Hz(int hz, double min, double max)
    {
        // Without the µ-law round trip: the filter itself.
        var block = new short[CngDetector.BlockSamples];
        for (int i = 0; i < block.Length; i++)
            block[i] = (short)Math.Round(10000 * Math.Sin(2 * Math.PI * hz * i / Rate + 0.3));
        Assert.InRange(CngDetector.ToneFraction(block), min, max);
    }

    // --- signals ---

    /// <summary>Sample index (of the decoded audio) at the end of the chunk that declared the tone, or -1.</summary>
    internal static int DetectAt(short[] audio, int chunk)
    {
        var detector = new CngDetector();
        for (int i = 0; i < audio.Length; i += chunk)
        {
            int n = Math.Min(chunk, audio.Length - i);
            if (detector.Process(audio.AsSpan(i, n)))
                return i + n;
        }
        return -1;
    }

    // 0 dBm0: 3.17 dB below a full-scale G.711 sine.
    private static double Peak(double dbm0) => 22662 * Math.Pow(10, dbm0 / 20);

    internal static short[] Cng(int hz, double dbm0, int cycles)
    {
        var all = new List<short>();
        for (int c = 0; c < cycles; c++)
            all.AddRange([.. Tone(hz, dbm0, 0.5), .. Silence(3)]);
        return [.. all];
    }

    internal static short[] Tone(double hz, double dbm0, double seconds)
    {
        var samples = new short[(int)(seconds * Rate)];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = (short)Math.Round(Peak(dbm0) * Math.Sin(2 * Math.PI * hz * i / Rate));
        return MuLaw(samples);
    }

    internal static short[] Silence(double seconds) => new short[(int)(seconds * Rate)];

    private static short[] Noise(Random rng, double dbm0, double seconds)
    {
        // Gaussian white noise whose RMS is that of a sine at dbm0.
        double rms = Peak(dbm0) / Math.Sqrt(2);
        var samples = new short[(int)(seconds * Rate)];
        for (int i = 0; i < samples.Length; i++)
        {
            double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            samples[i] = (short)Math.Clamp(Math.Round(g * rms), short.MinValue, short.MaxValue);
        }
        return MuLaw(samples);
    }

    private static short[] Mix(short[] a, short[] b)
    {
        var mixed = new short[Math.Max(a.Length, b.Length)];
        for (int i = 0; i < mixed.Length; i++)
            mixed[i] = (short)Math.Clamp((i < a.Length ? a[i] : 0) + (i < b.Length ? b[i] : 0), short.MinValue, short.MaxValue);
        return MuLaw(mixed);
    }

    private static (int Low, int High) Dtmf(char key) => key switch
    {
        '1' => (697, 1209), '5' => (770, 1336), '9' => (852, 1477),
        '*' => (941, 1209), '0' => (941, 1336), '#' => (941, 1477),
        _ => throw new ArgumentOutOfRangeException(nameof(key)),
    };

    // Formants (Hz) of a few vowels (a male voice; Peterson & Barney's averages, rounded).
    private static (double F1, double F2, double F3) Formants(string vowel) => vowel switch
    {
        "a" => (730, 1090, 2440),
        "i" => (270, 2290, 3010),
        "u" => (300, 870, 2240),
        "o" => (570, 840, 2410),
        "e" => (530, 1840, 2480),
        _ => throw new ArgumentOutOfRangeException(nameof(vowel)),
    };

    /// <summary>
    /// A held vowel: a glottal pulse train at <paramref name="pitch"/> (±1 % vibrato at 5 Hz) through three formant
    /// resonators (80-120 Hz bandwidths), scaled to <paramref name="dbm0"/> RMS.
    /// </summary>
    internal static short[] Vowel(double pitch, string vowel, double seconds, double dbm0)
    {
        var (f1, f2, f3) = Formants(vowel);
        int n = (int)(seconds * Rate);
        var x = new double[n];
        double phase = 0;
        for (int i = 0; i < n; i++)
        {
            double f0 = pitch * (1 + 0.01 * Math.Sin(2 * Math.PI * 5 * i / Rate));
            phase += f0 / Rate;
            if (phase >= 1)
            {
                phase -= 1;
                x[i] = 1;
            }
        }
        x = Resonate(Resonate(Resonate(x, f1, 80), f2, 100), f3, 120);
        double rms = Math.Sqrt(x.Sum(v => v * v) / Math.Max(1, n));
        double scale = rms == 0 ? 0 : Peak(dbm0) / Math.Sqrt(2) / rms;
        var samples = new short[n];
        for (int i = 0; i < n; i++)
            samples[i] = (short)Math.Clamp(Math.Round(x[i] * scale), short.MinValue, short.MaxValue);
        return MuLaw(samples);
    }

    // A two-pole resonator (Klatt) at f with bandwidth bw.
    private static double[] Resonate(double[] x, double f, double bw)
    {
        double r = Math.Exp(-Math.PI * bw / Rate);
        double c = -r * r, b = 2 * r * Math.Cos(2 * Math.PI * f / Rate), a = 1 - b - c;
        var y = new double[x.Length];
        double y1 = 0, y2 = 0;
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = a * x[i] + b * y1 + c * y2;
            (y2, y1) = (y1, y[i]);
        }
        return y;
    }

    private static short[] MuLaw(short[] samples)
    {
        var decoded = new short[samples.Length];
        for (int i = 0; i < samples.Length; i++)
            decoded[i] = G711.MuLawToLinear(G711.LinearToMuLaw(samples[i]));
        return decoded;
    }
}
