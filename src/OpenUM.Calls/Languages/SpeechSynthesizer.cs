using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using OpenUM.Media.Audio;

namespace OpenUM.Calls.Languages;

/// <summary>espeak-ng or sox is missing or failed: <see cref="Exception.Message"/> says which and how to install them.</summary>
public sealed class SpeechUnavailableException(string message) : Exception(message);

/// <summary>
/// Speaks text as scripts/make-prompts.sh speaks the shipped prompts: espeak-ng with a pack's voice and speed, then sox
/// to 8 kHz mono 16-bit PCM with the leading and trailing pauses trimmed, so an administrator's words sound like the
/// prompts around them. Used by the CLI when an attendant's greeting text or key menu changes, never during a call.
/// </summary>
public sealed class SpeechSynthesizer
{
    /// <summary>What an administrator installs (Debian and Ubuntu package names).</summary>
    public const string InstallHint = "apt-get install espeak-ng sox";

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly string? _searchPath;

    /// <summary>Finds espeak-ng and sox on <paramref name="searchPath"/> (a PATH-like list; null = this process's PATH).</summary>
    public SpeechSynthesizer(string? searchPath = null) => _searchPath = searchPath;

    /// <summary>The WAV file (8 kHz mono PCM16) of <paramref name="text"/> spoken with <paramref name="speech"/>'s voice and speed.</summary>
    /// <exception cref="SpeechUnavailableException">A program is missing, failed or produced no playable audio.</exception>
    public byte[] Speak(string text, PackSpeech speech)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        ArgumentNullException.ThrowIfNull(speech);
        string espeak = Find("espeak-ng");
        string sox = Find("sox");
        var work = System.IO.Directory.CreateTempSubdirectory("openum-speech-");
        try
        {
            string raw = Path.Combine(work.FullName, "raw.wav");
            string wav = Path.Combine(work.FullName, "speech.wav");
            // The text goes on standard input: words starting with '-' are never taken for options.
            Run(espeak, ["-v", speech.Voice, "-s", speech.WordsPerMinute.ToString(CultureInfo.InvariantCulture), "-w", raw, "--stdin"], text);
            // make-prompts.sh's conversion: -G against clipping, -D for the same output each run, pauses trimmed.
            Run(sox, ["-D", "-G", raw, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", wav,
                "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse", "pad", "0", "0.08"], null);
            byte[] bytes = File.ReadAllBytes(wav);
            using var stream = new MemoryStream(bytes, writable: false);
            var clip = AudioClip.FromWav(stream);
            if (clip.Duration < TimeSpan.FromMilliseconds(100))
                throw new SpeechUnavailableException($"espeak-ng with voice '{speech.Voice}' produced no speech for this text");
            return bytes;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new SpeechUnavailableException($"the spoken text could not be made: {e.Message}");
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The full path of <paramref name="program"/> on the search path.</summary>
    /// <exception cref="SpeechUnavailableException">It is not installed.</exception>
    public string Find(string program)
    {
        string path = _searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        string role = program == "sox" ? "it turns espeak-ng's speech into telephone audio" : "it speaks text in the language pack's voice";
        throw new SpeechUnavailableException($"{program} is not installed: {role} (Debian: {InstallHint})");
    }

    private static void Run(string program, IReadOnlyList<string> arguments, string? input)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(start) ?? throw new Win32Exception("not started"); }
        catch (Win32Exception e) { throw new SpeechUnavailableException($"{program} could not be started: {e.Message}"); }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                if (input is not null) process.StandardInput.Write(input);
                process.StandardInput.Close();
            }
            catch (IOException) { } // it exited early: its status and errors say why
            if (!process.WaitForExit(Limit))
            {
                process.Kill(entireProcessTree: true);
                throw new SpeechUnavailableException($"{Path.GetFileName(program)} did not finish within {Limit.TotalSeconds} s");
            }
            process.WaitForExit();
            string errors = stderr.GetAwaiter().GetResult().Trim();
            _ = stdout.GetAwaiter().GetResult();
            if (process.ExitCode != 0)
                throw new SpeechUnavailableException($"{Path.GetFileName(program)} failed (exit {process.ExitCode}){(errors.Length > 0 ? ": " + Shorten(errors) : "")}");
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
