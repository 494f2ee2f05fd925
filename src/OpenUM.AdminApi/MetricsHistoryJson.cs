using System.Text.Json;
using System.Text.Json.Nodes;
using OpenUM.Server.Metrics;

namespace OpenUM.AdminApi;

/// <summary>
/// GET /api/v1/metrics/history: what the console's charts draw, as JSON. Not a command of `openum` (the history lives in
/// the server's memory), so it is written here and described by hand in the OpenAPI document.
/// </summary>
internal static class MetricsHistoryJson
{
    /// <summary>The endpoint's route.</summary>
    public const string Route = ApiRoutes.Prefix + "/metrics/history";

    /// <summary>The window of <paramref name="minutes"/> and its non-empty minutes, oldest first.</summary>
    public static string Write(MetricsMinute[] minutes)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("from", minutes[0].Start.UtcDateTime);
            json.WriteString("to", minutes[^1].Start.AddMinutes(1).UtcDateTime);
            json.WriteNumber("minuteSeconds", 60);
            json.WriteStartArray("minutes");
            foreach (var m in minutes)
            {
                if (m.IsEmpty) continue;
                json.WriteStartObject();
                json.WriteString("start", m.Start.UtcDateTime);
                json.WriteNumber("calls", m.Calls);
                json.WriteNumber("answered", m.Answered);
                json.WriteNumber("refusals", m.Refusals);
                json.WriteNumber("maildirDeliveries", m.MaildirDeliveries);
                json.WriteNumber("smtpDeliveries", m.SmtpDeliveries);
                json.WriteNumber("latencyMeanSeconds", Math.Round(m.LatencyMeanSeconds, 6));
                json.WriteNumber("latencyMaxSeconds", Math.Round(m.LatencyMaxSeconds, 6));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }

    /// <summary>The endpoint's entry in the OpenAPI document.</summary>
    public static JsonObject Operation()
    {
        static JsonObject Integer(string what) => new() { ["type"] = "integer", ["description"] = what };
        static JsonObject Number(string what) => new() { ["type"] = "number", ["description"] = what };
        static JsonObject Problem(string what) => new()
        {
            ["description"] = what,
            ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Problem" } } },
        };
        static JsonObject Time(string what) => new() { ["type"] = "string", ["format"] = "date-time", ["description"] = what };
        var minute = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["start"] = Time("The minute's start (UTC)."),
                ["calls"] = Integer("INVITEs decided in the minute: answered, refused or failed (openum.calls)."),
                ["answered"] = Integer("Of those, answered."),
                ["refusals"] = Integer("Connections and calls refused, every reason (openum.refusals)."),
                ["maildirDeliveries"] = Integer("Voice messages delivered into a maildir (openum.maildir.latency)."),
                ["smtpDeliveries"] = Integer("Voice messages accepted by the smart host (openum.outbox.latency)."),
                ["latencyMeanSeconds"] = Number("Mean delivery latency of the minute's deliveries of both kinds, 0 without any."),
                ["latencyMaxSeconds"] = Number("The longest of them."),
            },
        };
        return new JsonObject
        {
            ["operationId"] = "metrics-history",
            ["summary"] = "Calls, refusals and delivery latency per minute over the last six hours",
            ["description"] = "Kept in the server's memory from its start (not a command of `openum`): the data of the web console's " +
                "Charts page. Minutes without anything are left out; `from` and `to` give the window. Any scope may read it.",
            ["responses"] = new JsonObject
            {
                ["200"] = new JsonObject
                {
                    ["description"] = "The window and its non-empty minutes, oldest first.",
                    ["content"] = new JsonObject
                    {
                        ["application/json"] = new JsonObject
                        {
                            ["schema"] = new JsonObject
                            {
                                ["type"] = "object",
                                ["properties"] = new JsonObject
                                {
                                    ["from"] = Time("Start of the oldest minute of the window."),
                                    ["to"] = Time("End of the current minute."),
                                    ["minuteSeconds"] = Integer("60."),
                                    ["minutes"] = new JsonObject { ["type"] = "array", ["items"] = minute },
                                },
                            },
                        },
                    },
                },
                ["401"] = Problem("No or unknown credentials."),
                ["429"] = Problem("Too many requests (see Retry-After)."),
            },
        };
    }
}
