namespace OpenUM.Directory;

/// <summary>A UM server instance (Exchange Set-UMServer): served dial plans, limits and listeners.</summary>
public sealed record UmServer
{
    /// <summary>Stable identity.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>Unique name (1-64 characters, case-insensitive), usually the host name.</summary>
    public required string Name { get; init; }

    /// <summary>Names of the dial plans served; empty = every dial plan (single-server default, RUN-1).</summary>
    public IReadOnlyList<string> DialPlans { get; init => field = ValueList<string>.From(value); } = ValueList<string>.Empty;

    /// <summary>Operational state.</summary>
    public UmStatus Status { get; init; } = UmStatus.Enabled;

    /// <summary>Maximum concurrent calls (1-10000); calls over it get 503.</summary>
    public int MaxCallsAllowed { get; init; } = 100;

    /// <summary>SIP TCP listening port.</summary>
    public int SipTcpListeningPort { get; init; } = 5060;

    /// <summary>SIP TLS listening port.</summary>
    public int SipTlsListeningPort { get; init; } = 5061;

    /// <summary>Listener choice; Auto derives it from the dial plans.</summary>
    public UmStartupMode StartupMode { get; init; } = UmStartupMode.Auto;

    /// <summary>0 or 1: the mode used when Auto and no dial plan exists.</summary>
    public int StartSecured { get; init; }

    /// <summary>Bound certificate (SHA-1 or SHA-256 hex thumbprint); null = automatic selection (CERT-3).</summary>
    public string? CertificateThumbprint { get; init; }
}
