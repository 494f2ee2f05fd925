using System.Net;
using System.Text;
using System.Text.Json;

namespace OpenUM.AdminApi.WebConsole;

/// <summary>
/// The console's HTML: one layout (nav bar, main), the commands' --json output rendered as tables and definition lists
/// (every value with a data-field naming its JSON path); the forms are <see cref="ObjectForm"/>'s. Everything written is
/// HTML-encoded; no script, no inline style.
/// </summary>
internal static class ConsoleHtml
{
    /// <summary>The pages of the nav bar: path under /console/ and title.</summary>
    public static readonly (string Path, string Title)[] Nav =
    [
        ("", "Status"), ("calls", "Active calls"), ("charts", "Charts"), ("objects/dialplan", "Dial plans"), ("objects/gateway", "IP gateways"),
        ("objects/huntgroup", "Hunt groups"), ("objects/mailboxpolicy", "Mailbox policies"), ("objects/mailbox", "Mailboxes"),
        ("objects/autoattendant", "Auto attendants"), ("certificates", "Certificates"), ("outbox", "Outbox"), ("events", "Events"), ("audit", "Security audit"),
    ];

    /// <summary>HTML-encodes <paramref name="text"/>.</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A whole page: head (viewport, the stylesheet, an optional refresh), nav bar (unless signed out), main.</summary>
    public static string Page(string title, string body, ConsoleSession? session, int refreshSeconds = 0)
    {
        var html = new StringBuilder("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append(" - OpenUM</title><link rel=\"stylesheet\" href=\"/console/console.css\">")
            .Append("<link rel=\"icon\" href=\"/console/favicon.svg\" type=\"image/svg+xml\">");
        if (refreshSeconds > 0) html.Append("<meta http-equiv=\"refresh\" content=\"").Append(refreshSeconds).Append("\">");
        html.Append("</head><body>");
        if (session is not null)
        {
            html.Append("<header><nav aria-label=\"Main\"><ul>");
            foreach (var (path, name) in Nav) html.Append("<li><a href=\"/console/").Append(path).Append("\">").Append(E(name)).Append("</a></li>");
            html.Append("</ul></nav><form method=\"post\" action=\"/console/logout\">").Append(Csrf(session))
                .Append("<span>").Append(E(session.Principal.Actor)).Append(" (").Append(session.Principal.Scope).Append(")</span> ")
                .Append("<button type=\"submit\">Sign out</button></form></header>");
        }
        return html.Append("<main><h1>").Append(E(title)).Append("</h1>").Append(body).Append("</main></body></html>").ToString();
    }

    /// <summary>The hidden anti-CSRF field every form of a session carries.</summary>
    public static string Csrf(ConsoleSession session) => $"<input type=\"hidden\" name=\"{ConsoleEndpoint.CsrfField}\" value=\"{E(session.Csrf)}\">";

    /// <summary>What the session's last change said (the command's own output), once, as a status line; "" when nothing waits.</summary>
    public static string Said(ConsoleSession session) =>
        session.TakeSaid() is { Length: > 0 } said ? $"<p role=\"status\">{E(said)}</p>" : "";

    /// <summary>An error as `openum` printed it, next to the form it belongs to.</summary>
    public static string Error(string text) => $"<pre class=\"error\" role=\"alert\" id=\"errors\">{E(text.TrimEnd())}</pre>";

    /// <summary>A command's --json output: arrays of objects as tables, objects as definition lists, values with data-field.</summary>
    public static string Json(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var html = new StringBuilder();
            Render(html, document.RootElement, "");
            return html.ToString();
        }
        catch (JsonException)
        {
            return $"<pre>{E(json)}</pre>";
        }
    }

    private static void Render(StringBuilder html, JsonElement value, string path)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                html.Append("<dl>");
                foreach (var p in value.EnumerateObject())
                {
                    html.Append("<dt>").Append(E(p.Name)).Append("</dt><dd>");
                    Render(html, p.Value, path.Length == 0 ? p.Name : path + "." + p.Name);
                    html.Append("</dd>");
                }
                html.Append("</dl>");
                break;
            case JsonValueKind.Array when value.GetArrayLength() > 0 && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Object):
                Table(html, value, path);
                break;
            case JsonValueKind.Array:
                html.Append("<ul>");
                int i = 0;
                foreach (var v in value.EnumerateArray())
                {
                    html.Append("<li>");
                    Render(html, v, $"{path}.{i++}");
                    html.Append("</li>");
                }
                html.Append("</ul>");
                break;
            default:
                html.Append("<span data-field=\"").Append(E(path)).Append("\">").Append(E(Scalar(value))).Append("</span>");
                break;
        }
    }

    // Columns: every property of any row, in order of first appearance.
    private static void Table(StringBuilder html, JsonElement rows, string path)
    {
        var columns = rows.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Distinct().ToList();
        html.Append("<div class=\"scroll\"><table><thead><tr>");
        foreach (string c in columns) html.Append("<th scope=\"col\">").Append(E(c)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        int i = 0;
        foreach (var row in rows.EnumerateArray())
        {
            html.Append("<tr>");
            foreach (string c in columns)
            {
                html.Append("<td>");
                if (row.TryGetProperty(c, out var cell)) Render(html, cell, $"{(path.Length == 0 ? "" : path + ".")}{i}.{c}");
                html.Append("</td>");
            }
            html.Append("</tr>");
            i++;
        }
        html.Append("</tbody></table></div>");
    }

    /// <summary>A JSON scalar as text: strings as they are, everything else as written.</summary>
    public static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => "",
        _ => value.GetRawText(),
    };
}
