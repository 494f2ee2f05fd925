namespace OpenUM.Server.SecurityAudit;

/// <summary>How bad a finding is; the `openum security audit` exit code follows the worst one (docs/security-audit.md).</summary>
public enum AuditSeverity
{
    /// <summary>Advice worth knowing; nothing is wrong in the configuration itself.</summary>
    Informational,
    /// <summary>A weaker setting than OpenUM's default, with limited reach.</summary>
    Low,
    /// <summary>A real exposure that needs another weakness or a position on the network to be used.</summary>
    Medium,
    /// <summary>Anyone who can reach the server, or call it, can use this.</summary>
    High,
    /// <summary>Secrets are exposed now (private keys, a data directory others may write).</summary>
    Critical,
}

/// <summary>The kind of object a finding is about.</summary>
public enum AuditObjectType
{
    /// <summary>A dial plan.</summary>
    DialPlan,
    /// <summary>An IP gateway.</summary>
    IpGateway,
    /// <summary>A mailbox policy.</summary>
    MailboxPolicy,
    /// <summary>An auto attendant.</summary>
    AutoAttendant,
    /// <summary>A UM server (its settings, or the running server's listeners).</summary>
    UmServer,
    /// <summary>The server certificate or a trusted certificate.</summary>
    Certificate,
    /// <summary>The data directory or a file the server reads.</summary>
    DataDirectory,
}

/// <summary>
/// One thing the audit found: which rule (<see cref="Id"/>, documented in docs/security-audit.md), how bad, about which
/// object, the risk in one sentence, and the commands that fix it, in order. A command may hold a placeholder in angle
/// brackets (<c>&lt;ca-signed-certificate-file&gt;</c>) for what only the operator has; <see cref="FixNote"/> says what
/// to put there. No command: the fix is outside OpenUM (the documentation says how).
/// </summary>
public sealed record AuditFinding(
    string Id,
    string Title,
    AuditSeverity Severity,
    AuditObjectType ObjectType,
    string Object,
    string Risk,
    IReadOnlyList<string> Fix,
    string? FixNote = null)
{
    /// <summary>Where the documentation explains this finding.</summary>
    public string Reference => "docs/security-audit.md#" + Id.ToLowerInvariant();

    /// <summary>A finding of <paramref name="kind"/> (its ID and title).</summary>
    public static AuditFinding Of(AuditFindingKind kind, AuditSeverity severity, AuditObjectType objectType, string objectName,
        string risk, IReadOnlyList<string> fix, string? fixNote = null) =>
        new(kind.Id, kind.Title, severity, objectType, objectName, risk, fix, fixNote);
}
