using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Calls;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Session;
using OpenUM.Security;
using OpenUM.Server.Logging;
using OpenUM.Sip.Transport;

namespace OpenUM.Management;

/// <summary>`openum test-connectivity` (Test-UMConnectivity): a real test call to a UM server.</summary>
internal static class TestConnectivityCommand
{
    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "UM server to call (default 127.0.0.1, the local server)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int?>("--port") { Description = "Its SIP TCP port (default: the local server's SipTcpListeningPort, 5060)" };
        var extension = new Option<string?>("--extension") { Description = "Extension to call (default: the first mailbox of the local configuration, else 1000)" };
        var secured = new Option<bool>("--secured") { Description = "Call over mutual TLS (default false): presents this server's certificate, verifies the server's" };
        var mediaSecured = new Option<bool>("--media-secured") { Description = "Require SRTP (a Secured dial plan; needs --secured true): the call fails if the server answers plain RTP" };
        var certificate = new Option<string?>("--certificate") { Description = "Thumbprint of the certificate to present (default: the one the local server uses)" };
        var fqdn = new Option<string?>("--fqdn") { Description = "Name the server's certificate must carry (default: the name of the local server's certificate)" };
        var rtp = new Option<string>("--rtp-ports") { Description = "Local RTP port range for the test call", DefaultValueFactory = _ => "32000-32766" };
        var command = new Command("test-connectivity", "Place a test call (SIP + RTP + DTMF) and report whether the UM server handled it; when the server runs on this " +
            "machine, also wait (up to 20 s) for its event saying where the voice message went (Message).\n" +
            "Example: openum test-connectivity --host 127.0.0.1 --port 5060 --extension 1000 --json\n" +
            "Example: openum test-connectivity --secured true --media-secured true") { host, port, extension, secured, mediaSecured, certificate, fqdn, rtp };
        command.SetAction(async (result, ct) =>
        {
            if (!IPAddress.TryParse(result.GetValue(host), out var address))
            {
                try { address = (await Dns.GetHostAddressesAsync(result.GetValue(host)!, ct))[0]; }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or IndexOutOfRangeException)
                {
                    CommandConsole.Error.WriteLine($"error: --host: '{result.GetValue(host)}' does not resolve.");
                    return 2;
                }
            }
            if (!PortRange.TryParse(result.GetValue(rtp)!, out int first, out int last, out string? rangeError))
            {
                CommandConsole.Error.WriteLine($"error: --rtp-ports: {rangeError}");
                return 2;
            }
            bool tls = result.GetValue(secured);
            bool srtp = result.GetValue(mediaSecured);
            if (srtp && !tls)
            {
                CommandConsole.Error.WriteLine("error: --media-secured: SRTP keys travel in the SDP, so a media-secured call needs --secured true (mutual TLS).");
                return 2;
            }
            var (defaultPort, defaultExtension) = LocalDefaults(result, tls, srtp);
            var target = new IPEndPoint(address, result.GetValue(port) ?? defaultPort);
            TlsContext? context = null;
            string? serverName = result.GetValue(fqdn);
            if (tls)
            {
                try { (context, serverName) = CliTls.ClientContext(result, result.GetValue(certificate), serverName, "--certificate"); }
                catch (Exception e) when (e is CliException or CertificateStoreException)
                {
                    CommandConsole.Error.WriteLine(result.GetValue(certificate) is null ? $"error: {e.Message}" : $"error: --certificate: {e.Message}");
                    return 2;
                }
            }
            var test = new ConnectivityTest(TimeProvider.System, NullLogger.Instance);
            var outcome = await test.RunAsync(target, result.GetValue(extension) ?? defaultExtension, new RtpPortRange(first, last), ct,
                context, serverName, srtp);
            if (outcome.EntireOperationSuccess && LocalAddresses.IsLocal(address))
                outcome = outcome with { Message = await AwaitMessageAsync(CliContext.Data(result).EventLog, outcome.CallId, ct) };
            if (result.GetValue(CliContext.JsonOption))
                CommandConsole.Out.WriteLine(JsonSerializer.Serialize(outcome, CliContext.Json));
            else
                Table.WriteList(CommandConsole.Out, outcome, new Dictionary<string, Func<object?, string>> { ["Latency"] = v => Table.Milliseconds((double)v!) });
            return outcome.EntireOperationSuccess ? 0 : 1;
        });
        return command;
    }

    // The server hangs up, then hands the message over: a moment later, not before the BYE. When the server is this
    // machine's, its event log says where the message went; waiting for that (at most MessageWait) means the command
    // after this one finds the message, and the report says where.
    private static readonly TimeSpan MessageWait = TimeSpan.FromSeconds(20);

    // The events of a voice message's fate that carry its call: delivered (to the maildir or the outbox), delivered
    // after a retry, waiting in the spool, failed, lost.
    private static readonly int[] MessageEvents = [2001, 2067, 2065, 2004, 2066];

    // Reads the current events.jsonl once, then only what is appended (a rotation starts it over, after the rest of the
    // rotated file): not the whole log, rotated files included, five times a second.
    private static async Task<string> AwaitMessageAsync(string eventLog, string callId, CancellationToken ct)
    {
        if (callId.Length == 0 || !File.Exists(eventLog)) return "";
        var until = DateTime.UtcNow + MessageWait;
        long offset = 0;
        while (true)
        {
            if (File.Exists(eventLog) && new FileInfo(eventLog).Length < offset)
            {
                if (Scan(EventLogFiles.RotatedPath(eventLog, 1), ref offset, callId) is { } beforeRotation) return beforeRotation;
                offset = 0;
            }
            if (Scan(eventLog, ref offset, callId) is { } found) return found;
            if (DateTime.UtcNow >= until) return $"not reported within {MessageWait.TotalSeconds:F0} s (see: openum events)";
            await Task.Delay(200, ct);
        }
    }

    // The call's fate event among the complete lines of path after offset; offset moves past the lines read.
    private static string? Scan(string path, ref long offset, string callId)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            file.Position = offset;
            var buffer = new byte[64 * 1024];
            int kept = 0;
            for (int n; (n = file.Read(buffer, kept, buffer.Length - kept)) > 0;)
            {
                int filled = kept + n, start = 0;
                for (int nl; (nl = Array.IndexOf(buffer, (byte)'\n', start, filled - start)) >= 0; start = nl + 1)
                {
                    offset += nl + 1 - start;
                    if (MessageEvent(Encoding.UTF8.GetString(buffer, start, nl - start), callId) is { } message) return message;
                }
                kept = filled - start;
                if (kept == buffer.Length) (offset, kept) = (offset + kept, 0); // a line longer than any event of ours: skipped
                else Buffer.BlockCopy(buffer, start, buffer, 0, kept);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }

    private static string? MessageEvent(string line, string callId)
    {
        if (!line.Contains(callId, StringComparison.Ordinal)) return null;
        try
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            return e.TryGetProperty("id", out var id) && id.TryGetInt32(out int n) && MessageEvents.Contains(n)
                && e.TryGetProperty("properties", out var p) && p.TryGetProperty("callId", out var c) && c.GetString() == callId
                ? e.GetProperty("message").GetString() : null;
        }
        catch (JsonException) { return null; }
    }

    /// <summary>The local server's port and first mailbox, when this data directory has a configuration.</summary>
    private static (int Port, string Extension) LocalDefaults(ParseResult result, bool tls, bool srtp)
    {
        var data = CliContext.Data(result);
        using var store = CliContext.OpenExistingStore(result, data);
        if (store is null) return (tls ? 5061 : 5060, "1000");
        var config = store.Load();
        var server = config.FindUmServer(Environment.MachineName);
        int port = tls ? server?.SipTlsListeningPort ?? 5061 : server?.SipTcpListeningPort ?? 5060;
        bool Fits(Mailbox m) => config.FindDialPlan(m.DialPlan) is { } plan
            && (srtp ? plan.VoipSecurity == VoipSecurity.Secured : plan.IsSecured == tls && !(tls && plan.VoipSecurity == VoipSecurity.Secured));
        var mailbox = config.Mailboxes.FirstOrDefault(Fits)
            ?? config.Mailboxes.FirstOrDefault(m => config.FindDialPlan(m.DialPlan)?.IsSecured == tls) ?? config.Mailboxes.FirstOrDefault();
        return (port, mailbox?.Extension ?? "1000");
    }
}
