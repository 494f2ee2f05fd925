using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using OpenUM.Management;

namespace OpenUM.AdminApi.WebConsole;

/// <summary>
/// The pages of the configuration objects: the list with the form of `NOUN new`, one object with the form of `NOUN set`,
/// its Remove (after a confirmation page) and its other verbs (`autoattendant enable|disable`) as buttons. Only an Admin
/// session sees the buttons; a ReadOnly one that posts anyway gets 403.
/// </summary>
internal sealed partial class ObjectPages(ConsoleEndpoint endpoint)
{
    private static readonly IReadOnlyDictionary<string, string> NoFields = new Dictionary<string, string>();

    /// <summary>GET /console/objects/{noun}: `openum NOUN get --json`, a chooser to open or remove one, and the form of `openum NOUN new`.</summary>
    public async Task ListAsync(HttpContext context)
    {
        if (await endpoint.SessionAsync(context).ConfigureAwait(false) is not { } session) return;
        if (await NounAsync(context, session).ConfigureAwait(false) is not { } noun) return;
        await ListPageAsync(context, session, noun, 200, NoFields, null).ConfigureAwait(false);
    }

    /// <summary>POST /console/objects/{noun}: `openum NOUN new` with the form's non-empty fields; its errors shown next to the form.</summary>
    public async Task CreateAsync(HttpContext context)
    {
        if (await endpoint.PostAsync(context).ConfigureAwait(false) is not var (session, form)) return;
        if (await NounAsync(context, session).ConfigureAwait(false) is not { } noun || !await endpoint.AdminAsync(context, session).ConfigureAwait(false)) return;
        var fields = form.Where(f => f.Value.Length > 0).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var run = await endpoint.RunAsync(endpoint.Verb("POST", "/" + noun)!, fields, session, context.RequestAborted).ConfigureAwait(false);
        if (run.ExitCode == 0)
            await ConsoleEndpoint.Redirect(context, "/console/objects/" + noun).ConfigureAwait(false);
        else
            await ListPageAsync(context, session, noun, 400, fields, run).ConfigureAwait(false);
    }

    /// <summary>GET /console/objects/{noun}/edit?key=K: `openum NOUN get K --json`, its buttons, and the form of `openum NOUN set K` showing the current values.</summary>
    public async Task EditAsync(HttpContext context)
    {
        if (await endpoint.SessionAsync(context).ConfigureAwait(false) is not { } session) return;
        if (await NounAsync(context, session).ConfigureAwait(false) is not { } noun) return;
        await EditPageAsync(context, session, noun, Key(context), 200, NoFields, NoFields, null).ConfigureAwait(false);
    }

    /// <summary>POST /console/objects/{noun}/edit?key=K: `openum NOUN set K` with the fields changed from what the form showed ("" clears).</summary>
    public async Task ChangeAsync(HttpContext context)
    {
        if (await endpoint.PostAsync(context).ConfigureAwait(false) is not var (session, form)) return;
        if (await NounAsync(context, session).ConfigureAwait(false) is not { } noun || !await endpoint.AdminAsync(context, session).ConfigureAwait(false)) return;
        string key = Key(context);
        if (endpoint.Verb("PATCH", $"/{noun}/{{key}}") is not { } set)
        {
            await ConsoleEndpoint.Html(context, 404, ConsoleHtml.Page("Not found", $"<p>`openum {noun}` has no set.</p>", session)).ConfigureAwait(false);
            return;
        }
        var changed = ObjectForm.Changed(form, set.Fields);
        var run = changed.Count == 0 ? null : await endpoint.RunAsync(set, changed, session, context.RequestAborted, key).ConfigureAwait(false);
        if (run is null || run.ExitCode == 0)
        {
            string said = run is null ? "Nothing changed." : $"Saved {string.Join(", ", changed.Keys.Order(StringComparer.Ordinal))}.";
            session.Say(said);
            await ConsoleEndpoint.Redirect(context, EditPath(noun, key)).ConfigureAwait(false);
            return;
        }
        var shown = form.Where(f => f.Key.StartsWith(ObjectForm.WasPrefix, StringComparison.Ordinal))
            .ToDictionary(f => f.Key[ObjectForm.WasPrefix.Length..], f => f.Value, StringComparer.Ordinal);
        var typed = form.Where(f => !f.Key.StartsWith(ObjectForm.WasPrefix, StringComparison.Ordinal)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        await EditPageAsync(context, session, noun, key, 400, typed, shown, run).ConfigureAwait(false);
    }

    /// <summary>GET /console/objects/{noun}/remove?key=K: "Remove dial plan K?" with Remove and Cancel (no script, so a page of its own).</summary>
    public async Task ConfirmRemoveAsync(HttpContext context)
    {
        if (await endpoint.SessionAsync(context).ConfigureAwait(false) is not { } session) return;
        if (await NounAsync(context, session).ConfigureAwait(false) is not { } noun || !await endpoint.AdminAsync(context, session).ConfigureAwait(false)) return;
        await RemovePageAsync(context, session, noun, Key(context), 200, null).ConfigureAwait(false);
    }

    /// <summary>POST /console/objects/{noun}/remove?key=K: `openum NOUN remove K`; a refusal shown on the confirmation page.</summary>
    public async Task RemoveAsync(HttpContext context)
    {
        if (await endpoint.PostAsync(context).ConfigureAwait(false) is not var (session, _)) return;
        if (await NounAsync(context, session).ConfigureAwait(false) is not { } noun || !await endpoint.AdminAsync(context, session).ConfigureAwait(false)) return;
        string key = Key(context);
        var run = await endpoint.RunAsync(endpoint.Verb("DELETE", $"/{noun}/{{key}}")!, NoFields, session, context.RequestAborted, key).ConfigureAwait(false);
        if (run.ExitCode == 0)
        {
            session.Say(run.Output.Trim());
            await ConsoleEndpoint.Redirect(context, $"/console/objects/{noun}").ConfigureAwait(false);
        }
        else
            await RemovePageAsync(context, session, noun, key, 400, run.Error).ConfigureAwait(false);
    }

    /// <summary>POST /console/objects/{noun}/{verb}?key=K: another verb of the object (`openum autoattendant enable K`).</summary>
    public async Task ActAsync(HttpContext context)
    {
        if (await endpoint.PostAsync(context).ConfigureAwait(false) is not var (session, _)) return;
        if (await NounAsync(context, session).ConfigureAwait(false) is not { } noun || !await endpoint.AdminAsync(context, session).ConfigureAwait(false)) return;
        string key = Key(context);
        if (endpoint.Verb("POST", $"/{noun}/{{key}}/{context.Request.RouteValues["verb"]}") is not { } verb)
        {
            await ConsoleEndpoint.Html(context, 404, ConsoleHtml.Page("Not found", "<p>No such action.</p>", session)).ConfigureAwait(false);
            return;
        }
        var run = await endpoint.RunAsync(verb, NoFields, session, context.RequestAborted, key).ConfigureAwait(false);
        if (run.ExitCode == 0)
        {
            session.Say(run.Output.Trim());
            await ConsoleEndpoint.Redirect(context, EditPath(noun, key)).ConfigureAwait(false);
        }
        else
            await EditPageAsync(context, session, noun, key, 400, NoFields, NoFields, run).ConfigureAwait(false);
    }

    private async Task ListPageAsync(HttpContext context, ConsoleSession session, string noun, int status, IReadOnlyDictionary<string, string> given, CommandRun? failed)
    {
        string title = ConsoleHtml.Nav.First(n => n.Path == "objects/" + noun).Title;
        var list = await endpoint.RunAsync(endpoint.Verb("GET", "/" + noun)!, NoFields, session, context.RequestAborted).ConfigureAwait(false);
        var body = new StringBuilder(ConsoleHtml.Said(session));
        body.Append(list.ExitCode == 0 ? ConsoleHtml.Json(list.Output) + Chooser(noun, list.Output, session) : ConsoleHtml.Error(list.Error));
        if (Admin(session))
        {
            body.Append("<h2>New</h2>");
            if (failed is not null) body.Append(ConsoleHtml.Error(failed.Error));
            body.Append(ObjectForm.Html("/console/objects/" + noun, $"openum {noun} new", endpoint.Verb("POST", "/" + noun)!.Fields, session, given, null,
                failed?.Errors ?? [], "Create"));
        }
        await ConsoleEndpoint.Html(context, status, ConsoleHtml.Page(title, body.ToString(), session)).ConfigureAwait(false);
    }

    private async Task EditPageAsync(HttpContext context, ConsoleSession session, string noun, string key, int status,
        IReadOnlyDictionary<string, string> given, IReadOnlyDictionary<string, string> shown, CommandRun? failed)
    {
        var current = await endpoint.RunAsync(endpoint.Verb("GET", $"/{noun}/{{key}}")!, NoFields, session, context.RequestAborted, key).ConfigureAwait(false);
        if (current.ExitCode != 0)
        {
            await ConsoleEndpoint.Html(context, 404, ConsoleHtml.Page("Not found", ConsoleHtml.Error(current.Error), session)).ConfigureAwait(false);
            return;
        }
        var body = new StringBuilder(ConsoleHtml.Said(session));
        if (failed is not null) body.Append(ConsoleHtml.Error(failed.Error));
        body.Append(ConsoleHtml.Json(current.Output));
        if (Admin(session))
        {
            body.Append("<div class=\"actions\">");
            foreach (var verb in endpoint.Actions(noun))
            {
                string name = verb.Path[^1];
                body.Append("<form method=\"post\" action=\"/console/objects/").Append(noun).Append('/').Append(name).Append("?key=").Append(ConsoleHtml.E(Uri.EscapeDataString(key)))
                    .Append("\">").Append(ConsoleHtml.Csrf(session)).Append("<button type=\"submit\">").Append(char.ToUpperInvariant(name[0])).Append(ConsoleHtml.E(name[1..]))
                    .Append("</button></form>");
            }
            body.Append("<a class=\"button\" href=\"").Append(ConsoleHtml.E(RemovePath(noun, key))).Append("\">Remove…</a></div>");
            // No `set` (a hunt group, as Exchange had no Set-UMHuntGroup): it is removed and made again.
            if (endpoint.Verb("PATCH", $"/{noun}/{{key}}") is { } set)
            {
                var values = ObjectForm.Current(set.Fields, current.Output);
                foreach (var (name, value) in shown) values[name] = value;
                body.Append("<h2>Change</h2><p>Each field shows the current value (one left empty could not be shown as the option takes it; " +
                    "the value is above). Only the fields you change are sent; empty one to clear it.</p>");
                body.Append(ObjectForm.Html(EditPath(noun, key), $"openum {noun} set {key}", set.Fields, session, given, values, failed?.Errors ?? [], "Save"));
            }
        }
        await ConsoleEndpoint.Html(context, status, ConsoleHtml.Page($"{Title(noun, capital: true)} {key}", body.ToString(), session)).ConfigureAwait(false);
    }

    private async Task RemovePageAsync(HttpContext context, ConsoleSession session, string noun, string key, int status, string? error)
    {
        var body = new StringBuilder();
        if (error is not null) body.Append(ConsoleHtml.Error(error));
        body.Append("<p>This runs <code>openum ").Append(noun).Append(" remove ").Append(ConsoleHtml.E(key)).Append("</code>.</p>")
            .Append("<form method=\"post\" action=\"").Append(ConsoleHtml.E(RemovePath(noun, key))).Append("\" class=\"actions\">").Append(ConsoleHtml.Csrf(session))
            .Append("<button type=\"submit\">Remove</button> <a class=\"button\" href=\"").Append(ConsoleHtml.E(EditPath(noun, key))).Append("\">Cancel</a></form>");
        await ConsoleEndpoint.Html(context, status, ConsoleHtml.Page($"Remove {Title(noun, capital: false)} {key}?", body.ToString(), session)).ConfigureAwait(false);
    }

    // A GET form choosing the object to open or remove, by the key `NOUN new` names it with (--name, or --extension for mailboxes).
    private string Chooser(string noun, string listJson, ConsoleSession session)
    {
        string option = endpoint.Verb("POST", "/" + noun)!.Command.Options.First(o => o.Required && o.Name is "--name" or "--extension").Name[2..];
        using var document = JsonDocument.Parse(listJson);
        if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0) return "";
        var html = new StringBuilder($"<form method=\"get\" action=\"/console/objects/{noun}/edit\" class=\"actions\"><label for=\"edit-key\">{ConsoleHtml.E(option)}</label> ")
            .Append("<select id=\"edit-key\" name=\"key\">");
        foreach (var item in document.RootElement.EnumerateArray())
            if (item.TryGetProperty(option, out var key)) html.Append("<option>").Append(ConsoleHtml.E(ConsoleHtml.Scalar(key))).Append("</option>");
        html.Append("</select> <button type=\"submit\">Open</button>");
        if (Admin(session)) html.Append(" <button type=\"submit\" formaction=\"/console/objects/").Append(noun).Append("/remove\">Remove…</button>");
        return html.Append("</form>").ToString();
    }

    // The object's title as the CLI's `NOUN remove` says it ("Remove a dial plan." -> "dial plan").
    private string Title(string noun, bool capital)
    {
        string line = endpoint.Verb("DELETE", $"/{noun}/{{key}}")!.Command.Description?.Split('\n')[0] ?? "";
        string title = RemoveLine().Match(line) is { Success: true } m ? m.Groups[1].Value : noun;
        return capital ? char.ToUpperInvariant(title[0]) + title[1..] : title;
    }


    private static bool Admin(ConsoleSession session) => session.Principal.Scope == AdminScope.Admin;

    private static string Key(HttpContext context) => context.Request.Query["key"].ToString();

    private static string EditPath(string noun, string key) => $"/console/objects/{noun}/edit?key={Uri.EscapeDataString(key)}";

    private static string RemovePath(string noun, string key) => $"/console/objects/{noun}/remove?key={Uri.EscapeDataString(key)}";

    // The {noun} of the route, or null once 404 has been answered.
    private static async Task<string?> NounAsync(HttpContext context, ConsoleSession session)
    {
        if (context.Request.RouteValues["noun"] as string is { } noun && ApiRoutes.ObjectNouns.Contains(noun)) return noun;
        await ConsoleEndpoint.Html(context, 404, ConsoleHtml.Page("Not found", "<p>No such page.</p>", session)).ConfigureAwait(false);
        return null;
    }

    [GeneratedRegex("^Remove an? (.+)\\.$")]
    private static partial Regex RemoveLine();
}
