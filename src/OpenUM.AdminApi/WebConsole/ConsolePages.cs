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
        await ShowAsync(context, session, "Outbox", endpoint.Verb("GET", "/outbox")!, 0, ConsoleHtml.Said(session) +
            (session.Principal.Scope == AdminScope.Admin ? Action("retry", "Retry dead letters now", session) + Action("purge", "Purge dead letters", session) : "")).ConfigureAwait(false);
    }

    /// <summary>POST /console/outbox/retry|purge: `openum outbox retry` / `openum outbox purge` (Admin scope).</summary>
    public async Task OutboxActionAsync(HttpContext context, string action)
    {
        if (await endpoint.PostAsync(context).ConfigureAwait(false) is not var (session, _)) return;
        if (!await endpoint.AdminAsync(context, session).ConfigureAwait(false)) return;
        var run = await endpoint.RunAsync(endpoint.Verb("POST", "/outbox/" + action)!, NoFields, session, context.RequestAborted).ConfigureAwait(false);
        string said = run.ExitCode == 0 ? $"outbox {action}: done." : run.Error.TrimEnd();
        session.Say(said);
        await ConsoleEndpoint.Redirect(context, "/console/outbox").ConfigureAwait(false);
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
