using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Media;

/// <summary>SIPp calls of the media tests (Scenarios/caller-media-elsewhere.xml, caller-external-media.xml).</summary>
internal static class MediaCalls
{
    /// <summary>
    /// TEST-NET-1 (RFC 5737): a documentation address that belongs to no host of the test, for an SDP that names
    /// where a gateway behind NAT thinks it is. Tests that use it run the server and SIPp in a
    /// <see cref="PrivateNetwork"/>, where it is unreachable: the server's packets to it (before it has learned the
    /// real source) fail at once instead of leaving the machine.
    /// </summary>
    public const string ElsewhereAddress = "192.0.2.250";

    /// <summary>SIPp streams its clip this long after the ACK (the scenario's pause), so a stranger can send first.</summary>
    public static readonly TimeSpan StreamDelay = TimeSpan.FromSeconds(1);

    /// <summary>Greeting of mailbox 1000 plus the beep: when the recording starts, counted from the answer.</summary>
    public static TimeSpan GreetingAndBeep =>
        TimeSpan.FromSeconds(ExpectedPrompts.DefaultGreeting("1000").Length / (double)RecordingCheck.Rate + 0.5);

    /// <summary>
    /// Starts SIPp calling <paramref name="extension"/> with an SDP naming <paramref name="sdpAddress"/>; its RTP
    /// (<paramref name="clip"/>, from <see cref="StreamDelay"/> after the ACK) leaves from 127.0.0.1 whatever the
    /// SDP says. BYE <paramref name="hold"/> after the ACK. Returns the run and the file the server's RTP port is
    /// written to.
    /// </summary>
    public static async Task<(Task<SippResult> Run, string PortFile)> StartElsewhereAsync(OpenUmProcess um, string work, string clipWav,
        string sdpAddress, TimeSpan hold, ITestOutputHelper output, string extension = "1000", PrivateNetwork? network = null)
    {
        string ulaw = Path.Combine(work, Path.GetFileNameWithoutExtension(clipWav) + "-" + Guid.NewGuid().ToString("N")[..8] + ".ulaw");
        await AudioTools.ToMuLawRawAsync(clipWav, ulaw);
        string portFile = Path.Combine(work, "server-port-" + Guid.NewGuid().ToString("N")[..8]);
        var run = Sipp.RunAsync(new SippOptions("caller-media-elsewhere.xml", um.SipPort, extension)
        {
            PauseMs = (int)hold.TotalMilliseconds - (int)StreamDelay.TotalMilliseconds,
            Timeout = hold + TimeSpan.FromSeconds(30),
            Keys = new Dictionary<string, string> { ["sdp_address"] = sdpAddress, ["port_file"] = portFile },
            Network = network,
            Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw },
        }, output);
        return (run, portFile);
    }

    /// <summary>
    /// Starts SIPp calling <paramref name="extension"/> with an SDP naming 127.0.0.1:<paramref name="sdpPort"/>, where
    /// the test sends RTP itself; BYE <paramref name="hold"/> after the ACK.
    /// </summary>
    public static (Task<SippResult> Run, string PortFile) StartExternal(OpenUmProcess um, string work, int sdpPort, TimeSpan hold,
        ITestOutputHelper output, string extension)
    {
        string portFile = Path.Combine(work, "server-port-" + Guid.NewGuid().ToString("N")[..8]);
        var run = Sipp.RunAsync(new SippOptions("caller-external-media.xml", um.SipPort, extension)
        {
            PauseMs = (int)hold.TotalMilliseconds,
            Timeout = hold + TimeSpan.FromSeconds(30),
            Keys = new Dictionary<string, string> { ["sdp_port"] = sdpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), ["port_file"] = portFile },
        }, output);
        return (run, portFile);
    }

    /// <summary>Asserts SIPp's own verdict: its one call succeeded.</summary>
    public static void AssertCallSucceeded(SippResult sipp, OpenUmProcess um) =>
        Assert.True(sipp.ExitCode == 0 && sipp.Successful == 1, $"the SIPp call failed\n{sipp.Describe()}\n{um.EventsText()}\n{um.ServerOutput}");
}
