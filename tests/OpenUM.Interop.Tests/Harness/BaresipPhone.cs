using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>What happened in one baresip call.</summary>
public sealed record BaresipCallResult(bool Established, bool ClosedByPeer, string CloseReason, string? ReceivedWav,
    IReadOnlyList<string> Events, string Log)
{
    /// <summary>Everything, for failure messages.</summary>
    public string Describe() =>
        $"baresip established={Established} closedByPeer={ClosedByPeer} reason='{CloseReason}' received={ReceivedWav ?? "(none)"}\n" +
        $"--- ctrl_tcp events ---\n{string.Join('\n', Events)}\n--- baresip log ---\n{ProcessResult.Tail(Log, 5000)}";
}

/// <summary>
/// TLS settings of a baresip call: one PEM with certificate and key, and the CA file; optionally an SDES
/// media encryption mode (baresip's account <c>mediaenc</c>: "srtp" = offered on RTP/AVP, "srtp-mand" = RTP/SAVP only).
/// </summary>
public sealed record BaresipTls(string CertificateAndKeyPem, string CaFile, string? MediaEnc = null);

/// <summary>Keys a calling baresip sends (RFC 4733, ctrl_tcp <c>sndcode</c>) <paramref name="At"/> after the call is established.</summary>
public sealed record BaresipDtmf(string Digits, TimeSpan At)
{
    /// <summary>Sends the keys as soon as this holds (checked every 200 ms), at <see cref="At"/> at the latest.</summary>
    public Func<bool>? When { get; init; }

    /// <summary>More keys, sent at their own time (also counted from the call's establishment).</summary>
    public BaresipDtmf? Then { get; init; }
}

/// <summary>
/// baresip 1.0.0 as a headless phone over plain TCP: the microphone is a WAV file, what it hears is
/// written by the sndfile module, and the call is driven through ctrl_tcp (JSON in netstrings).
/// </summary>
public static partial class BaresipPhone
{
    private static readonly TimeSpan SetupGuard = TimeSpan.FromSeconds(20);

    /// <summary>How long a call stays up after its <c>hangUpWhen</c> condition held: the last audio reaches the recording.</summary>
    public static readonly TimeSpan HangUpGrace = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// Calls <paramref name="target"/> (e.g. sip:1000@127.0.0.1:5060), plays <paramref name="microphoneWav"/>
    /// (8 kHz mono s16; the harness pads it with silence because baresip hangs up at its end), and hangs up
    /// <paramref name="holdFor"/> after the call is established unless the server hangs up first.
    /// The received audio is copied to <paramref name="receivedWavPath"/>.
    /// With <paramref name="tls"/> the phone presents that client certificate over TLS (dial a
    /// <c>;transport=tls</c> URI) and its account uses TLS; media stays plain RTP.
    /// With <paramref name="dtmf"/> the phone presses those keys once, at the given time into the call.
    /// With <paramref name="defaultInterface"/> the phone is not told to use 127.0.0.1 (<c>net_interface</c>): it
    /// announces the address of its default interface in SDP, as a phone does out of the box, while SIP and RTP
    /// still go over loopback.
    /// With <paramref name="hangUpWhen"/> the phone hangs up earlier: <see cref="HangUpGrace"/> after the condition
    /// (checked every 200 ms once all keys were sent) first holds, e.g. once the server has marked a message heard.
    /// </summary>
    public static async Task<BaresipCallResult> CallAsync(string target, string microphoneWav, TimeSpan holdFor,
        string receivedWavPath, ITestOutputHelper? log = null, BaresipTls? tls = null, BaresipDtmf? dtmf = null,
        bool defaultInterface = false, Func<bool>? hangUpWhen = null)
    {
        string baresip = Peers.Baresip;
        string work = System.IO.Directory.CreateTempSubdirectory("openum-baresip-").FullName;
        string cfg = System.IO.Directory.CreateDirectory(Path.Combine(work, "cfg")).FullName;
        string rec = System.IO.Directory.CreateDirectory(Path.Combine(work, "rec")).FullName;
        int ports = 0; // the phone's block of TestPorts.RtpRange (SIP, TLS, ctrl_tcp, RTP), given back when it is done
        try
        {
            string mic = Path.Combine(work, "mic.wav");
            await AudioTools.ToTelephoneWavAsync(microphoneWav, mic, padSilenceSeconds: holdFor.TotalSeconds + 60);
            (ports, int ctrlPort) = WriteConfig(cfg, rec, mic, tls, autoAnswer: false, defaultInterface);

            int hardLimit = (int)(holdFor + SetupGuard).TotalSeconds + 60;  // baresip quits by itself at the latest then
            await using var phone = ChildProcess.Start(baresip, ["-4", "-f", cfg, "-t", hardLimit.ToString()], work);
            var call = new CallState();
            bool hangupSent = false;
            using (var ctrl = await ConnectAsync(ctrlPort, phone))
            {
                var stream = ctrl.GetStream();
                var inbox = Channel.CreateUnbounded<JsonElement>();
                using var readerStop = new CancellationTokenSource();
                var reader = ReadNetstringsAsync(stream, inbox.Writer, readerStop.Token);

                await SendAsync(stream, "dial", target);
                var setupDeadline = DateTime.UtcNow + SetupGuard;
                while (!call.Established && !call.Closed && await NextAsync(inbox.Reader, setupDeadline, call.Events) is { } ev)
                    call.Apply(ev);
                if (call.Established && !call.Closed)
                {
                    var holdUntil = DateTime.UtcNow + holdFor;
                    var establishedAt = DateTime.UtcNow;
                    for (var keys = dtmf; keys is not null && !call.Closed; keys = keys.Then)
                    {
                        var keysAt = establishedAt + keys.At;
                        while (!call.Closed && DateTime.UtcNow < keysAt && !(keys.When?.Invoke() ?? false))
                        {
                            var poll = keys.When is null ? keysAt : DateTime.UtcNow.AddMilliseconds(200);
                            while (!call.Closed && await NextAsync(inbox.Reader, poll < keysAt ? poll : keysAt, call.Events) is { } ev)
                                call.Apply(ev);
                        }
                        if (!call.Closed)
                            await SendAsync(stream, "sndcode", keys.Digits);
                    }
                    while (!call.Closed && hangUpWhen is not null && DateTime.UtcNow < holdUntil && !hangUpWhen())
                    {
                        var poll = DateTime.UtcNow.AddMilliseconds(200);
                        while (!call.Closed && await NextAsync(inbox.Reader, poll < holdUntil ? poll : holdUntil, call.Events) is { } ev)
                            call.Apply(ev);
                    }
                    if (hangUpWhen is not null && DateTime.UtcNow + HangUpGrace < holdUntil)
                        holdUntil = DateTime.UtcNow + HangUpGrace;
                    while (!call.Closed && await NextAsync(inbox.Reader, holdUntil, call.Events) is { } ev)
                        call.Apply(ev);
                }
                if (!call.Closed)
                {
                    hangupSent = true;
                    await SendAsync(stream, "hangup", "");
                    var closeDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
                    while (!call.Closed && await NextAsync(inbox.Reader, closeDeadline, call.Events) is { } ev)
                        call.Apply(ev);
                }
                await QuitAsync(stream, phone, readerStop, reader, log);
            }
            return await FinishAsync(phone, rec, receivedWavPath, call, closedByPeer: call.Closed && !hangupSent, log);
        }
        finally
        {
            if (ports != 0) TestPorts.Release((ports, ports + 99));
            if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
                System.IO.Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// baresip as the called party: it answers the first call automatically (TLS on the port handed to
    /// <paramref name="placeCall"/>, which places the call and returns once it has hung up), plays
    /// <paramref name="microphoneWav"/> and copies what it heard to <paramref name="receivedWavPath"/>.
    /// </summary>
    public static async Task<BaresipCallResult> AnswerAsync(string microphoneWav, string receivedWavPath, BaresipTls tls,
        Func<int, Task> placeCall, TimeSpan hardLimit, ITestOutputHelper? log = null)
    {
        string baresip = Peers.Baresip;
        string work = System.IO.Directory.CreateTempSubdirectory("openum-baresip-").FullName;
        string cfg = System.IO.Directory.CreateDirectory(Path.Combine(work, "cfg")).FullName;
        string rec = System.IO.Directory.CreateDirectory(Path.Combine(work, "rec")).FullName;
        int ports = 0; // the phone's block of TestPorts.RtpRange (SIP, TLS, ctrl_tcp, RTP), given back when it is done
        try
        {
            string mic = Path.Combine(work, "mic.wav");
            await AudioTools.ToTelephoneWavAsync(microphoneWav, mic, padSilenceSeconds: hardLimit.TotalSeconds);
            (ports, int ctrlPort) = WriteConfig(cfg, rec, mic, tls, autoAnswer: true);
            int sipPort = ports;
            await using var phone = ChildProcess.Start(baresip, ["-4", "-f", cfg, "-t", ((int)hardLimit.TotalSeconds).ToString()], work);
            var call = new CallState();
            using (var ctrl = await ConnectAsync(ctrlPort, phone))
            {
                var stream = ctrl.GetStream();
                var inbox = Channel.CreateUnbounded<JsonElement>();
                using var readerStop = new CancellationTokenSource();
                var reader = ReadNetstringsAsync(stream, inbox.Writer, readerStop.Token);
                await placeCall(sipPort + 1);
                var closeDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
                while (!call.Closed && await NextAsync(inbox.Reader, closeDeadline, call.Events) is { } ev)
                    call.Apply(ev);
                await QuitAsync(stream, phone, readerStop, reader, log);
            }
            return await FinishAsync(phone, rec, receivedWavPath, call, closedByPeer: false, log);
        }
        finally
        {
            if (ports != 0) TestPorts.Release((ports, ports + 99));
            if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
                System.IO.Directory.Delete(work, recursive: true);
        }
    }

    // The call as ctrl_tcp reported it.
    private sealed class CallState
    {
        public List<string> Events { get; } = [];
        public bool Established { get; private set; }
        public bool Closed { get; private set; }
        public string Reason { get; private set; } = "";

        public void Apply(JsonElement ev)
        {
            string type = ev.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
            if (type == "CALL_ESTABLISHED")
                Established = true;
            else if (type == "CALL_CLOSED")
            {
                Closed = true;
                Reason = ev.TryGetProperty("param", out var p) ? p.GetString() ?? "" : "";
            }
        }
    }

    private static async Task QuitAsync(NetworkStream stream, ChildProcess phone, CancellationTokenSource readerStop, Task reader, ITestOutputHelper? log)
    {
        await SendAsync(stream, "quit", "");
        if (!await phone.WaitForExitAsync(TimeSpan.FromSeconds(10)))
            log?.WriteLine("baresip did not quit within 10 s: killed");
        readerStop.Cancel();
        try { await reader; } catch (OperationCanceledException) { } catch (IOException) { }
    }

    // The last call's decoded audio (sndfile writes dump-<time>-dec.wav) is copied out before the work dir goes. When the
    // phone placed more than one call (it follows a REFER), each is also kept as <name>-call<N>.wav, in order.
    private static async Task<BaresipCallResult> FinishAsync(ChildProcess phone, string rec, string receivedWavPath, CallState call,
        bool closedByPeer, ITestOutputHelper? log)
    {
        await phone.WaitForExitAsync(TimeSpan.FromSeconds(5));
        string[] decs = [.. System.IO.Directory.GetFiles(rec, "dump-*-dec.wav").OrderBy(f => f, StringComparer.Ordinal)];
        string? dec = decs.LastOrDefault();
        if (dec is not null)
            File.Copy(dec, receivedWavPath, overwrite: true);
        for (int i = 0; decs.Length > 1 && i < decs.Length; i++)
            File.Copy(decs[i], Path.ChangeExtension(receivedWavPath, null) + $"-call{i + 1}.wav", overwrite: true);
        var result = new BaresipCallResult(call.Established, closedByPeer, call.Reason, dec is null ? null : receivedWavPath,
            call.Events, phone.StdOut + phone.StdErr);
        log?.WriteLine(result.Describe());
        return result;
    }

    // One baresip configuration directory; returns the SIP port (TLS is the next one) and the ctrl_tcp port.
    private static (int Sip, int Ctrl) WriteConfig(string cfg, string rec, string mic, BaresipTls? tls, bool autoAnswer,
        bool defaultInterface = false)
    {
        var (sipPort, ctrlPort, rtpFirst) = PickPorts();
        string template = Resources.Text("Baresip/config.template");
        if (defaultInterface)
            template = string.Join('\n', template.Split('\n').Where(l => !l.StartsWith("net_interface", StringComparison.Ordinal)));
        File.WriteAllText(Path.Combine(cfg, "config"), template
            .Replace("{{SIP_PORT}}", sipPort.ToString()).Replace("{{CTRL_PORT}}", ctrlPort.ToString())
            .Replace("{{RTP_FIRST}}", rtpFirst.ToString()).Replace("{{RTP_LAST}}", (rtpFirst + 19).ToString())
            .Replace("{{REC_DIR}}", rec).Replace("{{MIC_WAV}}", mic)
            + (tls is null ? "" : $"\nsip_certificate\t\t{tls.CertificateAndKeyPem}\nsip_cafile\t\t{tls.CaFile}\n")
            + (tls?.MediaEnc is null ? "" : "module\t\t\tsrtp.so\n"));
        string account = Resources.Text("Baresip/accounts.template").Replace("{{USER}}", "interop");
        if (autoAnswer)
            account = account.Replace("answermode=manual", "answermode=auto");
        if (tls is not null)
            account = account.Replace(";transport=tcp", ";transport=tls").TrimEnd() + (tls.MediaEnc is null ? "" : $";mediaenc={tls.MediaEnc}") + "\n";
        File.WriteAllText(Path.Combine(cfg, "accounts"), account);
        File.WriteAllText(Path.Combine(cfg, "contacts"), "");
        return (sipPort, ctrlPort);
    }

    // SIP on P (baresip also opens TLS on P+1), ctrl_tcp on P+2, RTP from P+10: all below 32768.
    private static (int Sip, int Ctrl, int RtpFirst) PickPorts()
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            int p = TestPorts.RtpRange(100).First;
            if (TestPorts.ListenerFree(p) && TestPorts.ListenerFree(p + 1) && TestPorts.ListenerFree(p + 2))
                return (p, p + 2, p + 10);
        }
        throw new InvalidOperationException("no free port block for baresip");
    }

    private static async Task<TcpClient> ConnectAsync(int port, ChildProcess phone)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var client = new TcpClient();
            try
            {
                await client.ConnectAsync("127.0.0.1", port);
                return client;
            }
            catch (SocketException)
            {
                client.Dispose();
                if (phone.HasExited || DateTime.UtcNow > deadline)
                    throw new InvalidOperationException(
                        $"baresip ctrl_tcp 127.0.0.1:{port} not reachable (exited={phone.HasExited})\n{phone.StdOut}{phone.StdErr}");
                await Task.Delay(100);
            }
        }
    }

    private static async Task SendAsync(NetworkStream stream, string command, string parameters)
    {
        string json = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["command"] = command, ["params"] = parameters, ["token"] = command,
        });
        byte[] body = Encoding.UTF8.GetBytes(json);
        byte[] frame = [.. Encoding.ASCII.GetBytes($"{body.Length}:"), .. body, (byte)','];
        try
        {
            await stream.WriteAsync(frame);
        }
        catch (IOException)
        {
            // baresip already gone; the caller sees that from the events/exit
        }
    }

    private static async Task<JsonElement?> NextAsync(ChannelReader<JsonElement> inbox, DateTime deadline, List<string> seen)
    {
        var left = deadline - DateTime.UtcNow;
        if (left <= TimeSpan.Zero)
            return null;
        using var cts = new CancellationTokenSource(left);
        try
        {
            var ev = await inbox.ReadAsync(cts.Token);
            seen.Add(ev.GetRawText());
            return ev;
        }
        catch (OperationCanceledException) { return null; }
        catch (ChannelClosedException) { return null; }
    }

    // Netstring framing: "<length>:<json>,".
    private static async Task ReadNetstringsAsync(NetworkStream stream, ChannelWriter<JsonElement> inbox, CancellationToken ct)
    {
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(chunk, ct);
                if (n == 0)
                    return;
                buffer.AddRange(chunk.AsSpan(0, n));
                while (true)
                {
                    int colon = buffer.IndexOf((byte)':');
                    if (colon < 0 || !int.TryParse(Encoding.ASCII.GetString([.. buffer.GetRange(0, colon)]), out int len))
                        break;
                    if (buffer.Count < colon + 1 + len + 1)
                        break;
                    byte[] json = [.. buffer.GetRange(colon + 1, len)];
                    buffer.RemoveRange(0, colon + 1 + len + 1);
                    try
                    {
                        using var doc = JsonDocument.Parse(json);
                        inbox.TryWrite(doc.RootElement.Clone());
                    }
                    catch (JsonException)
                    {
                        // not an event we understand
                    }
                }
            }
        }
        finally
        {
            inbox.TryComplete();
        }
    }
}
