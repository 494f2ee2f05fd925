using OpenUM.Calls.Languages;
using OpenUM.Directory.AutoAttendants;
using OpenUM.Media.Audio;

namespace OpenUM.Calls.Tests.Languages;

/// <summary>How a pack speaks an attendant's own words: its voice and speed, its key menu sentence, an administrator's override, espeak-ng and sox.</summary>
public sealed class PackSpeechTests : IDisposable
{
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-packspeech-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_root, recursive: true);

    private static readonly KeyMapping[] Mappings =
    [
        KeyMapping.Parse("2,Support,,SupportAA"), KeyMapping.Parse("1,Sales,1001"), KeyMapping.Parse("3,,1003"), KeyMapping.Parse("4,Directions,,,d.wav"),
    ];

    [Theory]
    [InlineData("en-US", "en-us", "For Sales, press 1. For Support, press 2. For Directions, press 4.")]
    [InlineData("fr-FR", "fr", "Pour Sales, appuyez sur 1. Pour Support, appuyez sur 2. Pour Directions, appuyez sur 4.")]
    public void TheKeyMenuIsEachLanguagesOwnSentence_InKeyOrder_NamedKeysOnly(string language, string voice, string expected)
    {
        var speech = PackSpeech.Load(language, null);
        Assert.Equal((language, voice, 150), (speech.Language, speech.Voice, speech.WordsPerMinute));
        Assert.Equal(expected, speech.KeyMenu(Mappings));
    }

    [Fact]
    public void KeysWithoutNamesHaveNoMenu_AndANameIsWordsNeverAPlaceholder()
    {
        var speech = PackSpeech.Load("en-US", null);
        Assert.Null(speech.KeyMenu([KeyMapping.Parse("1,,1001"), KeyMapping.Parse("2, ,1002")]));
        Assert.Null(speech.KeyMenu([]));
        Assert.Equal("For {key} and {name}, press 7.", speech.KeyMappingSentence("{key} and {name}", '7'));
    }

    [Fact]
    public void AnAdministratorsPromptsTxtReplacesTheDirectivesItGives()
    {
        System.IO.Directory.CreateDirectory(Path.Combine(_root, "fr-FR"));
        File.WriteAllText(Path.Combine(_root, "fr-FR", "prompts.txt"),
            "# notre standard\n@speed 170\n@key-mapping Tapez {key} pour {name}.\ngoodbye Au revoir.\n");
        var speech = PackSpeech.Load("fr-fr", _root);
        Assert.Equal(("fr-FR", "fr", 170), (speech.Language, speech.Voice, speech.WordsPerMinute)); // the voice is still the shipped pack's
        Assert.Equal("Tapez 1 pour Sales. Tapez 2 pour Support.", speech.KeyMenu(Mappings.Take(2)));
        Assert.Equal("For Sales, press 1.", PackSpeech.Load("en-US", _root).KeyMenu(Mappings.Take(2).Skip(1))); // other languages keep theirs
    }

    [Theory]
    [InlineData("@key-mapping For {name}, press the key.", "must hold {name} and {key} once each")]
    [InlineData("@key-mapping {name} {name} {key}", "must hold {name} and {key} once each")]
    [InlineData("@speed fast", "is not a speed")]
    [InlineData("@voice", "has no value")]
    public void ABadDirectiveIsRefusedNamingTheFileAndLine(string line, string expected)
    {
        string file = Path.Combine(_root, "en-US", "prompts.txt");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "# mine\n" + line + "\n");
        var e = Assert.Throws<InvalidDataException>(() => PackSpeech.Load("en-US", _root));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(file + " line 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutEspeakNgOrSoxTheErrorSaysWhatToInstall()
    {
        var speech = PackSpeech.Load("en-US", null);
        var none = Assert.Throws<SpeechUnavailableException>(() => new SpeechSynthesizer(_root).Speak("Welcome.", speech));
        Assert.Equal("espeak-ng is not installed: it speaks text in the language pack's voice (Debian: apt-get install espeak-ng sox)", none.Message);

        // espeak-ng alone is not enough: sox makes its audio telephone audio.
        string bin = System.IO.Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "espeak-ng"), new SpeechSynthesizer().Find("espeak-ng"));
        var noSox = Assert.Throws<SpeechUnavailableException>(() => new SpeechSynthesizer(bin).Speak("Welcome.", speech));
        Assert.StartsWith("sox is not installed", noSox.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSpokenTextIsTelephoneAudioInThePacksVoice()
    {
        var synthesizer = new SpeechSynthesizer();
        // A text starting with '-' is words on standard input, not an option of espeak-ng.
        var english = Clip(synthesizer.Speak("-v welcome to Contoso.", PackSpeech.Load("en-US", null)));
        var french = Clip(synthesizer.Speak("-v welcome to Contoso.", PackSpeech.Load("fr-FR", null)));
        // AudioClip.FromWav takes only 8 kHz mono 16-bit PCM: Clip() would have thrown on anything else.
        Assert.InRange(english.Duration, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(5));
        Assert.False(english.Samples.Span.SequenceEqual(french.Samples.Span), "the French voice said it as the English one");
        // The same words and voice give the same audio (sox without dither), so an unchanged text need not be spoken again.
        Assert.True(english.Samples.Span.SequenceEqual(Clip(synthesizer.Speak("-v welcome to Contoso.", PackSpeech.Load("en-US", null))).Samples.Span));

        var bad = PackSpeech.Load("en-US", null) with { Voice = "xx-nowhere" };
        Assert.Contains("espeak-ng failed", Assert.Throws<SpeechUnavailableException>(() => synthesizer.Speak("Hello.", bad)).Message, StringComparison.Ordinal);
    }

    private static AudioClip Clip(byte[] wav)
    {
        using var stream = new MemoryStream(wav);
        return AudioClip.FromWav(stream);
    }
}
