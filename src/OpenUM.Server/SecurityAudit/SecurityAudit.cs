using Microsoft.Extensions.Logging;

namespace OpenUM.Server.SecurityAudit;

/// <summary>
/// `openum security audit` as an application service (TOOL-2): the configuration, the certificates, the data directory and
/// the running server checked against the hardening advice, each finding with its object, risk and fix. It changes no
/// setting; callers render the report (the CLI as text or JSON).
/// </summary>
public static class SecurityAudit
{
    /// <summary>Runs every check on <paramref name="input"/>.</summary>
    public static SecurityAuditReport Run(SecurityAuditInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var findings = DialPlanChecks.Check(input)
            .Concat(GatewayChecks.Check(input))
            .Concat(CertificateChecks.Check(input))
            .Concat(TrustChecks.Check(input))
            .Concat(ServerChecks.Check(input))
            .Concat(DialingChecks.Check(input))
            .Concat(PinPolicyChecks.Check(input))
            .Concat(PermissionChecks.Check(input))
            .OrderByDescending(f => f.Severity)
            .ThenBy(f => f.Id, StringComparer.Ordinal)
            .ThenBy(f => f.Object, StringComparer.OrdinalIgnoreCase)
            .ToArray();
        return new SecurityAuditReport(input.Now, input.DataDirectory, input.ServerFqdn, input.Configuration.Version, findings, input.NotChecked);
    }

    /// <summary>Runs the audit for <paramref name="user"/> and records it as event 2150 (a warning when something Medium or worse was found).</summary>
    public static SecurityAuditReport Run(SecurityAuditInput input, ILogger logger, string user)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var report = Run(input);
        var level = report.WorstSeverity >= AuditSeverity.Medium ? LogLevel.Warning : LogLevel.Information;
        SecurityAuditEvents.Ran(logger, level, user, report.DataDirectory, report.Findings.Count, report.Summary,
            report.WorstSeverity?.ToString() ?? "none", string.Join(", ", report.Findings.Select(f => f.Id).Distinct()));
        return report;
    }
}
