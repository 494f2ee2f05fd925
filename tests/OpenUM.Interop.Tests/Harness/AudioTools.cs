using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>What <c>sox --i</c> reports about a file.</summary>
public sealed record SoxInfo(int SampleRate, int Channels, double Seconds, string Encoding);

/// <summary>Speech synthesis (espeak-ng) and conversions/inspection (sox) for test audio.</summary>
public static class AudioTools
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    /// <summary>Speaks <paramref name="text"/> into a WAV in <paramref name="voice"/> (espeak-ng's own rate unless <paramref name="wordsPerMinute"/> says).</summary>
    public static async Task SpeakAsync(string text, string wavPath, string voice = "en", int? wordsPerMinute = null)
    {
        string[] speed = wordsPerMinute is { } wpm ? ["-s", wpm.ToString(CultureInfo.InvariantCulture)] : [];
        var r = await ChildProcess.RunAsync(Peers.EspeakNg, ["-v", voice, .. speed, "-w", wavPath, text], HangGuard);
        Check(r, wavPath);
    }

    /// <summary>
    /// Converts any WAV to 8 kHz mono 16-bit PCM, optionally preceded by a 300 Hz tone (the "lead-in",
    /// which covers the greeting yet is not silence, so the recording's idle detection never fires)
    /// and followed by digital silence; <paramref name="trimPauses"/> cuts the speaker's leading and trailing pauses.
    /// </summary>
    public static async Task ToTelephoneWavAsync(string input, string output, double leadInToneSeconds = 0, double padSilenceSeconds = 0,
        bool trimPauses = false)
    {
        string body = output + ".body.wav";
        // Trimmed, speech starts and ends where a prompt spoken by the server does (its pauses are trimmed the same way).
        string[] trim = trimPauses ? ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"] : [];
        Check(await Sox([input, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", body, .. trim]), body);
        var parts = new List<string>();
        if (leadInToneSeconds > 0)
        {
            string tone = output + ".tone.wav";
            Check(await Sox(["-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", tone,
                "synth", Inv(leadInToneSeconds), "sine", "300", "vol", "0.1"]), tone);
            parts.Add(tone);
        }
        parts.Add(body);
        var args = new List<string>(parts) { output };
        if (padSilenceSeconds > 0)
            args.AddRange(["pad", "0", Inv(padSilenceSeconds)]);
        if (parts.Count == 1 && padSilenceSeconds <= 0)
            File.Copy(body, output, overwrite: true);
        else
            Check(await Sox(args), output);
        foreach (string p in parts)
            File.Delete(p);
    }

    /// <summary>Converts a WAV to headerless 8 kHz µ-law (what SIPp's rtp_stream sends).</summary>
    public static async Task ToMuLawRawAsync(string input, string output) =>
        Check(await Sox([input, "-r", "8000", "-c", "1", "-e", "u-law", "-t", "raw", output]), output);

    /// <summary><c>sox --i</c>: fails the test if sox cannot read the file.</summary>
    public static async Task<SoxInfo> InfoAsync(string path)
    {
        var r = await Sox(["--i", path]);
        Assert.True(r.ExitCode == 0, $"sox cannot read {path}:\n{r.Describe()}");
        return new SoxInfo(
            (int)Number(r.StdOut, @"Sample Rate\s*:\s*([0-9.]+)"),
            (int)Number(r.StdOut, @"Channels\s*:\s*([0-9]+)"),
            Number(r.StdOut, @"Duration\s*:\s*[0-9:.]+\s*=\s*([0-9]+) samples") / Math.Max(1, Number(r.StdOut, @"Sample Rate\s*:\s*([0-9.]+)")),
            Regex.Match(r.StdOut, @"Sample Encoding\s*:\s*(.+)").Groups[1].Value.Trim());
    }

    /// <summary><c>sox FILE -n stat</c>: decodes the whole file; returns its RMS amplitude (0..1).</summary>
    public static async Task<double> StatRmsAsync(string path)
    {
        var r = await Sox([path, "-n", "stat"]);
        Assert.True(r.ExitCode == 0, $"sox cannot decode {path}:\n{r.Describe()}");
        return Number(r.StdErr, @"RMS\s+amplitude:\s*([0-9.eE+-]+)");
    }

    private static Task<ProcessResult> Sox(IEnumerable<string> args) => ChildProcess.RunAsync(Peers.Sox, args, HangGuard);

    private static void Check(ProcessResult r, string produced)
    {
        if (r.ExitCode != 0 || r.HungAndKilled || !File.Exists(produced))
            throw new InvalidOperationException($"could not produce {produced}:\n{r.Describe()}");
    }

    private static double Number(string text, string pattern)
    {
        var m = Regex.Match(text, pattern);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
    }

    private static string Inv(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
