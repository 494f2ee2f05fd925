using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpenUM.TestSupport.Logging;
using OpenUM.Calls.Languages;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Audio;

namespace OpenUM.Calls.Tests.Languages;

/// <summary>The shipped packs against their texts, an administrator's replacements, and the English fallback.</summary>
public sealed class LanguagePackTests : IDisposable
{
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-prompts-").FullName;
    private readonly FakeLogger _events = new();

    public void Dispose() => System.IO.Directory.Delete(_root, recursive: true);

    public static TheoryData<string> Languages => [.. PromptLanguages.Installed];

    [Theory]
    [MemberData(nameof(Languages))]
    public void EachPackIsExactlyItsText_SpokenByTheVoiceItNames(string language)
    {
        var (directives, prompts) = ShippedPrompts.Text(language);
        Assert.Equal(language == "fr-FR" ? "fr" : "en-us", directives["voice"]);
        var names = prompts.Select(p => p.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        // A text without its WAV (not regenerated) or a WAV without text (a prompt removed) would show here.
        Assert.Equal(names.Order(StringComparer.Ordinal), ShippedPrompts.Names(language).Order(StringComparer.Ordinal));
        var library = PromptLanguages.Shipped.For(language);
        foreach (var (name, _) in prompts)
        {
            var clip = library.Clip(name);
            Assert.True(clip.Duration > TimeSpan.FromSeconds(0.15), $"{language}/{name} is {clip.Duration}");
            Assert.True(Rms(clip) > 500, $"{language}/{name} must hold audible speech");
        }
    }

    [Fact]
    public void TheFrenchPackHasEveryEnglishPrompt_InItsOwnWords()
    {
        // Names the server plays in English too, so a pack without them would fall back (2078) when it loads.
        var english = ShippedPrompts.Names("en-US");
        Assert.Empty(english.Except(ShippedPrompts.Names("fr-FR")));
        var en = PromptLanguages.Shipped.Default;
        var fr = PromptLanguages.Shipped.For("fr-FR");
        foreach (var name in english)
            Assert.False(en.Clip(name).Samples.Span.SequenceEqual(fr.Clip(name).Samples.Span), $"fr-FR/{name} is the English audio");
        Load();
        Assert.DoesNotContain(2078, _events.EventIds());
    }

    [Fact]
    public void APromptMissingFromAPackIsPlayedInEnglish_WithAnEvent()
    {
        var languages = PromptLanguages.Load(null, _events, (language, name) => !(language == "fr-FR" && name == "goodbye"));
        var fr = languages.For("fr-FR");
        Assert.Same(languages.Default.Goodbye, fr.Goodbye);
        Assert.NotSame(languages.Default.NoMailbox, fr.NoMailbox);
        var missing = Assert.Single(_events.Records(2078));
        Assert.Equal(LogLevel.Warning, missing.Level);
        Assert.Contains("goodbye", missing.Message, StringComparison.Ordinal);
        Assert.Contains("en-US is played instead", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AReplacementFolderInTheDataDirectoryIsUsed_PromptByPrompt()
    {
        var tone = AudioClip.Tone(440, TimeSpan.FromSeconds(1));
        WriteWav(Path.Combine(_root, "fr-FR", "goodbye.wav"), tone);
        WriteWav(Path.Combine(_root, "en-US", "no-mailbox.wav"), tone);
        var languages = Load();
        var fr = languages.For("fr-FR");
        Assert.True(fr.Goodbye.Samples.Span.SequenceEqual(tone.Samples.Span));
        Assert.True(languages.Default.NoMailbox.Samples.Span.SequenceEqual(tone.Samples.Span));
        // The prompts not replaced stay those of the shipped pack of the same language, not English.
        Assert.True(fr.NoMailbox.Samples.Span.SequenceEqual(PromptLanguages.Shipped.For("fr-FR").NoMailbox.Samples.Span));
        Assert.Empty(_events.EventIds());
    }

    [Fact]
    public void AnUnplayableReplacementKeepsTheShippedPrompt_WithAnEvent()
    {
        System.IO.Directory.CreateDirectory(Path.Combine(_root, "fr-FR"));
        File.WriteAllText(Path.Combine(_root, "fr-FR", "goodbye.wav"), "not a wav");
        var fr = Load().For("fr-FR");
        Assert.True(fr.Goodbye.Samples.Span.SequenceEqual(PromptLanguages.Shipped.For("fr-FR").Goodbye.Samples.Span));
        var record = Assert.Single(_events.Records(2078));
        Assert.Contains("cannot be played", record.Message, StringComparison.Ordinal);
        Assert.Contains("the shipped fr-FR prompt is played instead", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFolderForALanguageWithoutAPackIsReported_AndMisspelledOnesGetTheName()
    {
        System.IO.Directory.CreateDirectory(Path.Combine(_root, "de-DE"));
        System.IO.Directory.CreateDirectory(Path.Combine(_root, "fr-fr"));
        Load();
        var records = _events.Records(2079);
        Assert.Equal(2, records.Count);
        Assert.Contains(records, r => r.Message.Contains("de-DE", StringComparison.Ordinal) && r.Message.Contains("en-US, fr-FR", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Message.Contains("name the folder fr-FR", StringComparison.Ordinal));
    }

    [Fact]
    public void TheMailboxsLanguageElseTheDialPlansElseEnglish()
    {
        var languages = Load();
        var french = new DialPlan { Name = "Paris", NumberOfDigitsInExtension = 4, DefaultLanguage = "fr-FR" };
        var english = new DialPlan { Name = "Boston", NumberOfDigitsInExtension = 4 };
        var box = new Mailbox { Extension = "1000", DialPlan = "Paris", EmailAddress = "a@example.test" };
        Assert.Equal("fr-FR", languages.For(french, null).Language);
        Assert.Equal("fr-FR", languages.For(french, box).Language);
        Assert.Equal("en-US", languages.For(french, box with { Language = "en-US" }).Language);
        Assert.Equal("fr-FR", languages.For(english, box with { Language = "fr-FR" }).Language);
        Assert.Equal("en-US", languages.For(english, box).Language);
        Assert.Equal("fr-FR", languages.Default.For("FR-fr").Language);
        Assert.Empty(_events.EventIds());
    }

    [Fact]
    public void ALanguageWithoutAPackSpeaksEnglish_ReportedOnce()
    {
        var languages = Load();
        var plan = new DialPlan { Name = "Berlin", NumberOfDigitsInExtension = 4, DefaultLanguage = "de-DE" };
        Assert.Same(languages.Default, languages.For(plan, null));
        Assert.Same(languages.Default, languages.For("de-DE"));
        Assert.Single(_events.Records(2079));
    }

    [Fact]
    public void MessageCountClipsFollowTheGrammar()
    {
        var fr = PromptLanguages.Shipped.For("fr-FR");
        Assert.Equal([fr.Clip("you-have"), fr.Clip("number-21"), fr.Clip("new-messages")], fr.MessageCount(21));
        var en = PromptLanguages.Shipped.Default;
        Assert.Equal([en.Clip("you-have"), en.Clip("digit-1"), en.Clip("new-message")], en.Subscriber.MessageCount(1));
    }

    private PromptLanguages Load() => PromptLanguages.Load(_root, _events);

    private static void WriteWav(string path, AudioClip clip)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new WavWriter(path);
        writer.Write(clip.Samples.Span);
        writer.Complete();
    }

    private static double Rms(AudioClip clip)
    {
        double sum = 0;
        foreach (short s in clip.Samples.Span) sum += (double)s * s;
        return Math.Sqrt(sum / clip.Samples.Length);
    }
}
