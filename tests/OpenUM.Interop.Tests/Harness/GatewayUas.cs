using System.Globalization;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// The phone a gateway would ring after a REFER (call back, operator, auto attendant): SIPp answering over TCP, the
/// transport the REFERs name, with its message log read while it runs.
/// </summary>
internal static class GatewayUas
{
    /// <summary>Starts SIPp answering <paramref name="calls"/> calls on <paramref name="port"/> (media two above), logging to <paramref name="messages"/>.</summary>
    public static ChildProcess Start(string work, int port, int rtpPort, string messages, int calls = 1)
    {
        string scenario = Resources.WriteTo("Scenarios/uas-answers.xml", work);
        var uas = ChildProcess.Start(Peers.Sipp,
        [
            "-sf", scenario, "-t", "t1", "-i", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture),
            "-mp", (port + 2).ToString(CultureInfo.InvariantCulture), "-m", calls.ToString(CultureInfo.InvariantCulture),
            "-key", "rtp_port", rtpPort.ToString(CultureInfo.InvariantCulture),
            "-timeout", "120", "-timeout_error", "-nostdin", "-trace_msg", "-message_file", messages,
        ], work);
        for (int i = 0; i < 100 && TestPorts.ListenerFree(port); i++) Thread.Sleep(100);
        Assert.False(TestPorts.ListenerFree(port), "SIPp UAS is not listening\n" + uas.StdOut + uas.StdErr);
        return uas;
    }

    /// <summary>What SIPp has logged so far (it keeps the file open for writing).</summary>
    public static async Task<string> ReadLogAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    /// <summary>A free SIP port in 35000-35999, SIPp's media base two above (a block of six, claimed for this process).</summary>
    public static int FreePort() => TestPorts.ClaimBlock(35000, 35999, 6);
}
