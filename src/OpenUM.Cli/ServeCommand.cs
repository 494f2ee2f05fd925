using System.CommandLine;
using System.Net;
using OpenUM.Server;

namespace OpenUM.Cli;

/// <summary>`openum serve`: runs the UM service until SIGTERM/SIGINT.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var tcp = new Option<int?>("--sip-tcp-port") { Description = "SIP TCP port (default: the UmServer's SipTcpListeningPort, 5060; 0 = any free port)" };
        var tls = new Option<int?>("--sip-tls-port") { Description = "SIP TLS port (default: the UmServer's SipTlsListeningPort, 5061; 0 = any free port)" };
        var fqdn = new Option<string?>("--fqdn") { Description = "This server's FQDN (default: the host name): the name of its self-signed certificate" };
        var udp = new Option<int?>("--sip-udp-port") { Description = "Also listen for SIP over UDP on this port (off by default)" };
        var rtp = new Option<string?>("--rtp-ports") { Description = "RTP port range A-B (default 16384-31999)" };
        var listen = new Option<string?>("--listen-address") { Description = "Address to bind the SIP listeners to (default: all)" };
        var command = new Command("serve", "Run the UM server: answer diverted calls, record and deliver voice messages.\n" +
            "Example: openum serve --sip-tcp-port 5060 --sip-tls-port 5061 --rtp-ports 16384-17383") { tcp, tls, fqdn, udp, rtp, listen };
        command.SetAction(async (result, ct) =>
        {
            var data = CliContext.Data(result);
            OpenUM.Directory.Postgres.StoreLocation? store;
            try
            {
                store = OpenUM.Directory.ConfigurationStores.Resolve(result.GetValue(CliContext.StoreOption), data.Root);
            }
            catch (OpenUM.Directory.ConfigurationValidationException e)
            {
                return Fail("--store", e.Message);
            }
            var options = new ServeOptions(data.Root)
            {
                Store = store,
                SipTcpPort = result.GetValue(tcp),
                SipTlsPort = result.GetValue(tls),
                SipUdpPort = result.GetValue(udp),
            };
            if (result.GetValue(fqdn) is { } name)
            {
                if (Uri.CheckHostName(name) != UriHostNameType.Dns)
                    return Fail("--fqdn", $"'{name}' is not a DNS name (e.g. um.contoso.example).");
                options = options with { Fqdn = name };
            }
            if (result.GetValue(listen) is { } l)
            {
                if (!IPAddress.TryParse(l, out var address))
                    return Fail("--listen-address", $"'{l}' is not an IP address (e.g. 127.0.0.1 or ::).");
                options = options with { ListenAddress = address };
            }
            if (result.GetValue(rtp) is { } range)
            {
                if (!PortRange.TryParse(range, out int first, out int last, out string? error))
                    return Fail("--rtp-ports", error!);
                options = options with { RtpFirstPort = first, RtpLastPort = last };
            }
            foreach (var (option, port) in new[] { ("--sip-tcp-port", options.SipTcpPort), ("--sip-tls-port", options.SipTlsPort), ("--sip-udp-port", options.SipUdpPort) })
                if (port is < 0 or > 65535) return Fail(option, $"{port} is not a port number (0-65535).");
            return await UmHost.RunAsync(options, ct);
        });
        return command;
    }

    private static int Fail(string option, string message)
    {
        Console.Error.WriteLine($"error: {option}: {message}");
        return 2;
    }
}

/// <summary>Parses "A-B" port ranges.</summary>
internal static class PortRange
{
    public static bool TryParse(string text, out int first, out int last, out string? error)
    {
        first = last = 0;
        error = null;
        int dash = text.IndexOf('-');
        if (dash <= 0 || !int.TryParse(text.AsSpan(0, dash), out first) || !int.TryParse(text.AsSpan(dash + 1), out last))
            error = $"'{text}' is not a range like 16384-17383.";
        else if (first < 1024 || last > 65535 || first >= last)
            error = $"'{text}': ports must lie within 1024-65535 with the first below the last.";
        else if (last - first < 3)
            error = $"'{text}' leaves room for less than two calls (each call takes an even RTP port and the odd one after it).";
        return error is null;
    }
}
