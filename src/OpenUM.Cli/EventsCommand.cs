using System.CommandLine;
using System.Text.Json;

namespace OpenUM.Cli;

/// <summary>`openum events`: the event log (Get-EventLog for "MSExchange Unified Messaging").</summary>
internal static class EventsCommand
{
    public static Command Create()
    {
        var id = new Option<int?>("--id") { Description = "Only events with this ID (e.g. 1021 for refused calls)" };
        var last = new Option<int>("--last") { Description = "Only the last N matching events (default 50; 0 = all)", DefaultValueFactory = _ => 50 };
        var command = new Command("events", "Show the server's events (from <data-dir>/events.jsonl).\nExample: openum events --id 1021") { id, last };
        command.SetAction(result =>
        {
            var data = CliContext.Data(result);
            if (!File.Exists(data.EventLog))
            {
                Console.Error.WriteLine($"No events yet: {data.EventLog} does not exist (has `openum serve` run with this --data-dir?).");
                return 1;
            }
            int? wanted = result.GetValue(id);
            var events = new List<JsonElement>();
            using (var stream = new FileStream(data.EventLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            using (var reader = new StreamReader(stream))
            {
                while (reader.ReadLine() is { } line)
                {
                    if (line.Length == 0) continue;
                    JsonElement e;
                    try { e = JsonDocument.Parse(line).RootElement; }
                    catch (JsonException) { continue; } // a line cut short by a crash
                    if (wanted is null || (e.TryGetProperty("id", out var v) && v.TryGetInt32(out int n) && n == wanted)) events.Add(e);
                }
            }
            int take = result.GetValue(last);
            if (take > 0 && events.Count > take) events = events[^take..];
            if (result.GetValue(CliContext.JsonOption))
            {
                Console.WriteLine(JsonSerializer.Serialize(events, CliContext.Json));
                return 0;
            }
            CliContext.Print(result, events,
                ("Time", e => e.GetProperty("time").GetString()),
                ("Id", e => e.GetProperty("id").GetInt32()),
                ("Level", e => e.GetProperty("level").GetString()),
                ("Message", e => Shorten(e.GetProperty("message").GetString())));
            return 0;
        });
        return command;
    }

    /// <summary>Keeps table rows readable; --json has the whole message.</summary>
    private static string? Shorten(string? message) => message is { Length: > 200 } ? message[..197] + "..." : message;
}
