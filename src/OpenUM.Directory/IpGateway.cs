using OpenUM.Media.Session;

namespace OpenUM.Directory;

/// <summary>A trusted IP gateway or IP-PBX (Exchange New-/Set-UMIPGateway).</summary>
public sealed record IpGateway
{
    /// <summary>Stable identity.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>Unique name (1-64 characters, case-insensitive).</summary>
    public required string Name { get; init; }

    /// <summary>IPv4/IPv6 literal or host name (RFC 1123); a host name is required for secured dial plans.</summary>
    public required string Address { get; init; }

    /// <summary>Peer port; 0 = 5061 for secured dial plans, 5060 otherwise.</summary>
    public int Port { get; init; }

    /// <summary>Operational state.</summary>
    public UmStatus Status { get; init; } = UmStatus.Enabled;

    /// <summary>May be used for outbound calls (Play on Phone, call-back); does not govern transfers.</summary>
    public bool OutcallsAllowed { get; init; } = true;

    /// <summary>May carry MWI NOTIFY requests.</summary>
    public bool MessageWaitingIndicatorAllowed { get; init; } = true;

    /// <summary>IP families used to reach the peer.</summary>
    public IPAddressFamily IPAddressFamily { get; init; } = IPAddressFamily.IPv4Only;

    /// <summary>
    /// Where a call's RTP may come from: the SDP address or the signalling peer's (default; NAT, multi-homed
    /// gateways), the SDP address only, or any address (media behind a NAT the signalling does not show).
    /// </summary>
    public Media.Session.MediaLatching MediaLatching { get; init; } = Media.Session.MediaLatching.SignallingOrSdp;

    /// <summary>True when <see cref="Address"/> is an IP literal rather than a host name.</summary>
    public bool HasIPAddress => ConfigurationRules.IsIPAddressLiteral(Address);

    /// <summary>The port to contact: <see cref="Port"/>, or the mode default when it is 0.</summary>
    public int EffectivePort(bool secured) => Port != 0 ? Port : secured ? 5061 : 5060;
}
