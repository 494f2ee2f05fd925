using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OpenUM.Server.Logging;

/// <summary>
/// Reads OpenUM's entries back from the systemd journal through `journalctl -t openum -o json` and gives
/// them the shape of an events.jsonl line (time, id, level, name, category, message, properties,
/// exception; plus the journal's trusted pid and uid), so `openum events` shows both sources alike.
/// Property values come back as text: the journal keeps no types.
/// </summary>
public static class JournalReader
{
    /// <summary>The journalctl arguments for the last <paramref name="last"/> (0 = all) entries, optionally of one event ID.</summary>
    public static IReadOnlyList<string> Arguments(int? id, int last)
    {
        // --all: without it journalctl -o json writes values over 4096 bytes as null.
        var args = new List<string> { "-t", JournaldLoggerProvider.Identifier, "-o", "json", "--all", "--no-pager", "-q" };
        if (last > 0) args.AddRange(["-n", last.ToString(CultureInfo.InvariantCulture)]);
        if (id is { } n) args.Add($"{JournaldLoggerProvider.EventIdField}={n.ToString(CultureInfo.InvariantCulture)}");
        return args;
    }

    /// <summary>Runs journalctl; the events oldest first, or why they could not be read (the text to show).</summary>
    public static (List<JsonElement> Events, string? Error) Read(int? id, int last, string journalctl = "journalctl")
    {
        var psi = new ProcessStartInfo(journalctl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in Arguments(id, last)) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new Win32Exception("not started");
        }
        catch (Win32Exception)
        {
            return ([], $"{journalctl} was not found or could not be started");
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var events = new List<JsonElement>();
            while (process.StandardOutput.ReadLine() is { } line)
                if (ToEvent(line) is { } e) events.Add(e);
            process.WaitForExit();
            string errors = stderr.GetAwaiter().GetResult().Trim();
            return process.ExitCode == 0 ? (events, null) : (events, $"{journalctl} failed (exit {process.ExitCode}): {errors}");
        }
    }

    /// <summary>One line of `journalctl -o json` as an event; null when it is no OpenUM event with an ID (or no JSON).</summary>
    public static JsonElement? ToEvent(string journalLine)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(journalLine); }
        catch (JsonException) { return null; }
        using (doc)
        {
            var entry = doc.RootElement;
            if (entry.ValueKind != JsonValueKind.Object ||
                !int.TryParse(Text(entry, JournaldLoggerProvider.EventIdField), NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
                return null;
            string exception = Text(entry, JournaldLoggerProvider.ExceptionField);
            string message = Text(entry, "MESSAGE");
            if (exception.Length > 0 && message.EndsWith("\n" + exception, StringComparison.Ordinal))
                message = message[..^(exception.Length + 1)];
            var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                if (long.TryParse(Text(entry, "__REALTIME_TIMESTAMP"), NumberStyles.None, CultureInfo.InvariantCulture, out long micros))
                    json.WriteString("time", DateTimeOffset.UnixEpoch.AddTicks(micros * 10));
                json.WriteNumber("id", id);
                json.WriteString("level", Level(Text(entry, "PRIORITY")));
                json.WriteString("name", Text(entry, JournaldLoggerProvider.EventNameField));
                json.WriteString("category", Text(entry, JournaldLoggerProvider.CategoryField));
                json.WriteString("message", message);
                json.WriteStartObject("properties");
                foreach (var field in entry.EnumerateObject())
                    if (PropertyName(field.Name) is { } name)
                        json.WriteString(name, Text(entry, field.Name));
                json.WriteEndObject();
                if (exception.Length > 0) json.WriteString("exception", exception);
                if (Text(entry, "_PID") is { Length: > 0 } pid) json.WriteString("pid", pid);
                if (Text(entry, "_UID") is { Length: > 0 } uid) json.WriteString("uid", uid);
                json.WriteEndObject();
            }
            using var result = JsonDocument.Parse(buffer.ToArray());
            return result.RootElement.Clone();
        }
    }

    /// <summary>The LogLevel name of a syslog priority.</summary>
    public static string Level(string priority) => priority switch
    {
        "0" or "1" or "2" => "Critical",
        "3" => "Error",
        "4" => "Warning",
        "5" or "6" => "Information",
        _ => "Debug",
    };

    // OPENUM_REMOTE_ADDRESS -> remoteAddress; the fixed fields are not properties.
    private static string? PropertyName(string field)
    {
        if (!field.StartsWith("OPENUM_", StringComparison.Ordinal) || field is JournaldLoggerProvider.EventIdField
            or JournaldLoggerProvider.EventNameField or JournaldLoggerProvider.CategoryField or JournaldLoggerProvider.ExceptionField)
            return null;
        string rest = field.StartsWith("OPENUM_PROPERTY_", StringComparison.Ordinal) ? field["OPENUM_PROPERTY_".Length..] : field["OPENUM_".Length..];
        var sb = new StringBuilder(rest.Length);
        foreach (string word in rest.Split('_', StringSplitOptions.RemoveEmptyEntries))
            sb.Append(sb.Length == 0 ? word.ToLowerInvariant() : word[..1] + word[1..].ToLowerInvariant());
        return sb.Length > 0 ? sb.ToString() : null;
    }

    // journalctl writes a value as a string, as an array of bytes when it is not valid UTF-8 text, and as
    // an array of those when the entry has the field more than once (the last one is taken).
    private static string Text(JsonElement entry, string field)
    {
        if (!entry.TryGetProperty(field, out var value)) return "";
        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0 && value[0].ValueKind != JsonValueKind.Number)
            value = value[value.GetArrayLength() - 1];
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? "",
            JsonValueKind.Array => Encoding.UTF8.GetString(value.EnumerateArray().Select(b => b.TryGetByte(out byte x) ? x : (byte)'?').ToArray()),
            _ => "",
        };
    }
}
