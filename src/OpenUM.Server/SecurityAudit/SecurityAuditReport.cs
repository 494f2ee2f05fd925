namespace OpenUM.Server.SecurityAudit;

/// <summary>What one audit found, worst first, and what it could not look at.</summary>
public sealed record SecurityAuditReport(
    DateTimeOffset Time,
    string DataDirectory,
    string ServerFqdn,
    long ConfigurationVersion,
    IReadOnlyList<AuditFinding> Findings,
    IReadOnlyList<string> NotChecked)
{
    /// <summary>The worst severity found; null when nothing was.</summary>
    public AuditSeverity? WorstSeverity => Findings.Count == 0 ? null : Findings.Max(f => f.Severity);

    /// <summary>How many findings of each severity, worst first ("1 High, 2 Medium").</summary>
    public string Summary => Findings.Count == 0 ? "no findings"
        : string.Join(", ", Findings.GroupBy(f => f.Severity).OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {g.Key}"));
}
