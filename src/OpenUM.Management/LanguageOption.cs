using OpenUM.Calls.Languages;
using OpenUM.Directory;

namespace OpenUM.Management;

/// <summary>--default-language (dial plans) and --language (mailboxes): only a language whose pack this build ships.</summary>
internal static class LanguageOption
{
    /// <summary>The installed language <paramref name="value"/> names, in its usual spelling ("fr-fr" gives "fr-FR"); else an error naming <paramref name="field"/>.</summary>
    public static string Installed(string? value, string field) =>
        PromptLanguages.Find(value)
        ?? throw new ConfigurationValidationException(field,
            $"no language pack '{value}' is installed; installed: {string.Join(", ", PromptLanguages.Installed)}");
}
