using System.CommandLine;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Primitives;
using OpenUM.Management;

namespace OpenUM.AdminApi.WebConsole;

/// <summary>
/// The forms generated from a command's options: enumerations and booleans as lists, multi-valued options as a text area
/// (one value a line), the rest as text. An edit form shows each field's current value and carries it again in a hidden
/// "was:FIELD", so the post sends only the fields the user changed, and an emptied one as "" (which `set` clears, or
/// refuses with its own message).
/// </summary>
internal static class ObjectForm
{
    /// <summary>The prefix of the hidden field carrying the value an edit form showed.</summary>
    public const string WasPrefix = "was:";

    /// <summary>Whether <paramref name="option"/> takes several values (the option repeated).</summary>
    public static bool IsList(Option option) => option.ValueType == typeof(string[]);

    /// <summary>The values of a list field: one a line, blank lines dropped; none at all is the one value "" (the CLI's "clear").</summary>
    public static StringValues Lines(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        return lines.Length == 0 ? new StringValues("") : new StringValues(lines);
    }

    /// <summary>
    /// The current value of each field of <paramref name="fields"/> in <paramref name="json"/> (`NOUN get KEY --json`), as the
    /// form shows it: the property of the option's name in camel case, when its JSON kind is what the option takes; a field
    /// without one (a duration shown as 00:30:00 for an option in minutes, a list of records) starts empty.
    /// </summary>
    public static Dictionary<string, string> Current(IEnumerable<Option> fields, string json)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object) return values;
        foreach (var option in fields)
        {
            if (!document.RootElement.TryGetProperty(CamelCase(option.Name[2..]), out var value)) continue;
            if (Text(option, value) is { } text) values[option.Name[2..]] = text;
        }
        return values;
    }

    /// <summary>The fields of a posted edit form that differ from the values it was built from ("was:FIELD"; none means empty).</summary>
    public static Dictionary<string, string> Changed(IReadOnlyDictionary<string, string> form, IEnumerable<Option> fields)
    {
        var lists = fields.Where(IsList).Select(o => o.Name[2..]).ToHashSet(StringComparer.Ordinal);
        var changed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in form)
        {
            if (name.StartsWith(WasPrefix, StringComparison.Ordinal)) continue;
            string was = form.GetValueOrDefault(WasPrefix + name) ?? "";
            bool same = lists.Contains(name) ? Lines(value).SequenceEqual(Lines(was)) : value == was;
            if (!same) changed[name] = value;
        }
        return changed;
    }

    /// <summary>
    /// A form for <paramref name="fields"/>: values <paramref name="given"/> kept, else those of <paramref name="current"/> (an
    /// edit form; null for a new object); each field <paramref name="errors"/> names is marked invalid with its message.
    /// </summary>
    public static string Html(string action, string legend, IEnumerable<Option> fields, ConsoleSession session, IReadOnlyDictionary<string, string> given,
        IReadOnlyDictionary<string, string>? current, IReadOnlyList<CommandError> errors, string button)
    {
        var html = new StringBuilder("<form method=\"post\" action=\"").Append(ConsoleHtml.E(action)).Append("\" class=\"object\"><fieldset><legend>")
            .Append(ConsoleHtml.E(legend)).Append("</legend>").Append(ConsoleHtml.Csrf(session));
        foreach (var option in fields.OrderByDescending(o => o.Required))
        {
            string name = option.Name[2..];
            string id = "f-" + name;
            string was = current?.GetValueOrDefault(name) ?? "";
            string value = given.TryGetValue(name, out string? typed) ? typed : was;
            bool required = option.Required && current is null;
            string? error = errors.FirstOrDefault(e => e.Option == option.Name)?.Message;
            string invalid = error is null ? "" : $" aria-invalid=\"true\" aria-describedby=\"e-{ConsoleHtml.E(name)}\"";
            html.Append("<p><label for=\"").Append(id).Append("\">").Append(ConsoleHtml.E(name)).Append(required ? " (required)" : "").Append("</label>");
            if (current is not null) html.Append("<input type=\"hidden\" name=\"").Append(ConsoleHtml.E(WasPrefix + name)).Append("\" value=\"").Append(ConsoleHtml.E(was)).Append("\">");
            var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
            string[]? choices = type.IsEnum ? Enum.GetNames(type) : type == typeof(bool) ? ["true", "false"] : null;
            if (choices is not null)
            {
                html.Append("<select id=\"").Append(id).Append("\" name=\"").Append(ConsoleHtml.E(name)).Append('"').Append(invalid).Append('>');
                // An edit form offers "" only for a field it could not read: a list of choices has nothing to clear.
                if (current is null || was.Length == 0) html.Append("<option value=\"\">").Append(current is null ? "(default)" : "(unchanged)").Append("</option>");
                foreach (string c in choices)
                    html.Append("<option").Append(c == value ? " selected" : "").Append('>').Append(ConsoleHtml.E(c)).Append("</option>");
                html.Append("</select>");
            }
            else if (IsList(option))
            {
                html.Append("<textarea id=\"").Append(id).Append("\" name=\"").Append(ConsoleHtml.E(name)).Append("\" rows=\"3\"").Append(invalid).Append('>')
                    .Append(ConsoleHtml.E(value)).Append("</textarea>");
            }
            else
            {
                html.Append("<input id=\"").Append(id).Append("\" name=\"").Append(ConsoleHtml.E(name)).Append("\" value=\"").Append(ConsoleHtml.E(value)).Append('"')
                    .Append(required ? " required" : "").Append(invalid).Append('>');
            }
            if (error is not null) html.Append("<small class=\"error\" id=\"e-").Append(ConsoleHtml.E(name)).Append("\">").Append(ConsoleHtml.E(error)).Append("</small>");
            // The CLI's help says how to give several values on a command line; here they go one a line.
            string hint = (option.Description ?? "").Replace("(repeat the option for several)", "(one a line)", StringComparison.Ordinal);
            if (hint.Length > 0) html.Append("<small>").Append(ConsoleHtml.E(hint)).Append("</small>");
            html.Append("</p>");
        }
        return html.Append("<p><button type=\"submit\">").Append(ConsoleHtml.E(button)).Append("</button></p></fieldset></form>").ToString();
    }

    // A JSON value as the option's words, or null when the option would not take it back as it is.
    private static string? Text(Option option, JsonElement value)
    {
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        return value.ValueKind switch
        {
            JsonValueKind.Null => "",
            JsonValueKind.String when type == typeof(string) || type.IsEnum => value.GetString(),
            JsonValueKind.Number when type == typeof(int) => value.GetRawText(),
            JsonValueKind.True or JsonValueKind.False when type == typeof(bool) => value.GetRawText(),
            JsonValueKind.Array when IsList(option) && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) =>
                string.Join('\n', value.EnumerateArray().Select(v => v.GetString())),
            _ => null,
        };
    }

    // "number-of-digits-in-extension" -> "numberOfDigitsInExtension", the name `get --json` gives the property.
    private static string CamelCase(string name)
    {
        var words = name.Split('-', StringSplitOptions.RemoveEmptyEntries);
        return string.Concat(words.Select((w, i) => i == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));
    }
}
