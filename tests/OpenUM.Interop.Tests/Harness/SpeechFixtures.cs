namespace OpenUM.Interop.Tests.Harness;

/// <summary>A generated clip: lead-in tone (may be empty) followed by speech, 8 kHz mono PCM16.</summary>
public sealed record SpeechClip(string WavPath, short[] Samples, TimeSpan SpeechStart, TimeSpan SpeechEnd);

/// <summary>Spoken test clips (espeak-ng at test time, 8 kHz mono PCM16), cached per test run.</summary>
public static class SpeechFixtures
{
    /// <summary>About 7 s of speech, the message left by SIPp callers.</summary>
    public const string SentenceA =
        "Hello, this is a test message for the voicemail server. Please call me back tomorrow morning at nine, and bring the blue folder.";

    /// <summary>About 7 s of different speech, the message left by baresip.</summary>
    public const string SentenceB =
        "Seven large ships sailed north across the cold grey sea, carrying wheat, copper and timber to the harbour towns beyond the hills.";

    /// <summary>A third sentence, only used as a wrong reference (negative control).</summary>
    public const string SentenceC =
        "My grandmother keeps three orange cats and a very old piano in the small house next to the railway station.";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, string> Cache = [];
    private static readonly Lazy<string> Dir = new(() =>
    {
        string dir = System.IO.Directory.CreateTempSubdirectory("openum-speech-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { System.IO.Directory.Delete(dir, recursive: true); } catch (IOException) { }
        };
        return dir;
    });

    /// <summary>The clip for <paramref name="text"/> with its samples and where the speech is.</summary>
    public static Task<SpeechClip> GetClipAsync(string text, double leadInToneSeconds = 0) => GetClipAsync(text, leadInToneSeconds, "en", null);

    /// <summary>
    /// The clip for <paramref name="text"/> in a language pack's voice and speed (its prompts.txt's "@voice" and "@speed"):
    /// what the server's prompt engine should have said, made independently here, leading and trailing pauses trimmed.
    /// </summary>
    public static Task<SpeechClip> GetPackClipAsync(string text, string voice, int wordsPerMinute) => GetClipAsync(text, 0, voice, wordsPerMinute);

    private static async Task<SpeechClip> GetClipAsync(string text, double leadInToneSeconds, string voice, int? wordsPerMinute)
    {
        string path = await GetAsync(text, leadInToneSeconds, voice, wordsPerMinute);
        short[] samples = PcmWav.Read(path).Mono();
        return new SpeechClip(path, samples, TimeSpan.FromSeconds(leadInToneSeconds), TimeSpan.FromSeconds(samples.Length / 8000.0));
    }

    /// <summary>
    /// Path of an 8 kHz mono s16 WAV holding <paramref name="text"/>, optionally after a 300 Hz lead-in tone.
    /// </summary>
    public static Task<string> GetAsync(string text, double leadInToneSeconds = 0) => GetAsync(text, leadInToneSeconds, "en", null);

    private static async Task<string> GetAsync(string text, double leadInToneSeconds, string voice, int? wordsPerMinute)
    {
        string key = $"{leadInToneSeconds}|{voice}|{wordsPerMinute}|{text}";
        await Gate.WaitAsync();
        try
        {
            if (Cache.TryGetValue(key, out string? path))
                return path;
            string raw = Path.Combine(Dir.Value, $"speech{Cache.Count}-raw.wav");
            string wav = Path.Combine(Dir.Value, $"speech{Cache.Count}.wav");
            await AudioTools.SpeakAsync(text, raw, voice, wordsPerMinute);
            await AudioTools.ToTelephoneWavAsync(raw, wav, leadInToneSeconds, trimPauses: wordsPerMinute is not null);
            Cache[key] = wav;
            return wav;
        }
        finally
        {
            Gate.Release();
        }
    }
}
