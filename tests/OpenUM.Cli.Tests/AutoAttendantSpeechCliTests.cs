using System.Text.Json;
using OpenUM.Calls.Languages;

namespace OpenUM.Cli.Tests;

/// <summary>
/// `openum autoattendant` speaking the administrator's words: greetings given as text and the key menu spoken from the
/// mappings' names, in the attendant's language, spoken again only when they change; errors naming the option and the fix.
/// </summary>
public sealed class AutoAttendantSpeechCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-aa-speech-").FullName;
    private readonly string _noSpeech = System.IO.Directory.CreateTempSubdirectory("openum-cli-no-espeak-").FullName; // a PATH without espeak-ng

    public void Dispose()
    {
        System.IO.Directory.Delete(_data, recursive: true);
        System.IO.Directory.Delete(_noSpeech, recursive: true);
    }

    private (int Code, string Out, string Err) Run(params string[] args) => OpenUmCli.Run(_data, args);

    private (int Code, string Out, string Err) RunWithoutEspeak(params string[] args) => OpenUmCli.RunWithPath(_noSpeech, _data, args);

    private JsonElement Get(string name) => JsonDocument.Parse(Run("autoattendant", "get", name, "--json").Out).RootElement;

    private static string? Text(JsonElement a, string property) => a.GetProperty(property).GetString();

    private byte[] Stored(JsonElement a, string property) => File.ReadAllBytes(Path.Combine(_data, Text(a, property)!));

    private static byte[] Spoken(string text, string language) => new SpeechSynthesizer().Speak(text, PackSpeech.Load(language, null));

    private void Seed() => Assert.Equal(0, Run("dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4").Code);

    private void Ok((int Code, string Out, string Err) r) => Assert.True(r.Code == 0, r.Err);

    [Fact]
    public void TextGreetingsAndTheKeyMenuAreSpokenStoredAndShown()
    {
        Seed();
        Ok(Run("autoattendant", "new", "--name", "Reception", "--dial-plan", "Contoso", "--pilot-identifier-list", "5100",
            "--business-hours-welcome-greeting-text", "Welcome to Contoso.", "--after-hours-welcome-greeting-text", "  We are closed.  ",
            "--business-hours-key-mapping", "2,Support,1002", "--business-hours-key-mapping", "1,Sales,1001",
            "--business-hours-key-mapping", "3,,1003", "--after-hours-key-mapping", "9,,1999"));
        var a = Get("Reception");
        Assert.Equal("Welcome to Contoso.", Text(a, "businessHoursWelcomeGreetingText"));
        Assert.Equal("We are closed.", Text(a, "afterHoursWelcomeGreetingText"));
        // What callers hear is exactly what the language pack's voice says for these words.
        Assert.Equal(Spoken("Welcome to Contoso.", "en-US"), Stored(a, "businessHoursWelcomeGreetingFile"));
        Assert.Equal(Spoken("We are closed.", "en-US"), Stored(a, "afterHoursWelcomeGreetingFile"));
        Assert.Equal(Spoken("For Sales, press 1. For Support, press 2.", "en-US"), Stored(a, "businessHoursMenuPromptFile"));
        Assert.Equal(JsonValueKind.Null, a.GetProperty("afterHoursMenuPromptFile").ValueKind); // no named key after hours: no menu
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_data, Text(a, "businessHoursMenuPromptFile")!)));

        // "" is the built-in welcome again.
        Ok(Run("autoattendant", "set", "Reception", "--after-hours-welcome-greeting-text", ""));
        a = Get("Reception");
        Assert.Equal(JsonValueKind.Null, a.GetProperty("afterHoursWelcomeGreetingText").ValueKind);
        Assert.Equal(JsonValueKind.Null, a.GetProperty("afterHoursWelcomeGreetingFile").ValueKind);
    }

    [Fact]
    public void OnlyWhatChangedIsSpokenAgain_InTheAttendantsLanguage_AndOldFilesGo()
    {
        Seed();
        Ok(Run("autoattendant", "new", "--name", "Reception", "--dial-plan", "Contoso", "--pilot-identifier-list", "5100",
            "--business-hours-welcome-greeting-text", "Welcome.", "--business-hours-key-mapping", "1,Sales,1001"));
        var first = Get("Reception");

        // Nothing spoken changes: no espeak-ng needed, the same files.
        Ok(RunWithoutEspeak("autoattendant", "set", "Reception", "--operator-extension", "1000"));
        var same = Get("Reception");
        Assert.Equal(Text(first, "businessHoursMenuPromptFile"), Text(same, "businessHoursMenuPromptFile"));
        Assert.Equal(Text(first, "businessHoursWelcomeGreetingFile"), Text(same, "businessHoursWelcomeGreetingFile"));

        // The attendant's language: the French voice and the French sentence.
        Ok(Run("autoattendant", "set", "Reception", "--language", "fr-FR"));
        var french = Get("Reception");
        Assert.Equal(Spoken("Pour Sales, appuyez sur 1.", "fr-FR"), Stored(french, "businessHoursMenuPromptFile"));
        Assert.Equal(Spoken("Welcome.", "fr-FR"), Stored(french, "businessHoursWelcomeGreetingFile"));
        Assert.True(File.Exists(Path.Combine(_data, Text(first, "businessHoursMenuPromptFile")!))); // the previous stays one change more

        // New mappings, a new menu; the first files are named by nobody any more and are gone.
        Ok(Run("autoattendant", "set", "Reception", "--business-hours-key-mapping", "1,Ventes,1001", "--business-hours-key-mapping", "2,Accueil,1002"));
        var mapped = Get("Reception");
        Assert.Equal(Spoken("Pour Ventes, appuyez sur 1. Pour Accueil, appuyez sur 2.", "fr-FR"), Stored(mapped, "businessHoursMenuPromptFile"));
        Assert.False(File.Exists(Path.Combine(_data, Text(first, "businessHoursMenuPromptFile")!)));
        Assert.False(File.Exists(Path.Combine(_data, Text(first, "businessHoursWelcomeGreetingFile")!)));
        Assert.True(File.Exists(Path.Combine(_data, Text(french, "businessHoursWelcomeGreetingFile")!))); // still named

        // Unnamed keys: no menu, and nothing to speak.
        Ok(RunWithoutEspeak("autoattendant", "set", "Reception", "--business-hours-key-mapping", "1,,1001"));
        Assert.Equal(JsonValueKind.Null, Get("Reception").GetProperty("businessHoursMenuPromptFile").ValueKind);
    }

    [Fact]
    public void AnInstallationsOwnWordingIsSpokenAtTheNextSet()
    {
        Seed();
        Ok(Run("autoattendant", "new", "--name", "Reception", "--dial-plan", "Contoso", "--business-hours-key-mapping", "1,Sales,1001"));
        string pack = System.IO.Directory.CreateDirectory(Path.Combine(_data, "prompts", "en-US")).FullName;
        File.WriteAllText(Path.Combine(pack, "prompts.txt"), "@key-mapping Press {key} for {name}.\n");
        Ok(Run("autoattendant", "set", "Reception")); // no option: speaks what is not yet spoken as the pack now says it
        Assert.Equal(Spoken("Press 1 for Sales.", "en-US"), Stored(Get("Reception"), "businessHoursMenuPromptFile"));

        File.WriteAllText(Path.Combine(pack, "prompts.txt"), "@key-mapping Press {key}.\n");
        var (code, _, err) = Run("autoattendant", "set", "Reception");
        Assert.Equal(2, code);
        Assert.Contains($"{Path.Combine(pack, "prompts.txt")} line 1: '@key-mapping Press {{key}}.' must hold {{name}} and {{key}} once each", err, StringComparison.Ordinal);
    }

    [Fact]
    public void ADialPlansLanguageChangeSpeaksItsAttendantsAgain_NotThoseWithTheirOwn()
    {
        Seed();
        Ok(Run("autoattendant", "new", "--name", "Follows", "--dial-plan", "Contoso", "--business-hours-key-mapping", "1,Sales,1001"));
        Ok(Run("autoattendant", "new", "--name", "Own", "--dial-plan", "Contoso", "--language", "en-US", "--business-hours-key-mapping", "1,Sales,1001"));
        string own = Text(Get("Own"), "businessHoursMenuPromptFile")!;

        // Without espeak-ng the change is refused before anything is written.
        var refused = RunWithoutEspeak("dialplan", "set", "Contoso", "--default-language", "fr-FR");
        Assert.Equal(2, refused.Code);
        Assert.StartsWith("error: --default-language: auto attendant 'Follows' speaks its greeting text and key menu in the dial plan's language, and espeak-ng is not installed", refused.Err);
        Assert.Contains("apt-get install espeak-ng sox", refused.Err, StringComparison.Ordinal);
        Assert.Contains("openum autoattendant set Follows --language en-US", refused.Err, StringComparison.Ordinal);
        Assert.Equal("en-US", JsonDocument.Parse(Run("dialplan", "get", "Contoso", "--json").Out).RootElement.GetProperty("defaultLanguage").GetString());
        Assert.Equal(Spoken("For Sales, press 1.", "en-US"), Stored(Get("Follows"), "businessHoursMenuPromptFile"));

        var changed = Run("dialplan", "set", "Contoso", "--default-language", "fr-FR");
        Ok(changed);
        Assert.Contains("note: auto attendant Follows now speaks its greeting text and key menu in fr-FR.", changed.Err, StringComparison.Ordinal);
        Assert.Equal(Spoken("Pour Sales, appuyez sur 1.", "fr-FR"), Stored(Get("Follows"), "businessHoursMenuPromptFile"));
        Assert.Equal(own, Text(Get("Own"), "businessHoursMenuPromptFile"));
    }

    [Fact]
    public void WithoutEspeakNgTheErrorNamesTheOptionAndTheFix_AndNothingIsStored()
    {
        Seed();
        var greeting = RunWithoutEspeak("autoattendant", "new", "--name", "Reception", "--dial-plan", "Contoso",
            "--business-hours-welcome-greeting-text", "Welcome.");
        Assert.Equal(2, greeting.Code);
        Assert.Equal("error: --business-hours-welcome-greeting-text: espeak-ng is not installed: it speaks text in the language pack's voice " +
            "(Debian: apt-get install espeak-ng sox); or give a WAV file with --business-hours-welcome-greeting", greeting.Err.Trim());
        var menu = RunWithoutEspeak("autoattendant", "new", "--name", "Reception", "--dial-plan", "Contoso", "--after-hours-key-mapping", "1,Sales,1001");
        Assert.Equal(2, menu.Code);
        Assert.StartsWith("error: --after-hours-key-mapping: espeak-ng is not installed", menu.Err);
        Assert.Contains("or leave the descriptions empty (\"1,,1001\")", menu.Err, StringComparison.Ordinal);
        Assert.Equal(0, JsonDocument.Parse(Run("autoattendant", "get", "--json").Out).RootElement.GetArrayLength());
        Assert.False(System.IO.Directory.Exists(Path.Combine(_data, "greetings")) && System.IO.Directory.EnumerateFiles(Path.Combine(_data, "greetings")).Any());

        // An existing attendant keeps what it had.
        Ok(Run("autoattendant", "new", "--name", "Reception", "--dial-plan", "Contoso", "--business-hours-key-mapping", "1,Sales,1001"));
        var before = Get("Reception").GetRawText();
        Assert.Equal(2, RunWithoutEspeak("autoattendant", "set", "Reception", "--business-hours-key-mapping", "1,Support,1001").Code);
        Assert.Equal(before, Get("Reception").GetRawText());
    }

    [Theory]
    [InlineData("--business-hours-welcome-greeting-text", "Welcome.\tPress 1.", "control")]
    [InlineData("--after-hours-welcome-greeting-text", "   ", "the text is empty")]
    [InlineData("--business-hours-key-mapping", "1,Sales and marketing and everything else we could think of on a long day,1001", "at most 64")]
    public void BadWordsAreRefusedNamingTheOption_BeforeAnythingIsSpoken(string option, string value, string expected)
    {
        Seed();
        // Without espeak-ng too: the words are refused before anything would be spoken.
        var (code, _, err) = RunWithoutEspeak("autoattendant", "new", "--name", "Reception", "--dial-plan", "Contoso", option, value);
        Assert.Equal(2, code);
        Assert.StartsWith($"error: {option}:", err);
        Assert.Contains(expected, err, StringComparison.Ordinal);
    }

    [Fact]
    public void AWavAndATextForTheSameGreetingIsAnErrorNamingBoth()
    {
        Seed();
        string wav = Path.Combine(_data, "open.wav");
        File.WriteAllBytes(wav, Spoken("Hello.", "en-US"));
        var (code, _, err) = Run("autoattendant", "new", "--name", "Reception", "--dial-plan", "Contoso",
            "--after-hours-welcome-greeting", wav, "--after-hours-welcome-greeting-text", "Hello.");
        Assert.Equal(2, code);
        Assert.Equal("error: --after-hours-welcome-greeting-text: give either --after-hours-welcome-greeting (a WAV file) or " +
            "--after-hours-welcome-greeting-text (words the prompt engine speaks), not both", err.Trim());

        // One after the other, the last given wins and the other is forgotten.
        Ok(Run("autoattendant", "new", "--name", "Reception", "--dial-plan", "Contoso", "--after-hours-welcome-greeting-text", "Hello."));
        Ok(Run("autoattendant", "set", "Reception", "--after-hours-welcome-greeting", wav));
        var a = Get("Reception");
        Assert.Equal(JsonValueKind.Null, a.GetProperty("afterHoursWelcomeGreetingText").ValueKind);
        Assert.Equal("greetings/aa-Reception-after-hours.wav", Text(a, "afterHoursWelcomeGreetingFile"));
    }
}
