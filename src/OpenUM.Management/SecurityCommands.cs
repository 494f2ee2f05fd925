using System.CommandLine;
using System.Text.Json;
using OpenUM.Server;
using OpenUM.Server.Control;
using OpenUM.Server.SecurityAudit;

namespace OpenUM.Management;

/// <summary>`openum security audit`: runs the audit service and renders its report; every decision is the service's.</summary>
internal static class SecurityCommands
{
    /// <summary>How long the audit waits for a running server's status before checking without it.</summary>
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(3);

    public static Command Create()
    {
        var fqdn = new Option<string?>("--fqdn")
        {
            Description = "The name gateways reach this server by, which its certificate must carry (default: the host name, as for serve --fqdn)",
        };
        var audit = new Command("audit",
            "Check the configuration, the certificates, the data directory and the running server against the hardening advice. " +
            "Each finding has an ID (explained in docs/security-audit.md), a severity, its object, the risk and the commands that fix it.\n" +
            "Exit code: 0 = nothing above Informational, 3 = worst is Low, 4 = Medium, 5 = High, 6 = Critical " +
            "(1 = the audit could not run, 2 = a usage error).\n" +
            "Example: openum security audit --json") { fqdn };
        audit.SetAction(result => CliContext.Run(result, (store, data) =>
        {
            string name = result.GetValue(fqdn) ?? System.Net.Dns.GetHostName();
            if (Uri.CheckHostName(name) != UriHostNameType.Dns)
                throw new CliException($"--fqdn: '{name}' is not a DNS name (e.g. um.contoso.example).");
            var running = RunningStatus(data);
            var input = SecurityAuditInput.Read(store.Load(), data, name, running?.ServerName ?? Environment.MachineName, running, TimeProvider.System);
            SecurityAuditReport report;
            using (var events = OpenUM.Server.Logging.EventLog.ForCommand(data))
                report = SecurityAudit.Run(input, events.CreateLogger("OpenUM.Cli"), CommandConsole.Actor);
            if (result.GetValue(CliContext.JsonOption))
                CommandConsole.Out.WriteLine(JsonSerializer.Serialize(report, CliContext.Json));
            else
                Write(CommandConsole.Out, report);
            return ExitCode(report.WorstSeverity);
        }));
        return new Command("security", "Check the server's security.") { audit };
    }

    /// <summary>The exit code for the worst severity found: 0 for none or Informational, then 3 to 6 (1 and 2 keep their meaning).</summary>
    public static int ExitCode(AuditSeverity? worst) => worst switch
    {
        null or AuditSeverity.Informational => 0,
        AuditSeverity.Low => 3,
        AuditSeverity.Medium => 4,
        AuditSeverity.High => 5,
        _ => 6,
    };

    // The running server's account of its listeners; null when none answers (the audit says what it could not check).
    private static ServerStatus? RunningStatus(DataDirectory data)
    {
        try
        {
            return ControlClient.RequestAsync(data.Root, ControlProtocol.Status, StatusTimeout).GetAwaiter().GetResult().Status;
        }
        catch (ControlUnavailableException)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    internal static void Write(TextWriter output, SecurityAuditReport report)
    {
        output.WriteLine($"Security audit of {report.DataDirectory} (server {report.ServerFqdn}, configuration version {report.ConfigurationVersion})");
        foreach (var f in report.Findings)
        {
            output.WriteLine();
            output.WriteLine($"{f.Id}  {f.Severity}  {Describe(f.ObjectType)} {f.Object}: {f.Title}");
            output.WriteLine($"  Risk: {f.Risk}");
            if (f.Fix.Count > 0)
            {
                output.WriteLine("  Fix:");
                foreach (var command in f.Fix) output.WriteLine($"    {command}");
            }
            if (f.FixNote is { } note) output.WriteLine($"  Note: {note}");
            output.WriteLine($"  See: {f.Reference}");
        }
        output.WriteLine();
        output.WriteLine($"{report.Findings.Count} finding{(report.Findings.Count == 1 ? "" : "s")}" +
            $"{(report.Findings.Count == 0 ? "" : $": {report.Summary}")}; exit code {ExitCode(report.WorstSeverity)}.");
        foreach (var item in report.NotChecked) output.WriteLine($"Not checked: {item}.");
    }

    private static string Describe(AuditObjectType type) => type switch
    {
        AuditObjectType.DialPlan => "dial plan",
        AuditObjectType.IpGateway => "IP gateway",
        AuditObjectType.MailboxPolicy => "mailbox policy",
        AuditObjectType.AutoAttendant => "auto attendant",
        AuditObjectType.UmServer => "UM server",
        AuditObjectType.Certificate => "certificate",
        _ => "data directory",
    };
}
