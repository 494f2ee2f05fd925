using System.Globalization;
using System.Text.RegularExpressions;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Mwi;

/// <summary>
/// A SIPp run in the background whose message log the test reads while it runs (the gateway taking NOTIFYs, or a
/// subscriber waiting for the change the test makes). Disposing it kills SIPp and removes its directory.
/// </summary>
internal sealed class SippPeer : IAsyncDisposable
{
    private readonly ChildProcess _sipp;
    private readonly string _work;

    private readonly (int First, int Last) _media;

    private SippPeer(ChildProcess sipp, string work, int port, (int First, int Last) media) => (_sipp, _work, Port, _media) = (sipp, work, port, media);

    /// <summary>SIPp's own SIP port.</summary>
    public int Port { get; }

    /// <summary>The SIPp process (exit code, output).</summary>
    public ChildProcess Process => _sipp;

    /// <summary>
    /// Starts <paramref name="scenario"/> (embedded) with TCP on a free port; <paramref name="remotePort"/> is the server's
    /// (client scenarios), <paramref name="service"/> fills [service], <paramref name="calls"/> is -m.
    /// </summary>
    public static async Task<SippPeer> StartAsync(string scenario, int remotePort, string service, int calls, TimeSpan hangGuard)
    {
        string work = System.IO.Directory.CreateTempSubdirectory("openum-mwi-sipp-").FullName;
        string file = Resources.WriteTo("Scenarios/" + scenario, work);
        int port = TestPorts.FreeListenerPort();
        var media = TestPorts.RtpRange(20);
        var sipp = ChildProcess.Start(Peers.Sipp,
        [
            $"127.0.0.1:{remotePort}", "-sf", file, "-t", "t1", "-i", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture),
            "-mp", media.First.ToString(CultureInfo.InvariantCulture), "-s", service,
            "-m", calls.ToString(CultureInfo.InvariantCulture), "-timeout", ((int)hangGuard.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            "-timeout_error", "-nostdin", "-trace_msg", "-message_file", Path.Combine(work, "messages.log"),
        ], work);
        var peer = new SippPeer(sipp, work, port, media);
        // A server scenario listens; a client one has already connected or failed by then.
        for (int i = 0; i < 100 && TestPorts.ListenerFree(port) && !sipp.HasExited; i++) await Task.Delay(50);
        return peer;
    }

    /// <summary>What SIPp has logged so far.</summary>
    public string Log
    {
        get
        {
            string path = Path.Combine(_work, "messages.log");
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                return reader.ReadToEnd();
            }
            catch (FileNotFoundException)
            {
                return "";
            }
        }
    }

    /// <summary>The bodies' "Messages-Waiting x / Voice-Message n/o" of every NOTIFY received so far, in order.</summary>
    public IReadOnlyList<string> Summaries() =>
        Regex.Matches(Log, @"Messages-Waiting: (yes|no)\r?\n(?:Message-Account: [^\r\n]*\r?\n)?Voice-Message: (\d+/\d+)")
            .Select(m => m.Groups[1].Value + " " + m.Groups[2].Value).ToList();

    /// <summary>Polls until <paramref name="count"/> summaries arrived; fails after the hang guard with everything seen.</summary>
    public Task<IReadOnlyList<string>> WaitForSummariesAsync(int count, TimeSpan hangGuard, Func<string> diagnostics) =>
        WaitForSummariesAsync(found => found.Count >= count, $"{count} message-summary NOTIFYs", hangGuard, diagnostics);

    /// <summary>
    /// Polls until the summaries so far satisfy <paramref name="until"/> (when their number is not known in advance);
    /// fails after the hang guard with everything seen.
    /// </summary>
    public async Task<IReadOnlyList<string>> WaitForSummariesAsync(Func<IReadOnlyList<string>, bool> until, string expected, TimeSpan hangGuard, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + hangGuard;
        while (true)
        {
            var found = Summaries();
            if (until(found)) return found;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{expected} expected, {found.Count} arrived within {hangGuard.TotalSeconds:0} s: [{string.Join(", ", found)}]\n" +
                    $"--- SIPp ---\n{_sipp.StdOut}{_sipp.StdErr}\n{ProcessResult.Tail(Log, 4000)}\n{diagnostics()}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sipp.DisposeAsync();
        TestPorts.Release(_media);
        if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
            System.IO.Directory.Delete(_work, recursive: true);
    }
}
