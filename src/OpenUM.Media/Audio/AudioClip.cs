namespace OpenUM.Media.Audio;

/// <summary>8 kHz mono 16-bit PCM audio held in memory (prompts, tones).</summary>
public sealed class AudioClip
{
    /// <summary>Sample rate of every clip.</summary>
    public const int SampleRate = 8000;

    /// <summary>Wraps samples (8 kHz mono); the memory is not copied.</summary>
    public AudioClip(ReadOnlyMemory<short> samples) => Samples = samples;

    /// <summary>The samples.</summary>
    public ReadOnlyMemory<short> Samples { get; }

    /// <summary>Length of the audio.</summary>
    public TimeSpan Duration => TimeSpan.FromTicks(Samples.Length * (TimeSpan.TicksPerSecond / SampleRate));

    /// <summary>Reads a WAV file: PCM16, µ-law or A-law at 8 kHz mono; anything else is an <see cref="InvalidDataException"/> saying how to convert it.</summary>
    public static AudioClip FromWav(Stream stream) => new(WavReader.Read(stream));

    /// <summary>Reads a WAV file from disk.</summary>
    public static AudioClip FromWavFile(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
        return FromWav(fs);
    }

    /// <summary>The clips one after the other.</summary>
    public static AudioClip Concat(params AudioClip[] clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        var all = new short[clips.Sum(c => c.Samples.Length)];
        int at = 0;
        foreach (var c in clips)
        {
            c.Samples.Span.CopyTo(all.AsSpan(at));
            at += c.Samples.Length;
        }
        return new AudioClip(all);
    }

    /// <summary>A sine tone (the beep before recording); amplitude is a fraction of full scale.</summary>
    public static AudioClip Tone(int hz, TimeSpan duration, double amplitude = 0.3)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hz);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hz, SampleRate / 2);
        ArgumentOutOfRangeException.ThrowIfNegative(amplitude);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(amplitude, 1.0);
        var samples = new short[SamplesFor(duration)];
        double peak = amplitude * short.MaxValue;
        for (int i = 0; i < samples.Length; i++)
            samples[i] = (short)Math.Round(peak * Math.Sin(2 * Math.PI * hz * i / SampleRate));
        return new AudioClip(samples);
    }

    /// <summary>Digital silence.</summary>
    public static AudioClip Silence(TimeSpan duration) => new(new short[SamplesFor(duration)]);

    private static int SamplesFor(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(duration, TimeSpan.FromHours(1));
        return (int)(duration.Ticks * SampleRate / TimeSpan.TicksPerSecond);
    }
}
