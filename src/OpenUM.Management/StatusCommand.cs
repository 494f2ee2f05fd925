using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenUM.Server;
using OpenUM.Server.Control;

namespace OpenUM.Management;

/// <summary>`openum status`: the running server of this data directory, asked over its control socket.</summary>
internal static class StatusCommand
{
    /// <summary>The CLI's JSON with the control protocol's durations in seconds (uptimeSeconds, durationSeconds).</summary>
    internal static readonly JsonSerializerOptions Json = new(CliContext.Json) { Converters = { new ControlProtocol.SecondsConverter() } };

    public static Command Create()
    {
        var command = new Command("status", "Show the running server of this data directory: version, uptime, mode and listeners, " +
            "certificate and its expiry, configuration version and store, active calls, spool and outbox, last warnings and errors. " +
            "Asks the server over <data-dir>/control.sock (only the server's user may).\nExample: openum status --json");
        command.SetAction(async (result, ct) =>
        {
            var response = await AskAsync(result, ControlProtocol.Status, ct).ConfigureAwait(false);
            if (response?.Status is not { } status) return 1;
            if (result.GetValue(CliContext.JsonOption))
            {
                CommandConsole.Out.WriteLine(JsonSerializer.Serialize(status, Json));
                return 0;
            }
            Write(CommandConsole.Out, status);
            return 0;
        });
        return command;
    }

    /// <summary>The server's answer to <paramref name="command"/>, or null after writing why there is none (exit code 1).</summary>
    public static async Task<ControlResponse?> AskAsync(ParseResult result, string command, CancellationToken ct)
    {
        // Not CliContext.Data: asking a server must not create a data directory where there is none.
        string root = Path.GetFullPath(result.GetValue(CliContext.DataDirOption) is { Length: > 0 } dir ? dir : DataDirectory.DefaultPath);
        try
        {
            return await ControlClient.RequestAsync(root, command, ct: ct).ConfigureAwait(false);
        }
        catch (ControlUnavailableException e)
        {
            CommandConsole.Error.WriteLine($"error: {e.Message}");
            return null;
        }
    }

    internal static void Write(TextWriter output, ServerStatus s)
    {
        var now = DateTimeOffset.UtcNow;
        string Port(int? port) => port is { } p ? p.ToString(CultureInfo.InvariantCulture) : "off";
        var lines = new List<(string, string)>
        {
            ("Server", $"{s.ServerName} (OpenUM {s.Version}, pid {s.ProcessId})"),
            ("Uptime", $"{Table.Duration(s.Uptime)} (since {s.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC)"),
            ("Mode", $"{s.Mode}: SIP TCP {Port(s.SipTcpPort)}, TLS {Port(s.SipTlsPort)}, UDP {Port(s.SipUdpPort)} on {s.ListenAddress}; RTP {s.RtpPorts}"),
            ("Certificate", s.Certificate is { } c
                ? $"{c.Subject} ({c.Thumbprint}{(c.SelfSigned ? ", self-signed" : "")}), expires {c.NotAfter.UtcDateTime:yyyy-MM-dd} " +
                  (c.DaysToExpiry >= 0 ? $"(in {c.DaysToExpiry} days)" : $"(EXPIRED {-c.DaysToExpiry} days ago)")
                : "none loaded (no TLS listener or smart host has needed one)"),
            ("Configuration", $"version {s.ConfigurationVersion}, {s.ConfigurationStore}"),
            ("ActiveCalls", $"{s.ActiveCalls} of {s.MaxCallsAllowed} allowed (openum calls list)"),
            ("Spool", $"{s.SpoolPending} recorded message(s) waiting for delivery"),
            ("Outbox", $"{s.OutboxQueued} queued" + (s.OutboxOldestQueuedAt is { } oldest
                ? $" (oldest queued {Table.Duration(now - oldest)} ago)" : "") + $", {s.OutboxDead} dead letter(s) (openum outbox list)"),
            ("LastErrors", s.LastErrors.Count == 0 ? "none since the start" : $"{s.LastErrors.Count}, oldest first:"),
        };
        int width = lines.Max(l => l.Item1.Length);
        foreach (var (name, value) in lines)
            output.WriteLine($"{name.PadRight(width)} : {value}");
        foreach (var e in s.LastErrors)
            output.WriteLine($"  {e.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss} {e.Id} {e.Level}: {e.Message}");
    }
}
