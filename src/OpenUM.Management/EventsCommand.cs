using System.CommandLine;
using System.Text.Json;
using OpenUM.Server;
using OpenUM.Server.Logging;

namespace OpenUM.Management;

/// <summary>`openum events`: the event log (Get-EventLog for "MSExchange Unified Messaging").</summary>
internal static class EventsCommand
{
    public static Command Create()
    {
        var id = new Option<int?>("--id") { Description = "Only events with this ID (e.g. 1021 for refused calls)" };
        var last = new Option<int>("--last") { Description = "Only the last N matching events (default 50; 0 = all)", DefaultValueFactory = _ => 50 };
        var source = new Option<string?>("--source")
        {
            Description = "file (<data-dir>/events.jsonl and its rotated files) or journal (journalctl -t openum). " +
                "Default: where `openum serve` with this data directory logs (its --log-target; events.jsonl under both)",
        };
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "After the last --last events, keep printing new ones as the server writes them, across rotation, until Ctrl+C " +
                "(one line per event; with --json one JSON object per line). Reads events.jsonl: a server logging to the journal is followed with journalctl -f -t openum",
        };
        var command = new Command("events", "Show the server's events, oldest first: from <data-dir>/events.jsonl and its rotated files " +
            "(events.1.jsonl is the newest of those), or from the systemd journal when the server runs with --log-target journald.\n" +
            "Example: openum events --id 1021") { id, last, source, follow };
        command.SetAction(async (result, ct) =>
        {
            var data = CliContext.Data(result);
            var target = EventLog.RecordedTarget(data);
            if (result.GetValue(source) is { } s)
            {
                if (s.Trim().Equals("journal", StringComparison.OrdinalIgnoreCase)) target = EventLogTarget.Journald;
                else if (s.Trim().Equals("file", StringComparison.OrdinalIgnoreCase)) target = EventLogTarget.File;
                else
                {
                    CommandConsole.Error.WriteLine($"error: --source: '{s}' is neither file nor journal.");
                    return 2;
                }
            }
            int? wanted = result.GetValue(id);
            int take = result.GetValue(last);
            if (take < 0)
            {
                CommandConsole.Error.WriteLine($"error: --last: {take} is negative (0 = all events).");
                return 2;
            }
            if (result.GetValue(follow))
            {
                if (target == EventLogTarget.Journald)
                {
                    CommandConsole.Error.WriteLine("error: --follow: the server logs to the systemd journal (--log-target journald): follow it with " +
                        $"journalctl -f -t openum -o json{(wanted is { } n ? $" EVENT_ID={n}" : "")}, or add --source file for events.jsonl.");
                    return 2;
                }
                await FollowAsync(data.EventLog, wanted, take, result.GetValue(CliContext.JsonOption), ct).ConfigureAwait(false);
                return 0;
            }
            List<JsonElement> events;
            if (target == EventLogTarget.Journald)
            {
                var (read, error) = JournalReader.Read(wanted, take);
                if (error is not null)
                {
                    CommandConsole.Error.WriteLine($"error: the events are in the systemd journal (openum serve --log-target journald), and {error}.\n" +
                        "Read them with journalctl (Debian package systemd) as root or a member of group systemd-journal:\n" +
                        $"  journalctl -t openum -o json{(wanted is { } n ? $" EVENT_ID={n}" : "")}\n" +
                        "Events written before the server switched to the journal: openum events --source file");
                    return 1;
                }
                events = read;
                if (events.Count == 0 && wanted is null)
                {
                    // journalctl says nothing when it finds no journal or may not read it: say what to check.
                    CommandConsole.Error.WriteLine("No OpenUM events in the systemd journal (journalctl -t openum finds none). The server logs " +
                        "there (--log-target journald); reading the system journal needs root or group systemd-journal, " +
                        "and journalctl must run where that journald runs.");
                    return 1;
                }
                if (EventLogFiles.Exist(data.EventLog))
                    CommandConsole.Error.WriteLine($"note: events from before the server logged to the journal are in {data.EventLog}: openum events --source file");
            }
            else
            {
                if (!EventLogFiles.Exist(data.EventLog))
                {
                    CommandConsole.Error.WriteLine($"No events yet: {data.EventLog} does not exist (has `openum serve` run with this --data-dir?).");
                    return 1;
                }
                events = EventLogFiles.ReadLast(data.EventLog, line => Parse(line, wanted), take).Select(e => e.RootElement).ToList();
            }
            if (result.GetValue(CliContext.JsonOption))
            {
                CommandConsole.Out.WriteLine(JsonSerializer.Serialize(events, CliContext.Json));
                return 0;
            }
            CliContext.Print(result, events,
                ("Time", e => e.TryGetProperty("time", out var t) ? t.GetString() : ""),
                ("Id", e => e.GetProperty("id").GetInt32()),
                ("Level", e => e.GetProperty("level").GetString()),
                ("Message", e => Shorten(e.GetProperty("message").GetString())));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// `--follow`: the last <paramref name="take"/> events (0 = all) of events.jsonl and, when it has fewer, of its rotated
    /// files; then each new event as it is written, until <paramref name="ct"/> (Ctrl+C). Waits for events.jsonl to appear.
    /// </summary>
    private static async Task FollowAsync(string path, int? wanted, int take, bool json, CancellationToken ct)
    {
        using var follow = new EventsFollow(path);
        var backlog = Matching(follow.ReadAvailable(), wanted);
        foreach (int n in EventLogFiles.RotatedNumbers(path))
        {
            if (take > 0 && backlog.Count >= take) break;
            try { backlog.InsertRange(0, Matching(File.ReadLines(EventLogFiles.RotatedPath(path, n)), wanted)); }
            catch (FileNotFoundException) { } // rotated away meanwhile
        }
        foreach (var e in take > 0 && backlog.Count > take ? backlog[^take..] : backlog) WriteLine(e, json);
        CommandConsole.Out.Flush();
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
                foreach (var e in Matching(follow.ReadAvailable(), wanted)) WriteLine(e, json);
                CommandConsole.Out.Flush();
            }
        }
        catch (OperationCanceledException) { }
    }

    private static List<JsonElement> Matching(IEnumerable<string> lines, int? wanted) =>
        [.. lines.Where(l => l.Length > 0).Select(l => Parse(l, wanted)).OfType<JsonDocument>().Select(d => d.RootElement)];

    private static readonly JsonSerializerOptions OneLine = new(CliContext.Json) { WriteIndented = false };

    private static void WriteLine(JsonElement e, bool json) => CommandConsole.Out.WriteLine(json
        ? JsonSerializer.Serialize(e, OneLine)
        : $"{(e.TryGetProperty("time", out var t) ? t.GetString() : "")}  {e.GetProperty("id").GetInt32()}  {e.GetProperty("level").GetString()}  {e.GetProperty("message").GetString()}");

    /// <summary>One events.jsonl line, when it is an event with the wanted ID; a line cut short by a crash is skipped.</summary>
    private static JsonDocument? Parse(string line, int? wanted)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(line); }
        catch (JsonException) { return null; }
        var e = doc.RootElement;
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("id", out var v) && v.TryGetInt32(out int n) && (wanted is null || n == wanted))
            return doc;
        doc.Dispose();
        return null;
    }

    /// <summary>Keeps table rows readable; --json has the whole message.</summary>
    private static string? Shorten(string? message) => message is { Length: > 200 } ? message[..197] + "..." : message;
}
