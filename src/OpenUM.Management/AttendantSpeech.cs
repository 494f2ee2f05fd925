using System.CommandLine;
using System.CommandLine.Parsing;
using System.Security.Cryptography;
using System.Text;
using OpenUM.Calls;
using OpenUM.Calls.Languages;
using OpenUM.Directory;
using OpenUM.Server;
using A = OpenUM.Directory.AutoAttendants.AutoAttendantFields;
using F = OpenUM.Directory.ConfigurationFields;

namespace OpenUM.Management;

/// <summary>
/// An auto attendant's own words spoken by the prompt engine when its configuration changes (Exchange's text-to-speech
/// greetings and menus): the greeting texts and the key menu of each period ("For Sales, press 1."), in the attendant's
/// language with its pack's voice, stored in &lt;data-dir&gt;/greetings/ for the server to play. A file's name holds a
/// hash of what was spoken, so only what changed is spoken again (a change of the operator extension needs no espeak-ng)
/// and a language or wording change makes new files. Everything is checked and spoken before anything is stored.
/// </summary>
internal static class AttendantSpeech
{
    // The parts of an attendant that are spoken: which text, the file it is in, and the option it comes from.
    private sealed record Part(string Slot, string? Text, string? File, string Field, string Alternative);

    /// <summary>A WAV and a text for the same greeting: which one callers should hear is not for the CLI to guess.</summary>
    public static void RefuseWavAndText(ParseResult result)
    {
        NotBoth(result, A.BusinessHoursWelcomeGreeting, A.BusinessHoursWelcomeGreetingText);
        NotBoth(result, A.AfterHoursWelcomeGreeting, A.AfterHoursWelcomeGreetingText);
    }

    /// <summary>`autoattendant new|set`, once the WAV files are stored: validates, then speaks what changed.</summary>
    public static AutoAttendant Prepare(AutoAttendant attendant, ParseResult result, DataDirectory data, IConfigurationStore store)
    {
        var snapshot = store.Load();
        // The store validates again when it writes; validating first means no espeak-ng run and no file for a refused change.
        ConfigurationValidator.ValidateAutoAttendant(attendant, snapshot);
        string language = attendant.Language ?? snapshot.FindDialPlan(attendant.DialPlan)?.DefaultLanguage ?? PromptLanguages.DefaultLanguage;
        return Speak(attendant, language, data, snapshot,
            (part, e) => new ConfigurationValidationException(part.Field, $"{e.Message}; {part.Alternative}"));
    }

    /// <summary>
    /// `dialplan set --default-language`: the attendants speaking the plan's language (no --language of their own) are
    /// spoken again in the new one, before the plan changes; a missing espeak-ng refuses the change, naming them.
    /// </summary>
    public static DialPlan FollowDialPlanLanguage(DialPlan plan, ParseResult result, DataDirectory data, IConfigurationStore store)
    {
        var snapshot = store.Load();
        if (snapshot.FindDialPlan(plan.Name) is not { } old || string.Equals(old.DefaultLanguage, plan.DefaultLanguage, StringComparison.OrdinalIgnoreCase))
            return plan;
        ConfigurationValidator.ValidateDialPlan(plan, snapshot);
        var changed = new List<AutoAttendant>();
        foreach (var attendant in snapshot.AutoAttendantsForDialPlan(plan.Name).Where(a => a.Language is null))
        {
            var spoken = Speak(attendant, plan.DefaultLanguage, data, snapshot, (_, e) => new ConfigurationValidationException(F.DefaultLanguage,
                $"auto attendant '{attendant.Name}' speaks its greeting text and key menu in the dial plan's language, and {e.Message}; " +
                $"or give it a language of its own first: openum autoattendant set {attendant.Name} --language {old.DefaultLanguage}"));
            if (spoken != attendant) changed.Add(spoken);
        }
        foreach (var attendant in changed)
        {
            CliContext.Audit(data, store.UpdateAutoAttendant(attendant));
            CommandConsole.Error.WriteLine($"note: auto attendant {attendant.Name} now speaks its greeting text and key menu in {plan.DefaultLanguage}.");
        }
        return plan;
    }

    private static AutoAttendant Speak(AutoAttendant a, string language, DataDirectory data, ConfigurationSnapshot snapshot,
        Func<Part, SpeechUnavailableException, Exception> fail)
    {
        Part[] parts =
        [
            new("business-hours-text", a.BusinessHoursWelcomeGreetingText, a.BusinessHoursWelcomeGreetingFile, A.BusinessHoursWelcomeGreetingText,
                $"or give a WAV file with --{A.BusinessHoursWelcomeGreeting}"),
            new("after-hours-text", a.AfterHoursWelcomeGreetingText, a.AfterHoursWelcomeGreetingFile, A.AfterHoursWelcomeGreetingText,
                $"or give a WAV file with --{A.AfterHoursWelcomeGreeting}"),
            new("business-hours-menu", null, a.BusinessHoursMenuPromptFile, A.BusinessHoursKeyMapping,
                "or leave the descriptions empty (\"1,,1001\") so that no key menu is spoken"),
            new("after-hours-menu", null, a.AfterHoursMenuPromptFile, A.AfterHoursKeyMapping,
                "or leave the descriptions empty (\"1,,1001\") so that no key menu is spoken"),
        ];
        PackSpeech? speech = null;
        PackSpeech Pack() => speech ??= LoadPack(language, data);
        // The menus are the pack's sentences around the names: only a pack read tells whether they changed.
        bool named = a.BusinessHoursKeyMapping.Concat(a.AfterHoursKeyMapping).Any(m => !string.IsNullOrWhiteSpace(m.Description));
        if (named)
        {
            parts[2] = parts[2] with { Text = Pack().KeyMenu(a.BusinessHoursKeyMapping) };
            parts[3] = parts[3] with { Text = Pack().KeyMenu(a.AfterHoursKeyMapping) };
        }

        var synthesizer = new SpeechSynthesizer();
        var files = new string?[parts.Length];
        var spoken = new List<(string Name, byte[] Wav)>();
        for (int i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            bool greeting = i < 2;
            if (part.Text is null)
            {
                files[i] = greeting ? part.File : null; // a greeting without text is a WAV or the built-in welcome
                continue;
            }
            string name = FileName(a, part.Slot, Pack(), part.Text);
            files[i] = GreetingStore.FolderName + "/" + name;
            if (files[i] == part.File && File.Exists(Path.Combine(data.Root, files[i]!))) continue;
            try { spoken.Add((name, synthesizer.Speak(part.Text, Pack()))); }
            catch (SpeechUnavailableException e) { throw fail(part, e); }
        }

        foreach (var (name, wav) in spoken) GreetingStore.Store(data.Root, name, wav);
        var result = a with
        {
            BusinessHoursWelcomeGreetingFile = files[0], AfterHoursWelcomeGreetingFile = files[1],
            BusinessHoursMenuPromptFile = files[2], AfterHoursMenuPromptFile = files[3],
        };
        RemoveUnused(a, result, parts, data, snapshot);
        return result;
    }

    private static PackSpeech LoadPack(string language, DataDirectory data)
    {
        try { return PackSpeech.Load(PromptLanguages.Find(language) ?? PromptLanguages.DefaultLanguage, data.Prompts); }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new CliException($"the {language} language pack cannot speak an attendant's words: {e.Message}");
        }
    }

    // "aa-Reception-business-hours-menu-3f2a9c0d1e4b.wav": what was spoken, in which voice, for which attendant.
    private static string FileName(AutoAttendant a, string slot, PackSpeech speech, string text)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{a.Id:N}\n{speech.Language}\n{speech.Voice}\n{speech.WordsPerMinute}\n{text}"));
        return $"aa-{SafeName(a.Name)}-{slot}-{Convert.ToHexStringLower(hash)[..12]}.wav";
    }

    // Files spoken for this attendant that no attendant names any more (the store's version, the new one): at most the
    // previous file of each part stays until the next change, so a change the store refuses leaves a playable greeting.
    private static void RemoveUnused(AutoAttendant before, AutoAttendant after, Part[] parts, DataDirectory data, ConfigurationSnapshot snapshot)
    {
        var named = snapshot.AutoAttendants.Append(after).Append(before)
            .SelectMany(x => new[] { x.BusinessHoursWelcomeGreetingFile, x.AfterHoursWelcomeGreetingFile, x.BusinessHoursMenuPromptFile, x.AfterHoursMenuPromptFile })
            .OfType<string>().Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        if (!System.IO.Directory.Exists(data.Greetings)) return;
        foreach (var part in parts)
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(data.Greetings, $"aa-{SafeName(after.Name)}-{part.Slot}-*.wav"))
            {
                if (named.Contains(Path.GetFileName(file))) continue;
                try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    private static void NotBoth(ParseResult result, string wavField, string textField)
    {
        if (Given(result, "--" + wavField) && Given(result, "--" + textField))
            throw new ConfigurationValidationException(textField,
                $"give either --{wavField} (a WAV file) or --{textField} (words the prompt engine speaks), not both");
    }

    private static bool Given(ParseResult result, string option) =>
        result.CommandResult.Children.OfType<OptionResult>().Any(o => o.Option.Name == option && !o.Implicit);

    /// <summary>The attendant's name as it may appear in a file name.</summary>
    public static string SafeName(string value) =>
        string.Concat(value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
}
