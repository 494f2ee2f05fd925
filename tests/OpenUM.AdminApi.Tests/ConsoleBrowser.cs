using System.Net;
using System.Text.RegularExpressions;

namespace OpenUM.AdminApi.Tests;

/// <summary>A browser on the web console as the tests drive it: cookies, Origin and the anti-CSRF field set by hand.</summary>
internal sealed partial class ConsoleBrowser(ApiServer api) : IDisposable
{
    /// <summary>The client (no redirects followed, no cookie jar).</summary>
    public HttpClient Http { get; } = api.Browser();

    /// <summary>The console's own origin, as a browser sends it with a form.</summary>
    public string Origin => $"https://localhost:{api.BaseAddress.Port}";

    /// <summary>POSTs <paramref name="fields"/> as a form, with the cookie and Origin given (null: none).</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, string? cookie, string? origin, params (string, string)[] fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))),
        };
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        if (origin is not null) request.Headers.Add("Origin", origin);
        return await Http.SendAsync(request);
    }

    /// <summary>The page at <paramref name="path"/>, which must answer 200.</summary>
    public async Task<string> GetAsync(string path, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Signs in with <paramref name="token"/>: the cookie header to send and the session's anti-CSRF token (read from a page's form).</summary>
    public async Task<(string Cookie, string Csrf)> SignInAsync(string token)
    {
        using var response = await PostAsync("/console/login", null, Origin, ("token", token));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        string cookie = response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        string page = await GetAsync("/console/", cookie);
        return (cookie, CsrfValue().Match(page).Groups[1].Value);
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfValue();
}
