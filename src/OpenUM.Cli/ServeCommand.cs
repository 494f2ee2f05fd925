using System.CommandLine;
using System.Net;
using OpenUM.Server;
using OpenUM.Server.Logging;
using OpenUM.Management;

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
        var logTarget = new Option<string?>("--log-target") { Description = "Where events go: file (the console and <data-dir>/events.jsonl, the default), journald (the systemd journal only) or both (the journal and events.jsonl)" };
        var logMaxSize = new Option<string?>("--event-log-max-size") { Description = "MB events.jsonl may reach before it is renamed events.1.jsonl (1-1024, default 10)" };
        var logFiles = new Option<string?>("--event-log-files") { Description = "Rotated event files kept besides events.jsonl; older ones are deleted (1-100, default 9)" };
        var metricsListen = new Option<string?>("--metrics-listen") { Description = "Serve GET /metrics (Prometheus) and GET /health on ADDRESS:PORT, or on loopback for a bare PORT (off by default; see docs/monitoring.md)" };
        var metricsTls = new Option<string?>("--metrics-tls") { Description = "true: the metrics endpoint speaks HTTPS with the server's certificate (default false)" };
        var apiPort = new Option<string?>("--admin-api-port") { Description = "Serve the HTTPS admin API on this port (off by default; 0 = any free port; see docs/admin-api.md)" };
        var apiAddress = new Option<string?>("--admin-api-address") { Description = "Address the admin API listens on (default 127.0.0.1; needs --admin-api-port)" };
        var command = new Command("serve", "Run the UM server: answer diverted calls, record and deliver voice messages.\n" +
            "Example: openum serve --sip-tcp-port 5060 --sip-tls-port 5061 --rtp-ports 16384-17383") { tcp, tls, fqdn, udp, rtp, listen, logTarget, logMaxSize, logFiles, metricsListen, metricsTls, apiPort, apiAddress };
        command.SetAction(async (result, ct) =>
        {
            ResidentTiering.Ensure();
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
            if (EventLogOptions(result.GetValue(logTarget), result.GetValue(logMaxSize), result.GetValue(logFiles), ref options) is { } failed)
                return failed;
            if (MetricsOptionsOf(result.GetValue(metricsListen), result.GetValue(metricsTls), ref options) is { } wrong)
                return wrong;
            if (AdminApiOf(result.GetValue(apiPort), result.GetValue(apiAddress), ref options) is { } badApi)
                return badApi;
            foreach (var (option, port) in new[] { ("--sip-tcp-port", options.SipTcpPort), ("--sip-tls-port", options.SipTlsPort), ("--sip-udp-port", options.SipUdpPort) })
                if (port is < 0 or > 65535) return Fail(option, $"{port} is not a port number (0-65535).");
            // The admin API replays its requests through this very command tree (the one `openum` runs), with the server's --store.
            var root = (System.CommandLine.RootCommand)result.RootCommandResult.Command;
            string? storeText = result.GetValue(CliContext.StoreOption);
            return await UmHost.RunAsync(options, ct, options.AdminApi is not { } api ? null : services =>
                OpenUM.AdminApi.AdminApiService.Register(services, new OpenUM.AdminApi.AdminApiSettings(api, data.Root, storeText), root));
        });
        return command;
    }

    /// <summary>--log-target, --event-log-max-size, --event-log-files; the exit code when one is wrong.</summary>
    private static int? EventLogOptions(string? target, string? maxSizeText, string? filesText, ref ServeOptions options)
    {
        // Parsed here rather than by the option type, so "abc" gets the same "error: --option:" line and exit code 2.
        int? maxSize = null, files = null;
        foreach (var (option, text) in new[] { ("--event-log-max-size", maxSizeText), ("--event-log-files", filesText) })
        {
            if (text is null) continue;
            if (!int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int value))
                return Fail(option, $"'{text}' is not a whole number.");
            if (option == "--event-log-max-size") maxSize = value; else files = value;
        }
        if (target is not null)
        {
            if (!EventLogRotation.TryParseTarget(target, out var parsed, out string? error))
                return Fail("--log-target", error!);
            if (EventLog.ToJournal(parsed) && !File.Exists(JournaldLoggerProvider.DefaultSocket))
                return Fail("--log-target", $"{target.Trim().ToLowerInvariant()}: {JournaldLoggerProvider.DefaultSocket} does not exist (is systemd-journald running?); use --log-target file.");
            options = options with { LogTarget = parsed };
        }
        foreach (var (option, value) in new[] { ("--event-log-max-size", maxSize), ("--event-log-files", files) })
            if (value is not null && options.LogTarget == EventLogTarget.Journald)
                return Fail(option, "applies to --log-target file only; the journal's size is journald's (SystemMaxUse= in journald.conf).");
        if (maxSize is { } mb)
        {
            if (EventLogRotation.CheckMaxSize(mb) is { } error) return Fail("--event-log-max-size", error);
            options = options with { EventLogRotation = options.EventLogRotation with { MaxBytes = mb * EventLogRotation.Megabyte } };
        }
        if (files is { } n)
        {
            if (EventLogRotation.CheckFiles(n) is { } error) return Fail("--event-log-files", error);
            options = options with { EventLogRotation = options.EventLogRotation with { Files = n } };
        }
        return null;
    }

    /// <summary>--metrics-listen and --metrics-tls; the exit code when one is wrong.</summary>
    private static int? MetricsOptionsOf(string? listenText, string? tlsText, ref ServeOptions options)
    {
        bool tls = false;
        if (tlsText is not null)
        {
            if (OpenUM.Server.Metrics.MetricsOptions.TryParseTls(tlsText, out string? error) is not { } parsed)
                return Fail("--metrics-tls", error!);
            if (listenText is null)
                return Fail("--metrics-tls", "applies only with --metrics-listen ADDRESS:PORT, which turns the metrics endpoint on.");
            tls = parsed;
        }
        if (listenText is null) return null;
        if (OpenUM.Server.Metrics.MetricsOptions.TryParseListen(listenText, out string? wrong) is not { } endPoint)
            return Fail("--metrics-listen", wrong!);
        options = options with { Metrics = new OpenUM.Server.Metrics.MetricsOptions(endPoint, tls) };
        return null;
    }

    /// <summary>--admin-api-port and --admin-api-address; the exit code when one is wrong.</summary>
    private static int? AdminApiOf(string? portText, string? addressText, ref ServeOptions options)
    {
        if (portText is null)
            return addressText is null ? null : Fail("--admin-api-address", "applies only with --admin-api-port PORT, which turns the admin API on.");
        if (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) || port > 65535)
            return Fail("--admin-api-port", $"'{portText}' is not a port number (0-65535).");
        var address = IPAddress.Loopback;
        if (addressText is not null && !IPAddress.TryParse(addressText, out address))
            return Fail("--admin-api-address", $"'{addressText}' is not an IP address (e.g. 127.0.0.1, ::1, or 0.0.0.0 for every address).");
        options = options with { AdminApi = new IPEndPoint(address!, port) };
        return null;
    }

    private static int Fail(string option, string message)
    {
        Console.Error.WriteLine($"error: {option}: {message}");
        return 2;
    }
}
