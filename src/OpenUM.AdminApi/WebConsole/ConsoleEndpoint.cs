using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;
using OpenUM.Management;
using OpenUM.Server.Metrics;

namespace OpenUM.AdminApi.WebConsole;

/// <summary>
/// The web console under /console/: server-rendered pages whose data come from the same command replay as the API
/// (so console, API and CLI cannot differ). Sign-in by token or trusted client certificate makes an in-memory session
/// (a __Host- cookie: Secure, HttpOnly, SameSite=Strict); every POST checks the Origin and the session's anti-CSRF token.
/// </summary>
internal sealed class ConsoleEndpoint(CommandRunner runner, IReadOnlyList<ApiVerb> verbs, ApiAuthentication authentication, AdminApiSettings settings,
    ConsoleSessions sessions, MetricsHistory history)
{
    /// <summary>The session cookie (the __Host- prefix: Secure, Path=/, no Domain, so no other host can set it).</summary>
    public const string CookieName = "__Host-openum-session";

    /// <summary>The hidden form field carrying the anti-CSRF token.</summary>
    public const string CsrfField = "csrf";

    /// <summary>The policy of every console answer: the stylesheet from here, nothing else, no framing, forms only to here.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static readonly byte[] Css = ReadCss();

    // Declared by every page, so the browser never asks for a /favicon.ico that is not there (a console error).
    private const string Icon = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\"><rect width=\"16\" height=\"16\" rx=\"3\" fill=\"#1f3a5f\"/></svg>";
    // The API's verbs by method and route (the console finds the one a page needs on every request).
    private readonly Dictionary<(string Method, string Route), ApiVerb> _verbs = verbs.ToDictionary(v => (v.Method, v.Route));

    /// <summary>Maps the console's routes on <paramref name="app"/>.</summary>
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/console/console.css", async context =>
        {
            Headers(context);
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.ContentType = "text/css; charset=utf-8";
            await context.Response.Body.WriteAsync(Css, context.RequestAborted).ConfigureAwait(false);
        });
        app.MapGet("/console/favicon.svg", context =>
        {
            Headers(context);
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.ContentType = "image/svg+xml";
            return context.Response.WriteAsync(Icon, context.RequestAborted);
        });
        app.MapGet("/console/login", context => Current(context) is not null
            ? Redirect(context, "/console/") : Html(context, 200, ConsoleHtml.Page("Sign in", LoginForm(context, null), null)));
        app.MapPost("/console/login", SignInAsync);
        app.MapPost("/console/logout", async context =>
        {
            if (await PostAsync(context) is not var (session, _)) return;
            sessions.Remove(session.Id);
            context.Response.Cookies.Delete(CookieName, CookieOptions(context));
            await Redirect(context, "/console/login").ConfigureAwait(false);
        });
        var pages = new ConsolePages(this);
        app.MapGet("/console/", pages.StatusAsync);
        app.MapGet("/console/calls", pages.CallsAsync);
        app.MapGet("/console/charts", pages.ChartsAsync);
        app.MapGet("/console/events", pages.EventsAsync);
        app.MapGet("/console/audit", pages.AuditAsync);
        app.MapGet("/console/outbox", pages.OutboxAsync);
        // Two routes, not a regex constraint: the slim builder leaves regex routing out.
        app.MapPost("/console/outbox/retry", context => pages.OutboxActionAsync(context, "retry"));
        app.MapPost("/console/outbox/purge", context => pages.OutboxActionAsync(context, "purge"));
        var certificates = new ConsoleCertificates(this);
        app.MapGet("/console/certificates", certificates.PageAsync);
        app.MapPost("/console/certificates/request", certificates.RequestAsync);
        var objects = new ObjectPages(this);
        app.MapGet("/console/objects/{noun}", objects.ListAsync);
        app.MapPost("/console/objects/{noun}", objects.CreateAsync);
        app.MapGet("/console/objects/{noun}/edit", objects.EditAsync);
        app.MapPost("/console/objects/{noun}/edit", objects.ChangeAsync);
        app.MapGet("/console/objects/{noun}/remove", objects.ConfirmRemoveAsync);
        app.MapPost("/console/objects/{noun}/remove", objects.RemoveAsync);
        // Literal segments win over {verb}: edit and remove above, any other verb of the noun (enable, disable) here.
        app.MapPost("/console/objects/{noun}/{verb}", objects.ActAsync);
    }

    /// <summary>The per-minute history the Charts page draws (not a command: it lives in the server's memory).</summary>
    public MetricsHistory History => history;

    /// <summary>The command tree the pages replay through.</summary>
    public System.CommandLine.RootCommand Root => runner.Root;

    /// <summary>The API verb of <paramref name="method"/> <paramref name="route"/> (under /api/v1).</summary>
    public ApiVerb? Verb(string method, string route) => _verbs.GetValueOrDefault((method, ApiRoutes.Prefix + route));

    /// <summary>The verbs of <paramref name="noun"/> other than new/set/get/remove (`autoattendant enable|disable`).</summary>
    public IEnumerable<ApiVerb> Actions(string noun) =>
        _verbs.Values.Where(v => v.Method == "POST" && v.Route.StartsWith($"{ApiRoutes.Prefix}/{noun}/{{key}}/", StringComparison.Ordinal));

    /// <summary>
    /// Replays <paramref name="verb"/> with <paramref name="fields"/> as <paramref name="session"/>'s principal: the API's own
    /// path. A multi-valued option's field holds one value a line (a text area).
    /// </summary>
    public Task<CommandRun> RunAsync(ApiVerb verb, IReadOnlyDictionary<string, string> fields, ConsoleSession session, CancellationToken ct,
        string? key = null)
    {
        var lists = verb.Fields.Where(ObjectForm.IsList).Select(o => o.Name[2..]).ToHashSet(StringComparer.Ordinal);
        return RunAsync(verb, fields.ToDictionary(f => f.Key, f => lists.Contains(f.Key) ? ObjectForm.Lines(f.Value) : new StringValues(f.Value)),
            session, ct, key);
    }

    /// <summary>Replays <paramref name="verb"/> with fields of several values each (one option per value).</summary>
    public async Task<CommandRun> RunAsync(ApiVerb verb, IReadOnlyDictionary<string, StringValues> fields, ConsoleSession session, CancellationToken ct,
        string? key = null)
    {
        var query = new QueryCollection(fields.ToDictionary());
        var (tokens, refused) = RequestTokens.Build(verb, key, null, query, settings);
        if (tokens is null) return new CommandRun(2, "", ApiHandler.Lines(refused), refused);
        return await runner.RunAsync(tokens, session.Principal.Actor, ct).ConfigureAwait(false);
    }

    // The cookie's session while its principal still holds (a removed or re-scoped token ends it at once).
    private ConsoleSession? Current(HttpContext context)
    {
        if (sessions.Find(context.Request.Cookies[CookieName]) is not { } session) return null;
        if (authentication.Holds(session.Principal)) return session;
        sessions.Remove(session.Id);
        return null;
    }

    /// <summary>The session of a GET, or null once the browser has been sent to the sign-in page.</summary>
    public async Task<ConsoleSession?> SessionAsync(HttpContext context)
    {
        Headers(context);
        if (Current(context) is { } session) return session;
        await Redirect(context, "/console/login").ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// The session and form of a POST, or null once 403 has been answered: a foreign Origin, no session, or a missing or
    /// wrong anti-CSRF token. The form's other fields are returned without the token.
    /// </summary>
    public async Task<(ConsoleSession Session, Dictionary<string, string> Form)?> PostAsync(HttpContext context)
    {
        Headers(context);
        // No session, no form read: a stranger's post costs a cookie lookup.
        var session = Current(context);
        var form = session is null ? null : await FormAsync(context).ConfigureAwait(false);
        string? csrf = form?.GetValueOrDefault(CsrfField);
        if (form is null || !SameOrigin(context) || session is null || !session.CsrfMatches(csrf))
        {
            await Html(context, 403, ConsoleHtml.Page("Refused", "<p>This form is not from a page of this console, or your session has ended. " +
                "<a href=\"/console/login\">Sign in</a> and try again.</p>", null)).ConfigureAwait(false);
            return null;
        }
        form.Remove(CsrfField);
        return (session, form);
    }

    /// <summary>Writes an HTML page with <paramref name="status"/>.</summary>
    public static Task Html(HttpContext context, int status, string html)
    {
        Headers(context);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(html, context.RequestAborted);
    }

    /// <summary>A 303 to <paramref name="location"/> (a path of this console).</summary>
    public static Task Redirect(HttpContext context, string location)
    {
        Headers(context);
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    }

    /// <summary>Whether <paramref name="session"/> may change things (Admin scope); otherwise 403 and event 2363 have been answered.</summary>
    public async Task<bool> AdminAsync(HttpContext context, ConsoleSession session)
    {
        if (session.Principal.Scope == AdminScope.Admin) return true;
        authentication.Forbidden(session.Principal, context);
        await Html(context, 403, ConsoleHtml.Page("Refused",
            $"<p>{ConsoleHtml.E(session.Principal.Actor)} has a {session.Principal.Scope} token: it may read, not change.</p>", session)).ConfigureAwait(false);
        return false;
    }

    private async Task SignInAsync(HttpContext context)
    {
        Headers(context);
        var form = await FormAsync(context).ConfigureAwait(false);
        if (form is null || !SameOrigin(context))
        {
            await Html(context, 403, ConsoleHtml.Page("Refused", "<p>This sign-in form is not from this console.</p>", null)).ConfigureAwait(false);
            return;
        }
        if (authentication.SignIn(context, form.GetValueOrDefault("token")) is not { } principal)
        {
            await Html(context, 401, ConsoleHtml.Page("Sign in", LoginForm(context, "Sign-in refused: unknown or removed token."), null)).ConfigureAwait(false);
            return;
        }
        var session = sessions.Create(principal);
        context.Response.Cookies.Append(CookieName, session.Id, CookieOptions(context));
        await Redirect(context, "/console/").ConfigureAwait(false);
    }

    private static CookieOptions CookieOptions(HttpContext context) =>
        new() { Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true };

    // With a client certificate that passed the handshake's check and was added as a credential, a button signs in with it; the
    // token form stays, so someone holding a ReadOnly token can choose to act as it. A trusted certificate nobody added is
    // named, with the command that would add it: the trusted store alone makes no administrator.
    private string LoginForm(HttpContext context, string? error)
    {
        var html = new System.Text.StringBuilder(error is null ? "" : ConsoleHtml.Error(error));
        if (context.Connection.ClientCertificate is { } certificate && authentication.CertificateCredential(context) is { } added)
            html.Append("<form method=\"post\" action=\"/console/login\" class=\"object\" id=\"certificate-sign-in\"><p>Your browser presented the client ")
                .Append("certificate <strong>").Append(ConsoleHtml.E(certificate.Subject)).Append("</strong>, added as the credential <strong>")
                .Append(ConsoleHtml.E(added.Name)).Append("</strong>: signed in by certificate, you act with the ").Append(added.Scope).Append(" scope.</p>")
                .Append("<p><button type=\"submit\">Sign in with this certificate</button></p></form><h2>Or with a token</h2>");
        else if (context.Connection.ClientCertificate is { } other)
            html.Append("<p id=\"certificate-not-added\">Your browser presented the client certificate <strong>").Append(ConsoleHtml.E(other.Subject))
                .Append("</strong>, which is not an admin credential. On the server: <code>openum admin-token new --name NAME --scope Admin|ReadOnly ")
                .Append("--certificate FILE</code>.</p>");
        return html.Append("<form method=\"post\" action=\"/console/login\" class=\"object\"><p><label for=\"token\">Admin token</label>")
            .Append("<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\" spellcheck=\"false\" required></p>")
            .Append("<p><small>Made on the server with <code>openum admin-token new --name NAME --scope Admin|ReadOnly</code>.</small></p>")
            .Append("<p><button type=\"submit\">Sign in</button></p></form>").ToString();
    }

    // A browser sends Origin with every POST; when it does, it must be this console's own.
    private static bool SameOrigin(HttpContext context)
    {
        string? origin = context.Request.Headers.Origin;
        return string.IsNullOrEmpty(origin) || string.Equals(origin, $"https://{context.Request.Host.Value}", StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<Dictionary<string, string>?> FormAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType) return null;
        try
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            return form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return null;
        }
    }

    private static void Headers(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        // Not no-referrer: under it the Fetch standard sends "Origin: null" with every form post, and the Origin check
        // could no longer tell this console from a sandboxed frame elsewhere. same-origin still sends no referrer away.
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
    }

    private static byte[] ReadCss()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("OpenUM.AdminApi.WebConsole.console.css")
            ?? throw new InvalidOperationException("console.css is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
