using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpenUM.Management;

namespace OpenUM.AdminApi;

/// <summary>
/// Turns a request into the words of the command it replays: the server's own --data-dir, --store and --json first (so
/// nothing after them can take their place), then each field as "--field=value" (one word, so a value can never be taken
/// for an option; an empty value, which that form cannot carry, as "--field" and ""), and the key after "--" (so it can
/// never be an option either). What cannot be a field is refused before anything runs.
/// </summary>
internal static class RequestTokens
{
    /// <summary>The words for <paramref name="verb"/>, or the refusals (each "--option", message) when the request cannot be replayed.</summary>
    public static (List<string>? Tokens, List<CommandError> Refused) Build(ApiVerb verb, string? key, JsonElement? body, IQueryCollection query,
        AdminApiSettings settings)
    {
        var refused = new List<CommandError>();
        var tokens = new List<string>(verb.Path) { "--data-dir=" + settings.DataDirectory };
        if (settings.Store is { } store) tokens.Add("--store=" + store);
        tokens.Add("--json");
        tokens.AddRange(verb.Preset);
        var fields = verb.Fields.ToDictionary(o => o.Name, StringComparer.Ordinal);
        int values = 0;
        void Add(string name, IEnumerable<string?> given)
        {
            string option = "--" + name;
            if (!fields.TryGetValue(option, out var target))
            {
                refused.Add(new CommandError(option, UnknownField(verb, name)));
                return;
            }
            foreach (string? value in given)
            {
                if (++values > AdminApiSettings.MaxValues) { refused.Add(new CommandError(option, $"more than {AdminApiSettings.MaxValues} values in one request.")); return; }
                if (value is null) { refused.Add(new CommandError(option, "null is not a value; leave the field out to keep its value.")); continue; }
                if (Refusal(target, value) is { } why) { refused.Add(new CommandError(option, why)); continue; }
                // "--field=" would be the option without a value, and the parser would take the next word as its value.
                if (value.Length == 0) tokens.AddRange([option, ""]);
                else tokens.Add($"{option}={value}");
            }
        }
        if (body is { } json)
        {
            if (json.ValueKind != JsonValueKind.Object)
                refused.Add(new CommandError(null, "the body is not a JSON object of fields, e.g. {\"number-of-digits-in-extension\": 4}."));
            else
                foreach (var property in json.EnumerateObject()) Add(property.Name, Values(property.Value));
        }
        foreach (var (name, given) in query) Add(name, given);
        if (key is not null)
        {
            if (Refusal(null, key) is { } why) refused.Add(new CommandError(verb.Key == KeyBinding.NameOption ? "--name" : null, why));
            else if (verb.Key == KeyBinding.NameOption) tokens.Add("--name=" + key);
        }
        if (key is not null && verb.Key == KeyBinding.Argument) tokens.AddRange(["--", key]);
        return refused.Count == 0 ? (tokens, refused) : (null, refused);
    }

    private static string UnknownField(ApiVerb verb, string name)
    {
        var names = verb.Fields.Select(o => o.Name[2..]).ToList();
        string command = "openum " + string.Join(' ', verb.Path);
        return UsageErrors.Closest(name, names) is { } near
            ? $"`{command}` has no field '{name}'; did you mean '{near}'?"
            : $"`{command}` has no field '{name}'; it has {string.Join(", ", names)}.";
    }

    // JSON values as the words a person would type: numbers as written, true/false, strings as they are; an array repeats the option.
    private static IEnumerable<string?> Values(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.GetArrayLength() == 0 ? [""] : value.EnumerateArray().SelectMany(Values),
        JsonValueKind.String => [value.GetString()],
        JsonValueKind.Number => [value.GetRawText()],
        JsonValueKind.True => ["true"],
        JsonValueKind.False => ["false"],
        JsonValueKind.Null => [null],
        _ => [value.GetRawText()], // an object: the option's own parser refuses it by name
    };

    // What is refused outright: over-long values, control characters, and values naming a file on the server.
    private static string? Refusal(Option? option, string value)
    {
        if (value.Length > AdminApiSettings.MaxValueLength)
            return $"longer than {AdminApiSettings.MaxValueLength.ToString(CultureInfo.InvariantCulture)} characters.";
        if (value.Any(char.IsControl)) return "control characters are not allowed.";
        if (option is not null && OptionFields.NamesServerFile(option, value))
            return "names a file on the server, which the admin API never reads; use `openum` on the server for files.";
        return null;
    }
}
