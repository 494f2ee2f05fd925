namespace OpenUM.Directory;

public static partial class ConfigurationValidator
{
    /// <summary>The longest language name accepted (a BCP 47 tag such as "fr-FR"; the installed packs are checked by the command line).</summary>
    public const int MaxLanguageLength = 35;

    /// <summary>
    /// A language is a culture name, letters and digits in hyphen-separated parts of 1-8, starting with a letter
    /// ("en-US", "fr-FR"). Which languages have a pack depends on the server's build, not on the store: `openum dialplan set`
    /// and `mailbox set` refuse a language without a pack; a call in one the server lacks speaks en-US (event 2079).
    /// </summary>
    private static void ValidateLanguage(string? language, string field, bool optional)
    {
        if (language is null && optional) return;
        if (!IsLanguageTag(language))
            throw Fail(field, $"'{language}' is not a language name: give one such as en-US or fr-FR");
    }

    private static bool IsLanguageTag(string? value) =>
        value is { Length: > 0 and <= MaxLanguageLength }
        && char.IsAsciiLetter(value[0])
        && value.Split('-').All(part => part.Length is > 0 and <= 8 && part.All(char.IsAsciiLetterOrDigit));
}
