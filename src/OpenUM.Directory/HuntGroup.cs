namespace OpenUM.Directory;

/// <summary>Links an IP gateway to a dial plan (Exchange New-UMHuntGroup).</summary>
public sealed record HuntGroup
{
    /// <summary>Stable identity.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>Unique name (1-64 characters, case-insensitive).</summary>
    public required string Name { get; init; }

    /// <summary>Name of the gateway.</summary>
    public required string IpGateway { get; init; }

    /// <summary>Name of the dial plan.</summary>
    public required string DialPlan { get; init; }

    /// <summary>Pilot number this group answers for; null = catch-all for the gateway.</summary>
    public string? PilotIdentifier { get; init; }
}
