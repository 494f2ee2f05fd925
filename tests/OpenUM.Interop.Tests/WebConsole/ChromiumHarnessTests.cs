using System.Net;
using System.Net.Sockets;
using System.Text;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.WebConsole;

/// <summary>
/// The browser harness the web console tests rely on sees what they check: a page that breaks its
/// Content-Security-Policy shows a console error, a page that keeps it shows none, and a screenshot is a PNG.
/// </summary>
public sealed class ChromiumHarnessTests : IDisposable
{
    private readonly HttpListener _http = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly string _prefix;

    public ChromiumHarnessTests()
    {
        int port = TestPorts.FreeListenerPort();
        _prefix = $"http://127.0.0.1:{port}/";
        _http.Prefixes.Add(_prefix);
        _http.Start();
        _ = ServeAsync();
    }

    // Two pages under one strict policy: one runs an inline script (refused by script-src 'self'), one does not.
    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _http.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            string body = context.Request.Url!.AbsolutePath == "/inline"
                ? "<!doctype html><title>inline</title><p id=p>inline</p><script>document.title='ran'</script>"
                : "<!doctype html><title>clean</title><p id=p>clean</p>";
            byte[] bytes = Encoding.UTF8.GetBytes(body);
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers["Content-Security-Policy"] = "default-src 'none'; script-src 'self'; img-src 'self'";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    [Fact]
    public void A_CSP_violation_is_a_console_error_and_a_clean_page_has_none()
    {
        using var browser = new Chromium("harness");

        browser.Driver.Navigate().GoToUrl(_prefix + "clean");
        Assert.Equal("clean", browser.Driver.Title);
        Assert.Empty(browser.TakeConsoleErrors());
        string shot = browser.Screenshot("clean");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(shot)[..4]);

        browser.Driver.Navigate().GoToUrl(_prefix + "inline");
        Assert.Equal("inline", browser.Driver.Title); // the inline script did not run
        var errors = browser.TakeConsoleErrors();
        Assert.Contains(errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _http.Close();
    }
}
