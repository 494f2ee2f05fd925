using System.Reflection;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>Peer configuration files embedded in this assembly (Scenarios/*.xml, Baresip/*.template).</summary>
public static class Resources
{
    /// <summary>Text of an embedded resource, e.g. "Scenarios/caller-records.xml".</summary>
    public static string Text(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} not found");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Writes an embedded resource into <paramref name="directory"/>; returns the path.</summary>
    public static string WriteTo(string name, string directory)
    {
        string path = Path.Combine(directory, Path.GetFileName(name));
        File.WriteAllText(path, Text(name));
        return path;
    }
}

/// <summary>The server's shipped language packs (embedded from src/OpenUM.Calls/Prompts/&lt;language&gt; at build time).</summary>
public static class ExpectedPrompts
{
    /// <summary>Samples (8 kHz mono) of one prompt of a language pack, e.g. "no-mailbox" (en-US unless <paramref name="language"/> says).</summary>
    public static short[] Load(string name, string language = "en-US")
    {
        using var stream = System.Reflection.Assembly.GetExecutingAssembly().GetManifestResourceStream($"Prompts/{language}/{name}.wav")
            ?? throw new InvalidOperationException($"prompt {name}.wav is not embedded (src/OpenUM.Calls/Prompts/{language})");
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        var wav = PcmWav.Parse(ms.ToArray(), name + ".wav");
        Assert.Equal(8000, wav.SampleRate);
        return wav.Mono();
    }

    /// <summary>The default greeting for an extension: prefix, the digits one by one, suffix (no beep).</summary>
    public static short[] DefaultGreeting(string extension, string language = "en-US") =>
        [.. Load("greeting-prefix", language), .. extension.SelectMany(d => Load($"digit-{d}", language)), .. Load("greeting-suffix", language)];

    /// <summary>Prompts of one pack played in turn, e.g. ["you-have", "digit-1", "new-message"].</summary>
    public static short[] Sequence(string language, params string[] names) => [.. names.SelectMany(n => Load(n, language))];

    /// <summary>
    /// Asserts a phone heard <paramref name="prompt"/> (envelope correlation over the threshold) and that it matches better
    /// than <paramref name="control"/>, a prompt it must not have heard.
    /// </summary>
    public static void AssertHeard(string heardPath, string prompt, string control, ITestOutputHelper output) =>
        AssertHeard(heardPath, (prompt, Load(prompt)), (control, Load(control)), output);

    /// <summary>
    /// Asserts a phone heard <paramref name="expected"/> (envelope correlation over the threshold), matching better than
    /// <paramref name="control"/>, audio it must not have heard (the same sentence in another language).
    /// </summary>
    public static void AssertHeard(string heardPath, (string What, short[] Samples) expected, (string What, short[] Samples) control,
        ITestOutputHelper output)
    {
        short[] heard = PcmWav.Read(heardPath).Mono();
        var found = AudioCompare.Align(heard, expected.Samples, RecordingCheck.Rate, TimeSpan.Zero);
        var other = AudioCompare.Align(heard, control.Samples, RecordingCheck.Rate, TimeSpan.Zero);
        output.WriteLine($"heard {heard.Length / 8000.0:0.00}s; {expected.What} {found}; {control.What} {other}");
        Assert.True(found.Correlation > AudioCompare.SameAudioThreshold, $"the caller did not hear {expected.What}: {found}");
        Assert.True(other.Correlation < found.Correlation, $"negative control {control.What} scored {other} vs {found}");
    }
}
