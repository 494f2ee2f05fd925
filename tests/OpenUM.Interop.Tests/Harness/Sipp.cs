using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>One bounded SIPp run (client mode, TCP).</summary>
public sealed record SippOptions(string Scenario, int TargetPort, string Service)
{
    /// <summary>Local address SIPp binds and puts in Via/Contact/SDP.</summary>
    public string LocalIp { get; init; } = "127.0.0.1";

    /// <summary>t1 = one TCP connection for all calls, tn = one per call.</summary>
    public string Transport { get; init; } = "t1";

    /// <summary>Total calls (-m).</summary>
    public int Calls { get; init; } = 1;

    /// <summary>Max simultaneous calls (-l).</summary>
    public int Limit { get; init; } = 1;

    /// <summary>Call rate per second (-r).</summary>
    public int Rate { get; init; } = 10;

    /// <summary>Length of the scenario's pause (-d), ms.</summary>
    public int PauseMs { get; init; }

    /// <summary>Global bound (-timeout); calls still running then count as failed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Run SIPp inside this network namespace (with a server started in it); null = the machine's.</summary>
    public PrivateNetwork? Network { get; init; }

    /// <summary>Values for [keyword] placeholders (-key).</summary>
    public IReadOnlyDictionary<string, string> Keys { get; init; } = new Dictionary<string, string>();

    /// <summary>Files copied into SIPp's working directory (e.g. the raw µ-law clip).</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    /// <summary>Injection file (-inf): [fieldN] values per call; a name from <see cref="Files"/> or a path.</summary>
    public string? InjectionFile { get; init; }
}

/// <summary>Outcome of a SIPp run: exit code, call counters, message log.</summary>
public sealed record SippResult(ProcessResult Process, int Successful, int Failed, string MessageLog, string ErrorLog)
{
    /// <summary>SIPp's own verdict: 0 = every call succeeded.</summary>
    public int ExitCode => Process.ExitCode;

    /// <summary>Start lines of all SIP messages SIPp received.</summary>
    public IReadOnlyList<string> Received() =>
        Regex.Matches(MessageLog, @"message received \[\d+\] bytes :\s*\r?\n\s*\r?\n?([^\r\n]+)")
            .Select(m => m.Groups[1].Value.Trim()).ToList();

    /// <summary>Everything, for failure messages.</summary>
    public string Describe() =>
        $"SIPp successful={Successful} failed={Failed}\n{Process.Describe()}\n--- errors ---\n{ProcessResult.Tail(ErrorLog, 3000)}\n" +
        $"--- message log (tail) ---\n{ProcessResult.Tail(MessageLog, 4000)}";
}

/// <summary>Runs SIPp with one of the embedded scenarios in a private working directory.</summary>
public static class Sipp
{
    /// <summary>Runs SIPp to completion (hang guard: its -timeout plus 30 s, then killed).</summary>
    public static async Task<SippResult> RunAsync(SippOptions o, ITestOutputHelper? log = null)
    {
        string sipp = Peers.Sipp;
        string work = System.IO.Directory.CreateTempSubdirectory("openum-sipp-").FullName;
        (int First, int Last) media = default;
        try
        {
            string scenario = Resources.WriteTo("Scenarios/" + o.Scenario, work);
            foreach (var (name, source) in o.Files)
                File.Copy(source, Path.Combine(work, name), overwrite: true);
            // SIPp's own SIP port and its media ports (-mp base; rtp_stream uses a few above it).
            int sipPort = TestPorts.FreeListenerPort();
            media = TestPorts.RtpRange(20);
            int mediaBase = media.First;
            var args = new List<string>
            {
                $"127.0.0.1:{o.TargetPort}", "-sf", scenario, "-t", o.Transport,
                "-i", o.LocalIp, "-mi", "127.0.0.1", "-p", sipPort.ToString(CultureInfo.InvariantCulture),
                "-mp", mediaBase.ToString(CultureInfo.InvariantCulture),
                "-s", o.Service, "-m", o.Calls.ToString(CultureInfo.InvariantCulture),
                "-l", o.Limit.ToString(CultureInfo.InvariantCulture), "-r", o.Rate.ToString(CultureInfo.InvariantCulture),
                "-d", o.PauseMs.ToString(CultureInfo.InvariantCulture),
                "-timeout", ((int)Math.Ceiling(o.Timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture), "-timeout_error",
                "-max_socket", "200", "-nostdin",
                "-trace_msg", "-message_file", Path.Combine(work, "messages.log"),
                "-trace_err", "-error_file", Path.Combine(work, "errors.log"),
            };
            if (o.LocalIp != "127.0.0.1")
                args.Add("-bind_local");
            foreach (var (k, v) in o.Keys)
                args.AddRange(["-key", k, v]);
            if (o.InjectionFile is { } injection)
                args.AddRange(["-inf", injection]);
            var (file, wrapped) = o.Network is null ? (sipp, (IReadOnlyList<string>)args) : o.Network.Wrap(sipp, args);
            var process = await ChildProcess.RunAsync(file, wrapped, o.Timeout + TimeSpan.FromSeconds(30), work);
            var result = new SippResult(process,
                Counter(process.StdOut, "Successful call"), Counter(process.StdOut, "Failed call"),
                ReadIfExists(Path.Combine(work, "messages.log")), ReadIfExists(Path.Combine(work, "errors.log")));
            log?.WriteLine(result.Describe());
            return result;
        }
        finally
        {
            if (media != default) TestPorts.Release(media);
            if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
                System.IO.Directory.Delete(work, recursive: true);
        }
    }

    // The final statistics screen: "  Successful call   |   <periodic>   |   <cumulative>"
    private static int Counter(string stdout, string label)
    {
        var matches = Regex.Matches(stdout, Regex.Escape(label) + @"\s*\|\s*(\d+)\s*\|\s*(\d+)");
        return matches.Count == 0 ? -1 : int.Parse(matches[^1].Groups[2].Value, CultureInfo.InvariantCulture);
    }

    private static string ReadIfExists(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}
