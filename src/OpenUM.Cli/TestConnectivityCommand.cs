using System.CommandLine;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Calls;
using OpenUM.Directory;
using OpenUM.Media;

namespace OpenUM.Cli;

/// <summary>`openum test-connectivity` (Test-UMConnectivity): a real test call to a UM server.</summary>
internal static class TestConnectivityCommand
{
    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "UM server to call (default 127.0.0.1, the local server)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int?>("--port") { Description = "Its SIP TCP port (default: the local server's SipTcpListeningPort, 5060)" };
        var extension = new Option<string?>("--extension") { Description = "Extension to call (default: the first mailbox of the local configuration, else 1000)" };
        var secured = new Option<bool>("--secured") { Description = "Call over mutual TLS (not available yet: only --secured false)" };
        var rtp = new Option<string>("--rtp-ports") { Description = "Local RTP port range for the test call", DefaultValueFactory = _ => "32000-32766" };
        var command = new Command("test-connectivity", "Place a test call (SIP + RTP + DTMF) and report whether the UM server handled it.\n" +
            "Example: openum test-connectivity --host 127.0.0.1 --port 5060 --extension 1000 --json") { host, port, extension, secured, rtp };
        command.SetAction(async (result, ct) =>
        {
            if (result.GetValue(secured))
            {
                Console.Error.WriteLine("error: --secured: mutual TLS test calls are not available yet; use --secured false.");
                return 2;
            }
            if (!IPAddress.TryParse(result.GetValue(host), out var address))
            {
                try { address = (await Dns.GetHostAddressesAsync(result.GetValue(host)!, ct))[0]; }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or IndexOutOfRangeException)
                {
                    Console.Error.WriteLine($"error: --host: '{result.GetValue(host)}' does not resolve.");
                    return 2;
                }
            }
            if (!PortRange.TryParse(result.GetValue(rtp)!, out int first, out int last, out string? rangeError))
            {
                Console.Error.WriteLine($"error: --rtp-ports: {rangeError}");
                return 2;
            }
            var (defaultPort, defaultExtension) = LocalDefaults(result);
            var target = new IPEndPoint(address, result.GetValue(port) ?? defaultPort);
            var test = new ConnectivityTest(TimeProvider.System, NullLogger.Instance);
            var outcome = await test.RunAsync(target, result.GetValue(extension) ?? defaultExtension, new RtpPortRange(first, last), ct);
            if (result.GetValue(CliContext.JsonOption))
                Console.WriteLine(JsonSerializer.Serialize(outcome, CliContext.Json));
            else
                Table.WriteList(Console.Out, outcome);
            return outcome.EntireOperationSuccess ? 0 : 1;
        });
        return command;
    }

    /// <summary>The local server's port and first mailbox, when this data directory has a configuration.</summary>
    private static (int Port, string Extension) LocalDefaults(ParseResult result)
    {
        var data = CliContext.Data(result);
        if (!File.Exists(data.ConfigDatabase)) return (5060, "1000");
        using var store = new SqliteConfigurationStore(data.ConfigDatabase);
        var config = store.Load();
        int port = config.UmServers.FirstOrDefault(s => string.Equals(s.Name, Environment.MachineName, StringComparison.OrdinalIgnoreCase))?.SipTcpListeningPort ?? 5060;
        return (port, config.Mailboxes.FirstOrDefault()?.Extension ?? "1000");
    }
}
