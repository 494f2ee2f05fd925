using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Tls;

/// <summary>What a capture says about the TLS port and the RTP range.</summary>
public sealed record CaptureVerdict(int TlsRecords, int ClientHellos, int FramesWithSipText, int DecodedSip,
    int RtpToServer, int RtpFromServer, int PlainG711Packets, int OtherPayloadPackets, string PayloadHistogram)
{
    /// <summary>For messages.</summary>
    public override string ToString() =>
        $"tls_records={TlsRecords} client_hellos={ClientHellos} frames_with_\"SIP/2.0\"={FramesWithSipText} sip_decoded={DecodedSip} " +
        $"rtp_to_server={RtpToServer} rtp_from_server={RtpFromServer} pcmu_160_byte_payloads={PlainG711Packets} other_payloads={OtherPayloadPackets} " +
        $"payload_lengths=[{PayloadHistogram}]";
}

/// <summary>
/// tshark on the loopback interface (needs root, or capture rights), writing a pcapng; stopped with SIGINT
/// (bounded also by its own duration limit). <see cref="AnalyzeAsync"/> reads the file back with tshark.
/// </summary>
public sealed class LoopbackCapture : IAsyncDisposable
{
    private const int SIGINT = 2;
    private readonly ChildProcess _tshark;
    private readonly string _work;

    private LoopbackCapture(ChildProcess tshark, string work, string file)
    {
        _tshark = tshark;
        _work = work;
        File = file;
    }

    /// <summary>The capture file.</summary>
    public string File { get; }

    /// <summary>Starts tshark with a BPF filter and waits until it captures; fails clearly if it cannot.</summary>
    public static async Task<LoopbackCapture> StartAsync(string bpf, TimeSpan maxDuration)
    {
        string tshark = Peers.Require("tshark", "tshark");
        string work = System.IO.Directory.CreateTempSubdirectory("openum-capture-").FullName;
        string file = Path.Combine(work, "capture.pcapng");
        var process = ChildProcess.Start(tshark,
            ["-i", "lo", "-q", "-f", bpf, "-a", $"duration:{(int)maxDuration.TotalSeconds}", "-c", "2000000", "-w", file], work);
        var capture = new LoopbackCapture(process, work, file);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!process.StdErr.Contains("Capturing on", StringComparison.Ordinal))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                string why = $"tshark cannot capture on lo (exited={process.HasExited}; it must run as root or with capture rights): " +
                    $"$ {process.Command}\n{process.StdOut}{process.StdErr}";
                await capture.DisposeAsync();
                Assert.Fail(why);
            }
            await Task.Delay(100);
        }
        return capture;
    }

    /// <summary>Stops the capture (SIGINT) and waits until tshark has written the file.</summary>
    public async Task StopAsync()
    {
        if (!_tshark.HasExited)
            Posix.Signal(_tshark.Id, SIGINT);
        bool exited = await _tshark.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exited, "tshark did not stop within 30 s of SIGINT (killed)\n" + _tshark.StdErr);
        Assert.True(System.IO.File.Exists(File), $"tshark wrote no capture file\n{_tshark.StdOut}{_tshark.StdErr}");
    }

    /// <summary>
    /// Reads the capture: TLS records and "SIP/2.0" text on <paramref name="tlsPort"/>, and the RTP to and from
    /// the server's RTP range (RTP heuristic): plain PCMU @20 ms is payload type 0 with 160-byte payloads
    /// (172-byte datagrams); SRTP would add an authentication tag.
    /// </summary>
    public async Task<CaptureVerdict> AnalyzeAsync(int tlsPort, (int First, int Last) serverRtp)
    {
        string tls = $"tcp.port=={tlsPort},tls";
        int records = (await FieldsAsync(["-d", tls, "-Y", $"tls.record && tcp.port=={tlsPort}", "-T", "fields", "-e", "tls.record.length"]))
            .Sum(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries).Length);
        int hellos = (await FieldsAsync(["-d", tls, "-Y", $"tls.handshake.type==1 && tcp.port=={tlsPort}", "-T", "fields", "-e", "frame.number"])).Count;
        int sipText = (await FieldsAsync(["-Y", $"tcp.port=={tlsPort} && frame contains \"SIP/2.0\"", "-T", "fields", "-e", "frame.number"])).Count;
        int sipDecoded = (await FieldsAsync(["-d", tls, "-Y", $"(sip.Request-Line || sip.Status-Line) && tcp.port=={tlsPort}", "-T", "fields", "-e", "frame.number"])).Count;

        // The RTP heuristic before any port's dissector: the peer's random RTP port may be one Wireshark gives to
        // another protocol (27910 is Quake II's), which would hide the stream in both directions.
        var rtp = await FieldsAsync(["--enable-heuristic", "rtp_udp", "-o", "udp.try_heuristic_first:TRUE",
            "-Y", $"rtp && ((udp.srcport>={serverRtp.First} && udp.srcport<={serverRtp.Last}) || (udp.dstport>={serverRtp.First} && udp.dstport<={serverRtp.Last}))",
            "-T", "fields", "-E", "separator=;", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "rtp.p_type", "-e", "udp.length"]);
        int toServer = 0, fromServer = 0, g711 = 0, other = 0;
        var histogram = new SortedDictionary<int, int>();
        foreach (string line in rtp)
        {
            string[] f = line.Split(';');
            if (f.Length < 4 || !int.TryParse(f[0], out int src) || !int.TryParse(f[1], out int dst) || !int.TryParse(f[3], out int udpLength))
                continue;
            bool fromSrv = src >= serverRtp.First && src <= serverRtp.Last;
            if (fromSrv) fromServer++; else toServer++;
            int payload = udpLength - 8 - 12;
            histogram[payload] = histogram.GetValueOrDefault(payload) + 1;
            if (f[2] == "0" && payload == 160) g711++;
            else if (f[2] == "0") other++;
        }
        return new CaptureVerdict(records, hellos, sipText, sipDecoded, toServer, fromServer, g711, other,
            string.Join(' ', histogram.Select(kv => $"{kv.Key}x{kv.Value}")));
    }

    /// <summary>
    /// The audio the server was sent, as an eavesdropper would decode it: the 160 bytes after the 12-byte RTP header
    /// of every PCMU packet to <paramref name="serverRtp"/>, in capture order, decoded as G.711 µ-law. On plain RTP
    /// this is the caller's audio; on SRTP it is ciphertext and decodes to noise. With <paramref name="fromServer"/>
    /// the packets the server sent instead (what it played to a phone it called).
    /// </summary>
    public async Task<short[]> PcmuHeardOnTheWireAsync((int First, int Last) serverRtp, bool fromServer = false)
    {
        string port = fromServer ? "udp.srcport" : "udp.dstport";
        var lines = await FieldsAsync(["--enable-heuristic", "rtp_udp", "-o", "udp.try_heuristic_first:TRUE",
            "-Y", $"rtp && rtp.p_type==0 && {port}>={serverRtp.First} && {port}<={serverRtp.Last}",
            "-T", "fields", "-e", "udp.payload"]);
        var samples = new List<short>(lines.Count * 160);
        foreach (string line in lines)
        {
            byte[] datagram = Convert.FromHexString(line.Replace(":", ""));
            if (datagram.Length < 12 + 160)
                continue;
            foreach (byte b in datagram.AsSpan(12, 160))
                samples.Add(OpenUM.Media.Audio.G711.MuLawToLinear(b));
        }
        return [.. samples];
    }

    private async Task<List<string>> FieldsAsync(string[] args)
    {
        var result = await ChildProcess.RunAsync(Peers.Require("tshark", "tshark"), ["-r", File, .. args], TimeSpan.FromSeconds(120), _work);
        Assert.True(result.ExitCode == 0 && !result.HungAndKilled, "tshark analysis failed:\n" + result.Describe());
        return result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    /// <summary>Stops tshark if running and removes the capture.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_tshark.HasExited)
        {
            Posix.Signal(_tshark.Id, SIGINT);
            await _tshark.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        await _tshark.DisposeAsync();
        if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
            try { System.IO.Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }
}
