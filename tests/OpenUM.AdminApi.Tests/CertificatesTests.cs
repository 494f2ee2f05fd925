using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using OpenUM.TestSupport.Logging;

namespace OpenUM.AdminApi.Tests;

/// <summary>The certificates page and its API twins: `cert list`, expiry in words, and `cert new-request --out -` as a download.</summary>
public sealed class CertificatesTests : IAsyncLifetime
{
    private ApiServer _api = null!;
    private ConsoleBrowser _console = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiServer.StartAsync(setup:
        [
            ["cert", "new-selfsigned", "--subject", "um.contoso.example", "--dns", "um.contoso.example"],
            // Within the server's 30-day expiry warning.
            ["cert", "new-selfsigned", "--subject", "old.contoso.example", "--days", "10"],
        ]);
        _console = new ConsoleBrowser(_api);
    }

    public async Task DisposeAsync()
    {
        _console.Dispose();
        await _api.DisposeAsync();
    }

    // `cert list --json` as the CLI prints it, by subject.
    private Dictionary<string, JsonElement> Listed()
    {
        var (code, json, err) = Cli.Run(_api.Data, "cert", "list", "--json");
        Assert.True(code == 0, err);
        return JsonDocument.Parse(json).RootElement.EnumerateArray().ToDictionary(c => c.GetProperty("subject").GetString()!);
    }

    // The card of the certificate with <paramref name="thumbprint"/> on the page.
    private static string Card(string page, string thumbprint)
    {
        int start = page.IndexOf($"data-thumbprint=\"{thumbprint}\"", StringComparison.Ordinal);
        Assert.True(start > 0, "no card for " + thumbprint);
        return page[start..page.IndexOf("</article>", start, StringComparison.Ordinal)];
    }

    private string[] PendingKeys() => System.IO.Directory.GetFiles(Path.Combine(_api.Data, "certificates", "pending"), "*.key.pem");

    [Fact]
    public async Task ThePageListsEachCertificateWithItsDaysLeftAndFlagsExpiringAndExpiredOnesInWords()
    {
        string expiredFile = Path.Combine(_api.Data, "expired.crt");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        using (var expired = new CertificateRequest("CN=expired.fabrikam.example", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddDays(-2)))
            File.WriteAllText(expiredFile, expired.ExportCertificatePem());
        Assert.Equal(0, Cli.Run(_api.Data, "cert", "trust", expiredFile).Code);
        var listed = Listed();
        var current = listed["CN=um.contoso.example"];
        Assert.Equal(0, Cli.Run(_api.Data, "cert", "enable", current.GetProperty("thumbprint").GetString()!).Code);
        var (cookie, _) = await _console.SignInAsync(_api.ReadOnlyToken);

        string page = await _console.GetAsync("/console/certificates", cookie);
        string valid = Card(page, current.GetProperty("thumbprint").GetString()!);
        var old = listed["CN=old.contoso.example"];
        string expiring = Card(page, old.GetProperty("thumbprint").GetString()!);
        string gone = Card(page, listed["CN=expired.fabrikam.example"].GetProperty("thumbprint").GetString()!);

        Assert.Contains("<a href=\"/console/certificates\">Certificates</a>", page, StringComparison.Ordinal);
        Assert.Contains("data-state=\"valid\"", valid, StringComparison.Ordinal);
        Assert.Contains($"<dd data-field=\"daysLeft\">{current.GetProperty("daysLeft").GetInt32()}</dd>", valid, StringComparison.Ordinal);
        Assert.InRange(current.GetProperty("daysLeft").GetInt32(), 1823, 1825);
        Assert.Contains("In use by UM.", valid, StringComparison.Ordinal);
        Assert.Contains("<dt>Self-signed</dt><dd>yes</dd>", valid, StringComparison.Ordinal);
        Assert.Contains("<dt>DNS names</dt><dd>um.contoso.example</dd>", valid, StringComparison.Ordinal);
        Assert.Contains($"Expiring soon: {old.GetProperty("daysLeft").GetInt32()} days left", expiring, StringComparison.Ordinal);
        Assert.DoesNotContain("In use by UM.", expiring, StringComparison.Ordinal);
        Assert.Contains("Expired on ", gone, StringComparison.Ordinal);
        Assert.True(page.IndexOf(gone, StringComparison.Ordinal) > page.IndexOf("<h2 id=\"trusted\">", StringComparison.Ordinal), "the expired one is a trusted certificate");
        Assert.Contains("name=\"subject\" required value=\"CN=um.contoso.example\"", page, StringComparison.Ordinal); // the bound one's subject
    }

    [Fact]
    public async Task TheRequestFormDownloadsAPemRequestWithTheAskedSubjectAndNamesThatOpensslVerifies()
    {
        var (cookie, csrf) = await _console.SignInAsync(_api.AdminToken);

        using var response = await _console.PostAsync("/console/certificates/request", cookie, _console.Origin, ("csrf", csrf),
            ("subject", "um.fabrikam.example"), ("dns", "um.fabrikam.example, sip.fabrikam.example"), ("key", "rsa-2048"));
        string pem = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pkcs10", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment; filename=\"um.fabrikam.example.csr\"", response.Content.Headers.ContentDisposition?.ToString());
        var request = CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        Assert.Equal("CN=um.fabrikam.example", request.SubjectName.Name);
        Assert.Equal(["um.fabrikam.example", "sip.fabrikam.example"],
            request.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.NotNull(request.PublicKey.GetRSAPublicKey());
        Assert.Single(PendingKeys()); // the key waits for `cert import`
        Assert.DoesNotContain("PRIVATE KEY", pem, StringComparison.Ordinal);
        var (code, verified) = Openssl(pem);
        Assert.True(code == 0, verified);
        Assert.Contains("verify OK", verified, StringComparison.OrdinalIgnoreCase);
        // The command's own event, naming the console's client as its author.
        string events = File.ReadAllText(Path.Combine(_api.Data, "events.jsonl"));
        Assert.Contains(events.Split('\n'), l => l.Contains("\"id\":2160", StringComparison.Ordinal) && l.Contains("console:ops@", StringComparison.Ordinal)
            && l.Contains("CN=um.fabrikam.example", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AReadOnlySessionOrAFormWithoutTheCsrfTokenMakesNoRequest()
    {
        var (viewer, viewerCsrf) = await _console.SignInAsync(_api.ReadOnlyToken);
        var (admin, _) = await _console.SignInAsync(_api.AdminToken);

        using var readOnly = await _console.PostAsync("/console/certificates/request", viewer, _console.Origin, ("csrf", viewerCsrf), ("subject", "um.fabrikam.example"));
        using var noToken = await _console.PostAsync("/console/certificates/request", admin, _console.Origin, ("subject", "um.fabrikam.example"));

        Assert.Equal(HttpStatusCode.Forbidden, readOnly.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        Assert.Contains(2363, _api.Events.EventIds());
        Assert.Empty(PendingKeys());
    }

    [Fact]
    public async Task ABadSubjectIsShownWithTheCliTextAndKept()
    {
        var (cookie, csrf) = await _console.SignInAsync(_api.AdminToken);
        var (code, _, err) = Cli.Run(_api.Data, "cert", "new-request", "--subject", "um.fabrikam.example", "--dns", "bad_name!", "--out", "-");

        using var response = await _console.PostAsync("/console/certificates/request", cookie, _console.Origin, ("csrf", csrf),
            ("subject", "um.fabrikam.example"), ("dns", "bad_name!"));
        string page = await response.Content.ReadAsStringAsync();

        Assert.Equal(2, code);
        Assert.StartsWith("error: --dns: ", err, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(WebUtility.HtmlEncode(err.TrimEnd()), page, StringComparison.Ordinal);
        Assert.Contains("value=\"bad_name!\"", page, StringComparison.Ordinal);
        Assert.Empty(PendingKeys());
    }

    [Fact]
    public async Task TheApiListsAsTheCliDoesAndAnswersARequestAsPem()
    {
        using var reader = _api.Client(_api.ReadOnlyToken);
        using var admin = _api.Client(_api.AdminToken);

        using var list = await reader.GetAsync("/api/v1/cert");
        using var forbidden = await reader.PostAsync("/api/v1/cert/request", ApiServer.Json("""{"subject": "um.fabrikam.example"}"""));
        string target = Path.Combine(_api.Data, "x.csr");
        using var file = await admin.PostAsync("/api/v1/cert/request", ApiServer.Json($$"""{"subject": "um.fabrikam.example", "out": "{{target}}"}"""));
        using var der = await admin.PostAsync("/api/v1/cert/request", ApiServer.Json("""{"subject": "um.fabrikam.example", "der": true}"""));
        Assert.Empty(PendingKeys());
        using var made = await admin.PostAsync("/api/v1/cert/request", ApiServer.Json("""{"subject": "um.fabrikam.example", "dns": ["um.fabrikam.example", "voice.fabrikam.example"]}"""));

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var served = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(c => c.GetProperty("thumbprint").GetString());
        Assert.Equal(Listed().Values.Select(c => c.GetProperty("thumbprint").GetString()).Order(), served.Order());
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, file.StatusCode);
        using (var problem = JsonDocument.Parse(await file.Content.ReadAsStringAsync()))
        {
            Assert.Equal("out", problem.RootElement.GetProperty("errors")[0].GetProperty("field").GetString());
            Assert.Contains("has no field 'out'", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.BadRequest, der.StatusCode);
        Assert.False(File.Exists(target));
        Assert.Equal(HttpStatusCode.OK, made.StatusCode);
        Assert.Equal("application/pkcs10", made.Content.Headers.ContentType?.MediaType);
        var request = CertificateRequest.LoadSigningRequestPem(await made.Content.ReadAsStringAsync(), HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        Assert.Equal("CN=um.fabrikam.example", request.SubjectName.Name);
        Assert.Equal(["um.fabrikam.example", "voice.fabrikam.example"],
            request.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.Single(PendingKeys());
        Assert.Contains(File.ReadAllLines(Path.Combine(_api.Data, "events.jsonl")), l => l.Contains("\"id\":2160", StringComparison.Ordinal)
            && l.Contains("token:ops@", StringComparison.Ordinal));
    }

    // `openssl req -verify`: the request's signature checked by another implementation.
    private static (int Code, string Output) Openssl(string pem)
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, pem);
            var start = new ProcessStartInfo("openssl", ["req", "-verify", "-in", file, "-noout"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output.Result + error);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
