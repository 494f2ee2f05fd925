using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpenUM.Management;

namespace OpenUM.AdminApi.WebConsole;

/// <summary>The console's pages: each one replays a command (`status --json`, `calls list --json`, ...) and renders its answer.</summary>
internal sealed class ConsolePages(ConsoleEndpoint endpoint)
{
    /// <summary>Events shown by the Events page (the newest first).</summary>
    public const int EventCount = 100;

    private static readonly IReadOnlyDictionary<string, string> NoFields = new Dictionary<string, string>();
    private readonly ApiVerb _events = new("GET", "", ["events"], endpoint.Root.Subcommands.First(c => c.Name == "events"), KeyBinding.None, [0]);

    /// <summary>GET /console/: `openum status --json`, and the last hour's calls and refusals.</summary>
    public async Task StatusAsync(HttpContext context)
    {
        if (await endpoint.SessionAsync(context).ConfigureAwait(false) is not { } session) return;
        await ShowAsync(context, session, "Status", endpoint.Verb("GET", "/status")!, 0, ConsoleCharts.Compact(endpoint.History.Read())).ConfigureAwait(false);
    }

    /// <summary>GET /console/charts: calls, refusals and delivery latency per minute over the last six hours.</summary>
    public async Task ChartsAsync(HttpContext context)
    {
        if (await endpoint.SessionAsync(context).ConfigureAwait(false) is not { } session) return;
        await ConsoleEndpoint.Html(context, 200, ConsoleHtml.Page("Charts", ConsoleCharts.Page(endpoint.History.Read()), session, refreshSeconds: 60))
            .ConfigureAwait(false);
    }

    /// <summary>GET /console/calls: `openum calls list --json`.</summary>
    public Task CallsAsync(HttpContext context) => ShowAsync(context, "Active calls", endpoint.Verb("GET", "/calls")!, 5);

    /// <summary>GET /console/audit: `openum security audit --json`, each finding with the command that fixes it.</summary>
    public Task AuditAsync(HttpContext context) => ShowAsync(context, "Security audit", endpoint.Verb("GET", "/security/audit")!, 0);

    /// <summary>GET /console/events: the last events, newest first, the page reloading itself every 5 s.</summary>
    public async Task EventsAsync(HttpContext context)
    {
        if (await endpoint.SessionAsync(context).ConfigureAwait(false) is not { } session) return;
        var run = await endpoint.RunAsync(_events, new Dictionary<string, string> { ["last"] = EventCount.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            session, context.RequestAborted).ConfigureAwait(false);
        string body = run.ExitCode != 0 ? ConsoleHtml.Error(run.Error) : EventTable(run.Output);
        await ConsoleEndpoint.Html(context, 200, ConsoleHtml.Page("Events", body, session, refreshSeconds: 5)).ConfigureAwait(false);
    }

    /// <summary>GET /console/outbox: `openum outbox list --json`, with retry and purge.</summary>
    public async Task OutboxAsync(HttpContext context)
    {
        if (await endpoint.SessionAsync(context).ConfigureAwait(false) is not { } session) return;
        string message = context.Request.Query["done"].ToString();
        await ShowAsync(context, session, "Outbox", endpoint.Verb("GET", "/outbox")!, 0,
            (message.Length > 0 ? $"<p role=\"status\">{ConsoleHtml.E(message)}</p>" : "") +
            Action("retry", "Retry dead letters now", session) + Action("purge", "Purge dead letters", session)).ConfigureAwait(false);
    }

    /// <summary>POST /console/outbox/retry|purge: `openum outbox retry` / `openum outbox purge` (Admin scope).</summary>
    public async Task OutboxActionAsync(HttpContext context, string action)
    {
        if (await endpoint.PostAsync(context).ConfigureAwait(false) is not var (session, _)) return;
        if (!await AllowedAsync(context, session).ConfigureAwait(false)) return;
        var run = await endpoint.RunAsync(endpoint.Verb("POST", "/outbox/" + action)!, NoFields, session, context.RequestAborted).ConfigureAwait(false);
        string said = run.ExitCode == 0 ? $"outbox {action}: done." : run.Error.TrimEnd();
        await ConsoleEndpoint.Redirect(context, "/console/outbox?done=" + Uri.EscapeDataString(said)).ConfigureAwait(false);
    }

    /// <summary>GET /console/objects/{noun}: `openum NOUN get --json` and the form of `openum NOUN new`.</summary>
    public async Task ObjectsAsync(HttpContext context)
    {
        if (await endpoint.SessionAsync(context).ConfigureAwait(false) is not { } session) return;
        if (Noun(context) is not { } noun)
        {
            await ConsoleEndpoint.Html(context, 404, ConsoleHtml.Page("Not found", "<p>No such page.</p>", session)).ConfigureAwait(false);
            return;
        }
        await ObjectPageAsync(context, session, noun, 200, NoFields, null).ConfigureAwait(false);
    }

    /// <summary>POST /console/objects/{noun}: `openum NOUN new` with the form's non-empty fields; its errors shown next to the form.</summary>
    public async Task CreateAsync(HttpContext context)
    {
        if (await endpoint.PostAsync(context).ConfigureAwait(false) is not var (session, form)) return;
        if (Noun(context) is not { } noun || !await AllowedAsync(context, session).ConfigureAwait(false)) return;
        var fields = form.Where(f => f.Value.Length > 0).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var run = await endpoint.RunAsync(endpoint.Verb("POST", "/" + noun)!, fields, session, context.RequestAborted).ConfigureAwait(false);
        if (run.ExitCode == 0)
            await ConsoleEndpoint.Redirect(context, "/console/objects/" + noun).ConfigureAwait(false);
        else
            await ObjectPageAsync(context, session, noun, 400, fields, run.Error).ConfigureAwait(false);
    }

    /// <summary>GET /console/objects/{noun}/edit?key=K: `openum NOUN get K --json` and the form of `openum NOUN set K`.</summary>
    public async Task EditAsync(HttpContext context)
    {
        if (await endpoint.SessionAsync(context).ConfigureAwait(false) is not { } session) return;
        if (Noun(context) is not { } noun) return;
        await EditPageAsync(context, session, noun, context.Request.Query["key"].ToString(), 200, NoFields, null).ConfigureAwait(false);
    }

    /// <summary>POST /console/objects/{noun}/edit?key=K: `openum NOUN set K` with the fields given (a blank field keeps its value).</summary>
    public async Task ChangeAsync(HttpContext context)
    {
        if (await endpoint.PostAsync(context).ConfigureAwait(false) is not var (session, form)) return;
        if (Noun(context) is not { } noun || !await AllowedAsync(context, session).ConfigureAwait(false)) return;
        string key = context.Request.Query["key"].ToString();
        var fields = form.Where(f => f.Value.Length > 0).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var run = await endpoint.RunAsync(endpoint.Verb("PATCH", $"/{noun}/{{key}}")!, fields, session, context.RequestAborted, key).ConfigureAwait(false);
        if (run.ExitCode == 0)
            await ConsoleEndpoint.Redirect(context, $"/console/objects/{noun}/edit?key={Uri.EscapeDataString(key)}").ConfigureAwait(false);
        else
            await EditPageAsync(context, session, noun, key, 400, fields, run.Error).ConfigureAwait(false);
    }

    private async Task EditPageAsync(HttpContext context, ConsoleSession session, string noun, string key, int status,
        IReadOnlyDictionary<string, string> given, string? error)
    {
        var current = await endpoint.RunAsync(endpoint.Verb("GET", $"/{noun}/{{key}}")!, NoFields, session, context.RequestAborted, key).ConfigureAwait(false);
        if (current.ExitCode != 0)
        {
            await ConsoleEndpoint.Html(context, 404, ConsoleHtml.Page("Not found", ConsoleHtml.Error(current.Error), session)).ConfigureAwait(false);
            return;
        }
        var body = new StringBuilder(ConsoleHtml.Json(current.Output)).Append("<h2>Change</h2><p>A blank field keeps its value.</p>");
        if (error is not null) body.Append(ConsoleHtml.Error(error));
        body.Append(ConsoleHtml.Form($"/console/objects/{noun}/edit?key={Uri.EscapeDataString(key)}", $"openum {noun} set {key}",
            endpoint.Verb("PATCH", $"/{noun}/{{key}}")!.Fields, session, given, "Save"));
        await ConsoleEndpoint.Html(context, status, ConsoleHtml.Page($"{noun} {key}", body.ToString(), session)).ConfigureAwait(false);
    }

    // A GET form choosing the object to edit, by the key `NOUN new` names it with (--name, or --extension for mailboxes).
    private string EditChooser(string noun, string listJson)
    {
        string option = endpoint.Verb("POST", "/" + noun)!.Command.Options.First(o => o.Required && o.Name is "--name" or "--extension").Name[2..];
        using var document = JsonDocument.Parse(listJson);
        if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0) return "";
        var html = new StringBuilder($"<form method=\"get\" action=\"/console/objects/{noun}/edit\" class=\"inline\"><label for=\"edit-key\">Edit</label> ")
            .Append("<select id=\"edit-key\" name=\"key\">");
        foreach (var item in document.RootElement.EnumerateArray())
            if (item.TryGetProperty(option, out var key)) html.Append("<option>").Append(ConsoleHtml.E(ConsoleHtml.Scalar(key))).Append("</option>");
        return html.Append("</select> <button type=\"submit\">Open</button></form>").ToString();
    }

    private async Task ObjectPageAsync(HttpContext context, ConsoleSession session, string noun, int status, IReadOnlyDictionary<string, string> given, string? error)
    {
        string title = ConsoleHtml.Nav.First(n => n.Path == "objects/" + noun).Title;
        var list = await endpoint.RunAsync(endpoint.Verb("GET", "/" + noun)!, NoFields, session, context.RequestAborted).ConfigureAwait(false);
        var create = endpoint.Verb("POST", "/" + noun)!;
        var body = new StringBuilder(list.ExitCode == 0 ? ConsoleHtml.Json(list.Output) + EditChooser(noun, list.Output) : ConsoleHtml.Error(list.Error));
        body.Append("<h2>New</h2>");
        if (error is not null) body.Append(ConsoleHtml.Error(error));
        body.Append(ConsoleHtml.Form("/console/objects/" + noun, $"openum {noun} new", create.Fields, session, given));
        await ConsoleEndpoint.Html(context, status, ConsoleHtml.Page(title, body.ToString(), session)).ConfigureAwait(false);
    }

    private async Task ShowAsync(HttpContext context, string title, ApiVerb verb, int refreshSeconds)
    {
        if (await endpoint.SessionAsync(context).ConfigureAwait(false) is not { } session) return;
        await ShowAsync(context, session, title, verb, refreshSeconds, "").ConfigureAwait(false);
    }

    private async Task ShowAsync(HttpContext context, ConsoleSession session, string title, ApiVerb verb, int refreshSeconds, string after)
    {
        var run = await endpoint.RunAsync(verb, NoFields, session, context.RequestAborted).ConfigureAwait(false);
        string body = verb.SuccessCodes.Contains(run.ExitCode)
            ? (run.Output.TrimStart().StartsWith('[') || run.Output.TrimStart().StartsWith('{') ? ConsoleHtml.Json(run.Output) : $"<p>{ConsoleHtml.E(run.Output)}</p>")
            : ConsoleHtml.Error(run.Error);
        await ConsoleEndpoint.Html(context, 200, ConsoleHtml.Page(title, body + after, session, refreshSeconds)).ConfigureAwait(false);
    }

    private async Task<bool> AllowedAsync(HttpContext context, ConsoleSession session)
    {
        if (session.Principal.Scope == AdminScope.Admin) return true;
        endpoint.Forbidden(session, context);
        await ConsoleEndpoint.Html(context, 403, ConsoleHtml.Page("Refused",
            $"<p>{ConsoleHtml.E(session.Principal.Actor)} has a {session.Principal.Scope} token: it may read, not change.</p>", session)).ConfigureAwait(false);
        return false;
    }

    private static string? Noun(HttpContext context) =>
        context.Request.RouteValues["noun"] as string is { } noun && ApiRoutes.ObjectNouns.Contains(noun) ? noun : null;

    private static string Action(string action, string label, ConsoleSession session) =>
        $"<form method=\"post\" action=\"/console/outbox/{action}\" class=\"inline\">{ConsoleHtml.Csrf(session)}<button type=\"submit\">{ConsoleHtml.E(label)}</button></form>";

    // Events as a table of time, ID, level, name and message, newest first; every event's row says its ID in data-event-id.
    private static string EventTable(string json)
    {
        using var document = JsonDocument.Parse(json);
        var html = new StringBuilder("<p>The last ").Append(EventCount).Append(" events, newest first; this page reloads every 5 s.</p>")
            .Append("<div class=\"scroll\"><table id=\"events\"><thead><tr><th scope=\"col\">Time</th><th scope=\"col\">ID</th><th scope=\"col\">Level</th>")
            .Append("<th scope=\"col\">Name</th><th scope=\"col\">Message</th></tr></thead><tbody>");
        foreach (var e in document.RootElement.EnumerateArray().Reverse())
        {
            string Text(string name) => e.TryGetProperty(name, out var v) ? ConsoleHtml.Scalar(v) : "";
            html.Append("<tr data-event-id=\"").Append(WebUtility.HtmlEncode(Text("id"))).Append("\"><td>").Append(ConsoleHtml.E(Text("time")))
                .Append("</td><td>").Append(ConsoleHtml.E(Text("id"))).Append("</td><td>").Append(ConsoleHtml.E(Text("level")))
                .Append("</td><td>").Append(ConsoleHtml.E(Text("name"))).Append("</td><td>").Append(ConsoleHtml.E(Text("message"))).Append("</td></tr>");
        }
        return html.Append("</tbody></table></div>").ToString();
    }
}
