namespace OpenUM.Interop.Tests.Harness;

/// <summary>Where a clip was found inside a longer one and how well its loudness contour matches.</summary>
public sealed record Alignment(double Correlation, TimeSpan Offset, TimeSpan HaystackDuration, TimeSpan NeedleDuration, TimeSpan Overlap)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"correlation={Correlation:0.000} offset={Offset.TotalSeconds:0.00}s haystack={HaystackDuration.TotalSeconds:0.00}s " +
        $"needle={NeedleDuration.TotalSeconds:0.00}s overlap={Overlap.TotalSeconds:0.00}s";
}

/// <summary>
/// Compares audio by its energy envelope (log RMS of 20 ms frames every 10 ms): robust against G.711
/// coding, packet timing and small level changes, yet different sentences have different contours.
/// </summary>
public static class AudioCompare
{
    /// <summary>Frame length of the envelope.</summary>
    public const int FrameMs = 20;

    /// <summary>Hop between envelope frames (the offset resolution).</summary>
    public const int HopMs = 10;

    /// <summary>Frames quieter than this (dBFS) count as silence; digital zero would otherwise dominate.</summary>
    public const double FloorDb = -60;

    /// <summary>
    /// Correlation above which two envelopes are taken to be the same audio. AudioCompareTests measure:
    /// a clip vs itself 1.0, vs its G.711 round trip &gt; 0.95, a different sentence, noise or silence
    /// well below 0.8.
    /// </summary>
    public const double SameAudioThreshold = 0.8;

    /// <summary>Envelope in dBFS per hop, clamped at <see cref="FloorDb"/>.</summary>
    public static double[] Envelope(ReadOnlySpan<short> samples, int sampleRate)
    {
        int frame = sampleRate * FrameMs / 1000;
        int hop = sampleRate * HopMs / 1000;
        if (samples.Length < frame)
            return [];
        var env = new double[(samples.Length - frame) / hop + 1];
        for (int i = 0; i < env.Length; i++)
            env[i] = LevelDb(samples.Slice(i * hop, frame));
        return env;
    }

    /// <summary>RMS level in dBFS (full scale = 32768), clamped at <see cref="FloorDb"/>.</summary>
    public static double LevelDb(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty)
            return FloorDb;
        double sum = 0;
        foreach (short s in samples)
            sum += (double)s * s;
        double ms = sum / samples.Length / (32768.0 * 32768.0);
        return ms <= 0 ? FloorDb : Math.Max(FloorDb, 10 * Math.Log10(ms));
    }

    /// <summary>
    /// Finds the offset in <paramref name="haystack"/> where <paramref name="needle"/> matches best
    /// (Pearson correlation of envelopes over the overlap). The needle must lie inside the haystack,
    /// except that it may run past the haystack's end by at most <paramref name="maxOverhang"/>.
    /// With a focus window, only haystack frames inside it are compared and the overlap must cover at
    /// least 90 % of it: lead-in tones and silence padding, which every test clip shares, then cannot
    /// make a different sentence look similar, and a recording missing part of the speech scores 0.
    /// </summary>
    public static Alignment Align(ReadOnlySpan<short> haystack, ReadOnlySpan<short> needle, int sampleRate, TimeSpan maxOverhang,
        TimeSpan? focusStart = null, TimeSpan? focusEnd = null)
    {
        double[] h = Envelope(haystack, sampleRate);
        double[] n = Envelope(needle, sampleRate);
        int overhang = (int)(maxOverhang.TotalMilliseconds / HopMs);
        int minOverlap = Math.Max(10, n.Length - overhang);
        int fs = focusStart is { } a ? Math.Clamp((int)(a.TotalMilliseconds / HopMs), 0, h.Length) : 0;
        int fe = focusEnd is { } b ? Math.Clamp((int)(b.TotalMilliseconds / HopMs), fs, h.Length) : h.Length;
        int minFocus = focusStart is null && focusEnd is null ? 0 : Math.Max(10, (fe - fs) * 9 / 10);
        double best = double.NegativeInfinity;
        int bestOffset = 0, bestOverlap = 0;
        for (int k = 0; k + minOverlap <= h.Length; k++)
        {
            int len = Math.Min(n.Length, h.Length - k);
            int from = Math.Max(k, fs), to = Math.Min(k + len, fe);
            if (to - from < Math.Max(minFocus, 2))
                continue;
            double r = Pearson(h.AsSpan(from, to - from), n.AsSpan(from - k, to - from));
            if (r > best)
            {
                best = r;
                bestOffset = k;
                bestOverlap = len;
            }
        }
        if (double.IsNegativeInfinity(best))
            best = 0;  // needle longer than haystack + overhang, or not covering the focus: nothing to compare
        return new Alignment(best, TimeSpan.FromMilliseconds(bestOffset * HopMs),
            TimeSpan.FromSeconds((double)haystack.Length / sampleRate), TimeSpan.FromSeconds((double)needle.Length / sampleRate),
            TimeSpan.FromMilliseconds(bestOverlap * HopMs));
    }

    /// <summary>Pearson correlation; 0 when either side is constant (e.g. all silence).</summary>
    public static double Pearson(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int n = Math.Min(a.Length, b.Length);
        if (n < 2)
            return 0;
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++)
        {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++)
        {
            double da = a[i] - ma, db = b[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        return saa < 1e-9 || sbb < 1e-9 ? 0 : sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>
    /// Share of the signal's energy at <paramref name="hz"/> (Goertzel; about 1 for a pure tone at that
    /// frequency, near 0 for speech or noise).
    /// </summary>
    public static double ToneFraction(ReadOnlySpan<short> samples, int sampleRate, double hz)
    {
        if (samples.IsEmpty)
            return 0;
        double coeff = 2 * Math.Cos(2 * Math.PI * hz / sampleRate);
        double s1 = 0, s2 = 0, energy = 0;
        foreach (short x in samples)
        {
            double s0 = x + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
            energy += (double)x * x;
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        return energy <= 0 ? 0 : 2 * power / (samples.Length * energy);
    }

    /// <summary>Where a tone of <paramref name="hz"/> is present: the longest run of 50 ms windows dominated by it.</summary>
    public static (TimeSpan Start, TimeSpan Length) FindTone(ReadOnlySpan<short> samples, int sampleRate, double hz, double minLevelDb = -40)
    {
        int window = sampleRate / 20;
        int bestStart = -1, bestLen = 0, runStart = -1;
        int windows = samples.Length / window;
        for (int w = 0; w <= windows; w++)
        {
            bool tone = w < windows && IsTone(samples.Slice(w * window, window));
            if (tone && runStart < 0)
                runStart = w;
            if (!tone && runStart >= 0)
            {
                if (w - runStart > bestLen)
                {
                    bestLen = w - runStart;
                    bestStart = runStart;
                }
                runStart = -1;
            }
        }
        return bestStart < 0 ? (TimeSpan.Zero, TimeSpan.Zero)
            : (TimeSpan.FromMilliseconds(bestStart * 50), TimeSpan.FromMilliseconds(bestLen * 50));

        bool IsTone(ReadOnlySpan<short> w) => LevelDb(w) > minLevelDb && ToneFraction(w, sampleRate, hz) > 0.7;
    }

    /// <summary>Total time of envelope frames louder than <paramref name="thresholdDb"/>.</summary>
    public static TimeSpan ActiveTime(ReadOnlySpan<short> samples, int sampleRate, double thresholdDb = -40) =>
        TimeSpan.FromMilliseconds(Envelope(samples, sampleRate).Count(db => db > thresholdDb) * HopMs);
}
