using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// Debian's chromium, headless, driven by Selenium through Debian's chromedriver (both from
/// scripts/install-test-deps.sh; the driver is named, so Selenium Manager never downloads one). Collects what the
/// page wrote to the browser console, and saves screenshots under test-output/ for people to look at.
/// </summary>
internal sealed class Chromium : IDisposable
{
    private readonly string _profile = System.IO.Directory.CreateTempSubdirectory("openum-chromium-").FullName;
    private readonly ChromeDriverService _service;

    public IWebDriver Driver { get; }

    /// <summary>Where screenshots go: $OPENUM_TEST_OUTPUT, else test-output/ at the repository root (ignored by git).</summary>
    public string ArtifactDirectory { get; }

    /// <summary>Starts the browser; <paramref name="artifacts"/> names the subdirectory of its screenshots.</summary>
    public Chromium(string artifacts)
    {
        string root = Environment.GetEnvironmentVariable("OPENUM_TEST_OUTPUT") is { Length: > 0 } output
            ? output
            : Path.Combine(Path.GetDirectoryName(TestPki.RepoFile("OpenUM.slnx"))!, "test-output");
        ArtifactDirectory = Path.Combine(root, artifacts);
        System.IO.Directory.CreateDirectory(ArtifactDirectory);

        _service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Which("chromedriver"))!, "chromedriver");
        _service.HideCommandPromptWindow = true;
        _service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Which("chromium") };
        // Root in a container has no user namespace sandbox; the profile is private to this run. The server's
        // certificate comes from the test's own CA, which the browser cannot know.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--disable-extensions", "--window-size=1280,900", "--user-data-dir=" + _profile);
        options.AcceptInsecureCertificates = true;
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        Driver = new ChromeDriver(_service, options, TimeSpan.FromSeconds(60));
    }

    /// <summary>Saves the current page as &lt;name&gt;.png and returns its path.</summary>
    public string Screenshot(string name)
    {
        string path = Path.Combine(ArtifactDirectory, name + ".png");
        ((ITakesScreenshot)Driver).GetScreenshot().SaveAsFile(path);
        return path;
    }

    /// <summary>The console messages at level SEVERE since the last call (errors, CSP violations, failed loads).</summary>
    public IReadOnlyList<string> TakeConsoleErrors() =>
        Driver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Severe).Select(e => e.Message).ToList();

    public void Dispose()
    {
        try { Driver.Quit(); } catch (WebDriverException) { }
        Driver.Dispose();
        _service.Dispose();
        try { System.IO.Directory.Delete(_profile, recursive: true); } catch (IOException) { }
    }

    private static string Which(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':')
            .Select(dir => Path.Combine(dir, command)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{command} is not installed: run scripts/install-test-deps.sh");
}
