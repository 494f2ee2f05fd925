using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Audio;

namespace OpenUM.Calls.Languages;

/// <summary>
/// The installed language packs: the shipped ones (src/OpenUM.Calls/Prompts/&lt;language&gt;, built into the assembly)
/// and an administrator's replacements, &lt;data-dir&gt;/prompts/&lt;language&gt;/&lt;name&gt;.wav, read once when the
/// server starts. A prompt is taken from the replacement folder, else from the shipped pack, else from en-US with
/// event 2078: a pack missing a prompt (one added in English and not yet in French) speaks English, never fails a call.
/// </summary>
public sealed class PromptLanguages
{
    /// <summary>The language of dial plans that name none, and of every prompt a pack lacks.</summary>
    public const string DefaultLanguage = "en-US";

    /// <summary>The folder under the data directory holding replacement packs, one sub-folder per language.</summary>
    public const string FolderName = "prompts";

    /// <summary>A replacement prompt larger than this is refused (about 17 minutes of 8 kHz audio).</summary>
    public const long MaxPromptBytes = 16 * 1024 * 1024;

    private const int MaxReportedLanguages = 32; // 2079 once per unknown language, for a bounded number of them

    private static readonly IPromptLanguage[] Grammars = [new EnglishLanguage(), new FrenchLanguage()];

    /// <summary>The languages this build can speak: a pack ships for each, with the grammar of its numbers and counts.</summary>
    public static IReadOnlyList<string> Installed { get; } = [.. Grammars.Select(g => g.Name)];

    /// <summary>The installed language named <paramref name="language"/> in its usual spelling ("fr-fr" gives "fr-FR"), or null.</summary>
    public static string? Find(string? language) =>
        Installed.FirstOrDefault(l => string.Equals(l, language?.Trim(), StringComparison.OrdinalIgnoreCase));

    private readonly Dictionary<string, PromptLibrary> _libraries = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _reported = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger _logger;
    private readonly Func<string, string, bool> _shipped;

    private PromptLanguages(string? replacements, ILogger logger, Func<string, string, bool>? shipped = null)
    {
        (_logger, _shipped) = (logger, shipped ?? ((_, _) => true));
        var english = LoadPack(Grammars[0], replacements, fallback: null);
        Default = new PromptLibrary(Grammars[0], english, this);
        _libraries[DefaultLanguage] = Default;
        foreach (var grammar in Grammars.Skip(1))
            _libraries[grammar.Name] = new PromptLibrary(grammar, LoadPack(grammar, replacements, english), this);
        if (replacements is not null) ReportUnknownFolders(replacements);
    }

    /// <summary>The shipped packs only (tools and tests; the server uses <see cref="Load"/>).</summary>
    public static PromptLanguages Shipped => LazyShipped.Value;
    private static readonly Lazy<PromptLanguages> LazyShipped = new(() => new PromptLanguages(null, NullLogger.Instance));

    /// <summary>The shipped packs with the replacements found under <paramref name="replacements"/> (&lt;data-dir&gt;/prompts; may not exist).</summary>
    public static PromptLanguages Load(string? replacements, ILogger logger) => new(replacements, logger);

    /// <summary>As <see cref="Load"/>, with only the shipped prompts <paramref name="shipped"/> keeps (language, name): a pack with gaps, for tests.</summary>
    internal static PromptLanguages Load(string? replacements, ILogger logger, Func<string, string, bool> shipped) => new(replacements, logger, shipped);

    /// <summary>en-US.</summary>
    public PromptLibrary Default { get; }

    /// <summary>
    /// The prompts of <paramref name="language"/>; en-US when it is null or empty, and when no pack of that name is
    /// installed (a store shared with a newer server may name one): then event 2079, once per language.
    /// </summary>
    public PromptLibrary For(string? language)
    {
        if (string.IsNullOrWhiteSpace(language)) return Default;
        if (_libraries.TryGetValue(language.Trim(), out var library)) return library;
        if (_reported.Count < MaxReportedLanguages && _reported.TryAdd(language, 0))
            CallEvents.LanguageUnavailable(_logger, language, $"no language pack of that name is installed (installed: {string.Join(", ", Installed)})");
        return Default;
    }

    /// <summary>The language a call to <paramref name="mailbox"/> speaks: the mailbox's, else its dial plan's (Exchange: Language, DefaultLanguage).</summary>
    public PromptLibrary For(DialPlan dialPlan, Mailbox? mailbox) =>
        For(mailbox?.Language is { Length: > 0 } own ? own : dialPlan.DefaultLanguage);

    private Dictionary<string, AudioClip> LoadPack(IPromptLanguage grammar, string? replacements, Dictionary<string, AudioClip>? fallback)
    {
        var shipped = ShippedNames(grammar.Name);
        shipped.RemoveWhere(name => !_shipped(grammar.Name, name));
        var names = new SortedSet<string>(shipped, StringComparer.Ordinal);
        if (fallback is not null) names.UnionWith(fallback.Keys);
        string? folder = replacements is null ? null : Path.Combine(replacements, grammar.Name);
        if (folder is not null && !System.IO.Directory.Exists(folder)) folder = null;

        var clips = new Dictionary<string, AudioClip>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (folder is not null && Replacement(folder, name, grammar.Name, shipped.Contains(name) || fallback is null) is { } own)
                clips[name] = own;
            else if (shipped.Contains(name))
                clips[name] = LoadShipped(grammar.Name, name);
            else
            {
                CallEvents.PromptMissing(_logger, grammar.Name, name, "the pack has no such prompt", DefaultLanguage);
                clips[name] = fallback![name];
            }
        }
        return clips;
    }

    /// <summary>The administrator's prompt, or null (none given, or unusable: then 2078 and the shipped one is played).</summary>
    private AudioClip? Replacement(string folder, string name, string language, bool shippedExists)
    {
        string path = Path.Combine(folder, name + ".wav");
        if (!File.Exists(path)) return null;
        try
        {
            using var stream = File.OpenRead(path);
            if (stream.Length > MaxPromptBytes)
                throw new InvalidDataException($"{stream.Length} bytes, more than the {MaxPromptBytes} a prompt may have");
            return AudioClip.FromWav(stream);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            CallEvents.PromptMissing(_logger, language, name, $"{path} cannot be played: {e.Message}",
                shippedExists ? $"the shipped {language} prompt" : DefaultLanguage);
            return null;
        }
    }

    private void ReportUnknownFolders(string replacements)
    {
        if (!System.IO.Directory.Exists(replacements)) return;
        foreach (var dir in System.IO.Directory.EnumerateDirectories(replacements).Take(MaxReportedLanguages))
        {
            string name = Path.GetFileName(dir);
            if (Installed.Contains(name, StringComparer.Ordinal)) continue;
            string hint = Find(name) is { } spelled ? $"name the folder {spelled}" : $"this version speaks {string.Join(", ", Installed)}";
            CallEvents.LanguageUnavailable(_logger, name, $"the folder {dir} is not used: {hint}");
        }
    }

    private const string ResourcePrefix = "Prompts/";

    private static HashSet<string> ShippedNames(string language)
    {
        string prefix = ResourcePrefix + language + "/";
        return [.. typeof(PromptLanguages).Assembly.GetManifestResourceNames()
            .Where(r => r.StartsWith(prefix, StringComparison.Ordinal) && r.EndsWith(".wav", StringComparison.Ordinal))
            .Select(r => r[prefix.Length..^4])];
    }

    private static AudioClip LoadShipped(string language, string name)
    {
        using var stream = typeof(PromptLanguages).Assembly.GetManifestResourceStream($"{ResourcePrefix}{language}/{name}.wav")
            ?? throw new InvalidOperationException($"Prompt resource {language}/{name}.wav is missing from the build.");
        return AudioClip.FromWav(stream);
    }
}
