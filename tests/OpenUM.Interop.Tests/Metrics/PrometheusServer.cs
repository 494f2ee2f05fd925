using System.Globalization;
using System.Text.Json;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Metrics;

/// <summary>
/// A real Prometheus (Debian's `prometheus`) on a free loopback port with its own temporary storage, scraping one
/// target every second; <see cref="QueryAsync"/> asks its HTTP API. Dispose stops it (SIGTERM, then kill) and removes
/// the storage.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _work;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private PrometheusServer(ChildProcess process, string work, int port) =>
        (_process, _work, Port) = (process, work, port);

    /// <summary>Its web port (API and UI).</summary>
    public int Port { get; }

    /// <summary>Output so far, for failure messages.</summary>
    public string Output => $"--- prometheus stderr ---\n{ProcessResult.Tail(_process.StdErr, 3000)}";

    /// <summary>Starts Prometheus scraping http://<paramref name="target"/>/metrics every second.</summary>
    public static PrometheusServer Start(string target)
    {
        string prometheus = Peers.Require("prometheus", "prometheus");
        string work = System.IO.Directory.CreateTempSubdirectory("openum-prometheus-").FullName;
        string config = Path.Combine(work, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: openum
                static_configs:
                  - targets: ['{target}']
            """);
        int port = TestPorts.FreeListenerPort();
        var process = ChildProcess.Start(prometheus,
        [
            "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(work, "data"),
            "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), "--log.level=warn",
        ], work);
        return new PrometheusServer(process, work, port);
    }

    /// <summary>
    /// The value of an instant query that yields one sample (sum(...) does), or null when it yields none yet or
    /// Prometheus is not answering yet.
    /// </summary>
    public async Task<double?> QueryAsync(string promql)
    {
        try
        {
            string url = $"http://127.0.0.1:{Port}/api/v1/query?query={Uri.EscapeDataString(promql)}";
            using var doc = JsonDocument.Parse(await _http.GetStringAsync(url));
            var result = doc.RootElement.GetProperty("data").GetProperty("result");
            if (result.GetArrayLength() == 0) return null;
            return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Whether the scrape of the target is up (Prometheus's own `up` series).</summary>
    public async Task<bool> TargetUpAsync() => await QueryAsync("up{job=\"openum\"}") == 1;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Terminate();
            if (!await _process.WaitForExitAsync(TimeSpan.FromSeconds(10))) _process.Kill();
        }
        await _process.DisposeAsync();
        if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
            try { System.IO.Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }
}
