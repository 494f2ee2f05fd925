using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace OpenUM.AdminApi.Tests;

/// <summary>
/// The web console as a browser uses it, over HTTP: signs in, gets pages with the session cookie, posts forms with an
/// Origin, and reads a page's form the way a browser would submit it.
/// </summary>
internal sealed partial class ConsoleBrowser(ApiServer api, X509Certificate2? certificate = null) : IDisposable
{
    private readonly HttpClient _client = api.Browser(certificate);

    /// <summary>The console's own origin, as a browser sends it with a form post.</summary>
    public string Origin => $"https://localhost:{api.BaseAddress.Port}";

    /// <summary>Posts <paramref name="fields"/> to <paramref name="path"/> with the cookie and Origin given (null leaves each out).</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, string? cookie, string? origin, params (string Name, string Value)[] fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        };
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        if (origin is not null) request.Headers.Add("Origin", origin);
        return await _client.SendAsync(request);
    }

    /// <summary>GET <paramref name="path"/> with the cookie; the answer as it came.</summary>
    public async Task<HttpResponseMessage> SendGetAsync(string path, string? cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        return await _client.SendAsync(request);
    }

    /// <summary>The page at <paramref name="path"/>, which must answer 200.</summary>
    public async Task<string> GetAsync(string path, string cookie)
    {
        using var response = await SendGetAsync(path, cookie);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Signs in with <paramref name="token"/> (none: by the client certificate); the cookie header to send and the session's anti-CSRF token.</summary>
    public async Task<(string Cookie, string Csrf)> SignInAsync(string? token)
    {
        using var response = token is null ? await PostAsync("/console/login", null, Origin) : await PostAsync("/console/login", null, Origin, ("token", token));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        string cookie = response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        string page = await GetAsync("/console/", cookie);
        return (cookie, CsrfValue().Match(page).Groups[1].Value);
    }

    /// <summary>
    /// The fields a browser submits from the form of <paramref name="page"/> posting to <paramref name="action"/>: inputs with
    /// their value, each list's selected option (else its first), text areas with their lines ending in CR LF as browsers send them.
    /// </summary>
    public static List<(string Name, string Value)> Form(string page, string action)
    {
        int start = page.IndexOf($"<form method=\"post\" action=\"{WebUtility.HtmlEncode(action)}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no form posting to {action}");
        string form = page[start..page.IndexOf("</form>", start, StringComparison.Ordinal)];
        var fields = new List<(string, string)>();
        foreach (Match m in Control().Matches(form))
        {
            string name = WebUtility.HtmlDecode(Attribute(m.Groups["attrs"].Value, "name") ?? "");
            if (name.Length == 0) continue;
            string value = m.Groups["tag"].Value switch
            {
                "input" => Attribute(m.Groups["attrs"].Value, "value") ?? "",
                "textarea" => m.Groups["body"].Value.Replace("\n", "\r\n", StringComparison.Ordinal),
                _ => Options().Matches(m.Groups["body"].Value).Select(o => (Selected: o.Groups["attrs"].Value.Contains(" selected", StringComparison.Ordinal),
                        Value: Attribute(o.Groups["attrs"].Value, "value") ?? o.Groups["text"].Value)).OrderByDescending(o => o.Selected).First().Value,
            };
            fields.Add((name, WebUtility.HtmlDecode(value)));
        }
        return fields;
    }

    private static string? Attribute(string attributes, string name) =>
        Regex.Match(attributes, $"\\b{name}=\"([^\"]*)\"") is { Success: true } m ? m.Groups[1].Value : null;

    public void Dispose() => _client.Dispose();

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfValue();

    [GeneratedRegex("<(?<tag>input)(?<attrs>[^>]*)>|<(?<tag>textarea|select)(?<attrs>[^>]*)>(?<body>.*?)</\\k<tag>>", RegexOptions.Singleline)]
    private static partial Regex Control();

    [GeneratedRegex("<option(?<attrs>[^>]*)>(?<text>[^<]*)</option>")]
    private static partial Regex Options();
}
