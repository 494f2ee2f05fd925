using System.Globalization;

namespace OpenUM.Calls.Languages;

/// <summary>
/// How a language pack speaks words it does not ship (an auto attendant's greeting text and key menu): the espeak-ng
/// voice and speed of its prompts.txt ("@voice", "@speed", as scripts/make-prompts.sh reads them) and its sentence
/// template for one key of the menu ("@key-mapping For {name}, press {key}."). An administrator's pack in
/// &lt;data-dir&gt;/prompts/&lt;language&gt;/prompts.txt wins over the shipped one, directive by directive.
/// </summary>
public sealed record PackSpeech(string Language, string Voice, int WordsPerMinute, string KeyMappingTemplate)
{
    /// <summary>The placeholder of a key mapping's description in the template.</summary>
    public const string NamePlaceholder = "{name}";

    /// <summary>The placeholder of the key in the template.</summary>
    public const string KeyPlaceholder = "{key}";

    private const int MaxTextBytes = 1024 * 1024; // a prompts.txt is a few kilobytes

    /// <summary>
    /// The speech settings of installed <paramref name="language"/>: the shipped pack's, each directive replaced by the
    /// one of &lt;<paramref name="replacements"/>&gt;/&lt;language&gt;/prompts.txt when that file gives it.
    /// </summary>
    /// <exception cref="InvalidDataException">A prompts.txt with a bad directive (the message names the file and the line).</exception>
    public static PackSpeech Load(string language, string? replacements)
    {
        string name = PromptLanguages.Find(language)
            ?? throw new ArgumentException($"no language pack '{language}' is installed", nameof(language));
        var directives = Parse(Shipped(name), $"the shipped {name} pack's prompts.txt");
        string? own = replacements is null ? null : Path.Combine(replacements, name, "prompts.txt");
        if (own is not null && File.Exists(own))
        {
            if (new FileInfo(own).Length > MaxTextBytes) throw new InvalidDataException($"{own} is larger than {MaxTextBytes} bytes");
            foreach (var (key, value) in Parse(File.ReadAllText(own), own)) directives[key] = value;
        }
        string source = own is not null && File.Exists(own) ? own : $"the shipped {name} pack's prompts.txt";
        string Required(string key) => directives.TryGetValue(key, out var v) ? v.Value
            : throw new InvalidDataException($"{source} has no @{key} line");
        string speed = Required("speed");
        if (!int.TryParse(speed, NumberStyles.None, CultureInfo.InvariantCulture, out int wpm) || wpm is < 80 or > 450)
            throw new InvalidDataException($"{directives["speed"].Source}: '@speed {speed}' is not a speed in words per minute from 80 to 450");
        string template = Required("key-mapping");
        if (Count(template, NamePlaceholder) != 1 || Count(template, KeyPlaceholder) != 1)
            throw new InvalidDataException($"{directives["key-mapping"].Source}: '@key-mapping {template}' must hold {NamePlaceholder} and {KeyPlaceholder} once each");
        return new PackSpeech(name, Required("voice"), wpm, template);
    }

    /// <summary>
    /// The key menu of one period in the pack's words ("For Sales, press 1. For Support, press 2."), in key order; null
    /// when no mapping has a description (nothing to say: an administrator's greeting may name the keys itself).
    /// </summary>
    public string? KeyMenu(IEnumerable<Directory.AutoAttendants.KeyMapping> mappings)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        var sentences = mappings.Where(m => !string.IsNullOrWhiteSpace(m.Description)).OrderBy(m => m.Key)
            .Select(m => KeyMappingSentence(m.Description.Trim(), m.Key)).ToList();
        return sentences.Count == 0 ? null : string.Join(" ", sentences);
    }

    /// <summary>One key of the menu in the pack's words: the template with the description and the key put in.</summary>
    public string KeyMappingSentence(string description, char key)
    {
        // Put in one pass: a description holding "{key}" stays words, never a second placeholder.
        int n = KeyMappingTemplate.IndexOf(NamePlaceholder, StringComparison.Ordinal);
        int k = KeyMappingTemplate.IndexOf(KeyPlaceholder, StringComparison.Ordinal);
        (int first, int firstLength, string firstValue, int second, int secondLength, string secondValue) = n < k
            ? (n, NamePlaceholder.Length, description, k, KeyPlaceholder.Length, key.ToString())
            : (k, KeyPlaceholder.Length, key.ToString(), n, NamePlaceholder.Length, description);
        string t = KeyMappingTemplate;
        return string.Concat(t[..first], firstValue, t[(first + firstLength)..second], secondValue, t[(second + secondLength)..]);
    }

    private static int Count(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private sealed record Directive(string Value, string Source);

    // The directives of a prompts.txt ("@voice en-us"); prompt lines and comments are make-prompts.sh's business.
    private static Dictionary<string, Directive> Parse(string text, string source)
    {
        var directives = new Dictionary<string, Directive>(StringComparer.Ordinal);
        int number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            string line = raw.TrimEnd('\r');
            if (!line.StartsWith('@')) continue;
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            string value = space < 0 ? "" : line[(space + 1)..].Trim();
            if (space < 0 || value.Length == 0) throw new InvalidDataException($"{source} line {number}: '{line}' has no value");
            directives[line[1..space]] = new Directive(value, $"{source} line {number}");
        }
        return directives;
    }

    private static string Shipped(string language)
    {
        using var stream = typeof(PackSpeech).Assembly.GetManifestResourceStream($"Prompts/{language}/prompts.txt")
            ?? throw new InvalidOperationException($"Prompt text {language}/prompts.txt is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
