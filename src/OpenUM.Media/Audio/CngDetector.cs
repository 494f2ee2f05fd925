namespace OpenUM.Media.Audio;

/// <summary>
/// Detects the fax calling tone (CNG, ITU-T T.30 §5.2.1: 1100 Hz ± 38 Hz, 0.5 s on, 3 s off) in 8 kHz linear PCM, the
/// caller's decoded G.711. Fed packet by packet on the receive thread; allocates nothing once built.
/// </summary>
/// <remarks>
/// The audio is cut into 10 ms blocks (80 samples) whatever the packet size. In each block a Goertzel filter measures
/// the power at 1100 Hz, and the block counts as tone when that power is at least <see cref="MinToneFraction"/> of the
/// block's whole energy (so the level does not matter, from -40 dBm0 to full scale) and the block is not near silence.
/// With 80 samples 1100 Hz falls exactly on a DFT bin (11 × 100 Hz): 1000, 1200 and 1400 Hz tones (the beep, ringback,
/// neighbouring signalling tones) sit on the filter's zeros, while 1100 ± 38 Hz keeps about 60 % of its energy in it.
/// Speech never holds one pure partial for long: the tone must last <see cref="MinOnTime"/> (the 0.5 s burst less its
/// -15 % tolerance and a frame) before it is declared, with a lost or late packet's worth of failed blocks forgiven.
/// </remarks>
public sealed class CngDetector
{
    /// <summary>The calling tone's nominal frequency (T.30).</summary>
    public const int Frequency = 1100;

    /// <summary>Samples per analysis block: 10 ms at 8 kHz; 1100 Hz is bin 11 of a block.</summary>
    public const int BlockSamples = 80;

    /// <summary>Least share of a block's energy at 1100 Hz for it to count as tone (a pure tone 38 Hz off gives ~0.6).</summary>
    public const double MinToneFraction = 0.45;

    /// <summary>Tone time before the tone is declared: the 0.5 s burst less T.30's 15 % and one 20 ms frame of jitter, in whole blocks.</summary>
    public static readonly TimeSpan MinOnTime = TimeSpan.FromMilliseconds(OnBlocksToDeclare * 10);

    private const int OnBlocksToDeclare = 40;

    // A lost packet or a timestamp jump breaks the phase inside one block or two: that many failed blocks in a row, and
    // at most MaxGapBlocksPerRun in a whole burst, do not end it (nor count towards it).
    private const int MaxConsecutiveGapBlocks = 2;
    private const int MaxGapBlocksPerRun = 3;

    // 2·cos(2π·11/80): the Goertzel recurrence for bin 11.
    private static readonly double Coefficient = 2 * Math.Cos(2 * Math.PI * Frequency / AudioClip.SampleRate);

    // Mean square of a -50 dBm0 sine in 16-bit linear PCM (0 dBm0 = 3.17 dB below a full-scale G.711 sine, peak 22 662):
    // below it a block is silence or line noise and its spectrum says nothing.
    private const double MinMeanSquare = 2568.0;

    private double _s1, _s2, _energy;
    private int _inBlock;
    private int _onBlocks, _gapRun, _gapTotal;

    /// <summary>True once the tone has been declared; the detector then ignores further audio until <see cref="Reset"/>.</summary>
    public bool Detected { get; private set; }

    /// <summary>Analyses <paramref name="samples"/> (8 kHz, any length); true only for the call that declares the tone.</summary>
    public bool Process(ReadOnlySpan<short> samples)
    {
        if (Detected)
            return false;
        double s1 = _s1, s2 = _s2, energy = _energy;
        int inBlock = _inBlock;
        foreach (short sample in samples)
        {
            double x = sample;
            double s = x + Coefficient * s1 - s2;
            s2 = s1;
            s1 = s;
            energy += x * x;
            if (++inBlock < BlockSamples)
                continue;
            bool tone = IsTone(s1, s2, energy);
            s1 = s2 = energy = 0;
            inBlock = 0;
            if (EndBlock(tone))
            {
                Detected = true;
                (_s1, _s2, _energy, _inBlock) = (0, 0, 0, 0);
                return true;
            }
        }
        (_s1, _s2, _energy, _inBlock) = (s1, s2, energy, inBlock);
        return false;
    }

    /// <summary>Forgets everything heard, including a declared tone.</summary>
    public void Reset()
    {
        (_s1, _s2, _energy, _inBlock) = (0, 0, 0, 0);
        (_onBlocks, _gapRun, _gapTotal) = (0, 0, 0);
        Detected = false;
    }

    /// <summary>
    /// The share of a block's energy at 1100 Hz: 2·|X(11)|² / (N·Σx²), 1 for a pure tone on the bin. Exposed for tests
    /// and tuning; the detector itself works on the running blocks.
    /// </summary>
    public static double ToneFraction(ReadOnlySpan<short> block)
    {
        double s1 = 0, s2 = 0, energy = 0;
        foreach (short sample in block)
        {
            double s = sample + Coefficient * s1 - s2;
            s2 = s1;
            s1 = s;
            energy += (double)sample * sample;
        }
        return energy <= 0 ? 0 : 2 * Power(s1, s2) / (block.Length * energy);
    }

    private static double Power(double s1, double s2) => s1 * s1 + s2 * s2 - Coefficient * s1 * s2;

    private static bool IsTone(double s1, double s2, double energy) =>
        energy >= MinMeanSquare * BlockSamples && 2 * Power(s1, s2) >= MinToneFraction * BlockSamples * energy;

    // One block's verdict into the burst being timed; true when the burst has lasted long enough.
    private bool EndBlock(bool tone)
    {
        if (tone)
        {
            _gapRun = 0;
            return ++_onBlocks >= OnBlocksToDeclare;
        }
        if (_onBlocks == 0)
            return false;
        if (++_gapRun > MaxConsecutiveGapBlocks || ++_gapTotal > MaxGapBlocksPerRun)
            (_onBlocks, _gapRun, _gapTotal) = (0, 0, 0);
        return false;
    }
}
