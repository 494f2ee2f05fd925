using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using OpenUM.Security;

namespace OpenUM.AdminApi.WebConsole;

/// <summary>
/// The certificates page: `openum cert list --json` as one card per certificate (readable on a phone), expiry said in
/// words, and a form whose POST answers `openum cert new-request --out -` as a .csr download. The key stays in the
/// store until the CA's answer comes back through `openum cert import`.
/// </summary>
internal sealed class ConsoleCertificates(ConsoleEndpoint endpoint)
{
    /// <summary>Days before NotAfter from which a certificate is flagged: the server's own expiry warning (CERT-5, event 1120).</summary>
    public const int WarningDays = ExpiryMonitor.DefaultDaysBeforeAlert;

    private static readonly IReadOnlyDictionary<string, StringValues> NoFields = new Dictionary<string, StringValues>();
    private static readonly char[] NameSeparators = [' ', ',', ';', '\t', '\r', '\n'];

    /// <summary>GET /console/certificates.</summary>
    public async Task PageAsync(HttpContext context)
    {
        if (await endpoint.SessionAsync(context).ConfigureAwait(false) is not { } session) return;
        await RenderAsync(context, session, 200, new Dictionary<string, string>(), null).ConfigureAwait(false);
    }

    /// <summary>POST /console/certificates/request: `openum cert new-request --out -` (Admin scope), answered as a download.</summary>
    public async Task RequestAsync(HttpContext context)
    {
        if (await endpoint.PostAsync(context).ConfigureAwait(false) is not var (session, form)) return;
        if (!await endpoint.AdminAsync(context, session).ConfigureAwait(false)) return;
        // The DNS names field takes several names in one line; each becomes one --dns, as if typed on the command line.
        var fields = form.Where(f => f.Value.Length > 0).ToDictionary(f => f.Key,
            f => f.Key == "dns" ? new StringValues(f.Value.Split(NameSeparators, StringSplitOptions.RemoveEmptyEntries)) : new StringValues(f.Value));
        var run = await endpoint.RunAsync(endpoint.Verb("POST", "/cert/request")!, fields, session, context.RequestAborted).ConfigureAwait(false);
        if (run.ExitCode != 0)
        {
            await RenderAsync(context, session, 400, form, run.Error).ConfigureAwait(false);
            return;
        }
        context.Response.ContentType = ApiRoutes.CertificateRequestMediaType;
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{FileName(run.Output)}.csr\"";
        await context.Response.WriteAsync(run.Output, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task RenderAsync(HttpContext context, ConsoleSession session, int status, IReadOnlyDictionary<string, string> given, string? error)
    {
        var list = await endpoint.RunAsync(endpoint.Verb("GET", "/cert")!, NoFields, session, context.RequestAborted).ConfigureAwait(false);
        var body = new StringBuilder();
        string? inUse = null;
        if (list.ExitCode != 0) body.Append(ConsoleHtml.Error(list.Error));
        else
        {
            using var document = JsonDocument.Parse(list.Output);
            var rows = document.RootElement.EnumerateArray().ToList();
            inUse = rows.Where(r => r.GetProperty("inUse").GetBoolean()).Select(r => r.GetProperty("subject").GetString()).FirstOrDefault();
            var now = DateTimeOffset.UtcNow;
            body.Append("<p>Flagged from ").Append(WarningDays).Append(" days before expiry, when the server starts warning (event 1120).</p>");
            Section(body, "personal", "Personal certificates", rows.Where(r => r.GetProperty("store").GetString() == "personal"), now,
                "None: create one with <code>openum cert new-selfsigned</code>, or request one below.");
            Section(body, "trusted", "Trusted certificates", rows.Where(r => r.GetProperty("store").GetString() == "trusted"), now,
                "None: add a root CA or a gateway's certificate with <code>openum cert trust FILE</code>.");
        }
        body.Append(RequestForm(session, given, inUse, error));
        await ConsoleEndpoint.Html(context, status, ConsoleHtml.Page("Certificates", body.ToString(), session)).ConfigureAwait(false);
    }

    private static void Section(StringBuilder html, string id, string title, IEnumerable<JsonElement> rows, DateTimeOffset now, string none)
    {
        html.Append("<section aria-labelledby=\"").Append(id).Append("\"><h2 id=\"").Append(id).Append("\">").Append(title).Append("</h2>");
        bool any = false;
        foreach (var row in rows)
        {
            any = true;
            Card(html, row, now);
        }
        if (!any) html.Append("<p>").Append(none).Append("</p>");
        html.Append("</section>");
    }

    // One certificate: its subject as heading, its expiry in words first (the class only adds colour), then the facts.
    private static void Card(StringBuilder html, JsonElement row, DateTimeOffset now)
    {
        string Text(string name) => ConsoleHtml.E(ConsoleHtml.Scalar(row.GetProperty(name)));
        var notAfter = row.GetProperty("notAfter").GetDateTimeOffset();
        int daysLeft = row.GetProperty("daysLeft").GetInt32();
        var (state, words) = now > notAfter ? ("expired", $"Expired on {Date(notAfter)}: renew or replace it.")
            : daysLeft <= WarningDays ? ("expiring", $"Expiring soon: {Days(daysLeft)} left (the server warns from {WarningDays} days).")
            : ("valid", $"Valid: {Days(daysLeft)} left.");
        bool inUse = row.GetProperty("inUse").GetBoolean();
        var names = row.GetProperty("dnsNames").EnumerateArray().Select(n => ConsoleHtml.E(n.GetString())).ToList();
        html.Append("<article class=\"cert ").Append(state).Append("\" data-thumbprint=\"").Append(Text("thumbprint")).Append("\" data-state=\"")
            .Append(state).Append("\"><h3>").Append(Text("subject")).Append("</h3><p class=\"state\"><strong>")
            .Append(ConsoleHtml.E(words)).Append("</strong>").Append(inUse ? " <strong>In use by UM.</strong>" : "").Append("</p><dl>")
            .Append("<dt>DNS names</dt><dd>").Append(names.Count == 0 ? "none" : string.Join(", ", names)).Append("</dd>")
            .Append("<dt>Thumbprint</dt><dd><code>").Append(Text("thumbprint")).Append("</code></dd>")
            .Append("<dt>Valid from</dt><dd>").Append(Date(row.GetProperty("notBefore").GetDateTimeOffset())).Append("</dd>")
            .Append("<dt>Valid until</dt><dd>").Append(Date(notAfter)).Append("</dd>")
            .Append("<dt>Days left</dt><dd data-field=\"daysLeft\">").Append(daysLeft.ToString(CultureInfo.InvariantCulture)).Append("</dd>")
            .Append("<dt>In use by UM</dt><dd>").Append(inUse ? "yes" : "no").Append("</dd>")
            .Append("<dt>Self-signed</dt><dd>").Append(row.GetProperty("isSelfSigned").GetBoolean() ? "yes" : "no").Append("</dd>")
            .Append("<dt>Issuer</dt><dd>").Append(Text("issuer")).Append("</dd></dl></article>");
    }

    // The request form: subject prefilled with the certificate in use, so renewing it is one click.
    private static string RequestForm(ConsoleSession session, IReadOnlyDictionary<string, string> given, string? inUse, string? error)
    {
        string subject = given.TryGetValue("subject", out var typed) ? typed : inUse ?? "";
        string key = given.GetValueOrDefault("key") ?? CertificateKeyKinds.Name(CertificateKeyKind.EcdsaP256);
        var html = new StringBuilder("<h2 id=\"request\">Request a certificate</h2>");
        if (error is not null) html.Append(ConsoleHtml.Error(error));
        html.Append("<form method=\"post\" action=\"/console/certificates/request\" class=\"object\"><fieldset><legend>openum cert new-request --out -</legend>")
            .Append(ConsoleHtml.Csrf(session))
            .Append("<p><label for=\"f-subject\">subject (required)</label><input id=\"f-subject\" name=\"subject\" required value=\"")
            .Append(ConsoleHtml.E(subject)).Append("\"><small>A common name (um.contoso.example) or a distinguished name (CN=...,O=...).</small></p>")
            .Append("<p><label for=\"f-dns\">dns</label><input id=\"f-dns\" name=\"dns\" value=\"").Append(ConsoleHtml.E(given.GetValueOrDefault("dns")))
            .Append("\"><small>DNS names for the subjectAltName, separated by spaces or commas (default: the subject).</small></p>")
            .Append("<p><label for=\"f-key\">key</label><select id=\"f-key\" name=\"key\">");
        foreach (string name in Enum.GetValues<CertificateKeyKind>().Select(CertificateKeyKinds.Name))
            html.Append("<option").Append(name == key ? " selected" : "").Append('>').Append(ConsoleHtml.E(name)).Append("</option>");
        return html.Append("</select></p><p><small>The private key stays on the server; give the downloaded request to your CA and import its answer with ")
            .Append("<code>openum cert import FILE</code>.</small></p><p><button type=\"submit\">Download the request (.csr)</button></p></fieldset></form>").ToString();
    }

    // The download's name: the request's common name, in characters every file system and header takes.
    private static string FileName(string pem)
    {
        var request = CertificateRequest.LoadSigningRequestPem(pem, System.Security.Cryptography.HashAlgorithmName.SHA256);
        string name = OpenUM.Security.CertificateFacts.CommonName(request.SubjectName) ?? "request";
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray());
        return safe.Length is 0 or > 64 ? "request" : safe;
    }

    private static string Date(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Days(int days) => days == 1 ? "1 day" : days.ToString(CultureInfo.InvariantCulture) + " days";
}
