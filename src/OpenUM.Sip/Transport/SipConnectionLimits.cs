namespace OpenUM.Sip.Transport;

/// <summary>
/// What one peer may hold of the server's connections and time. A new value applies to new connections
/// and new messages at once (swapped atomically, like the TLS context); open connections keep running.
/// </summary>
public sealed record SipConnectionLimits
{
    /// <summary>A TLS handshake (accepted or outgoing) that takes longer is abandoned.</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A SIP message whose first byte has arrived must be complete this long after it, however slowly the rest trickles in.</summary>
    public TimeSpan MessageTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection with no traffic and no dialog or transaction for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Connections one address may hold; at the cap its least recently used idle connection makes room for the new one.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 64;

    /// <summary>New inbound connections one address may open per second (token bucket, bursts of twice as many).</summary>
    public int ConnectionRatePerAddress { get; init; } = 50;

    /// <summary>Upper bound on connections in total; the effective cap is also bounded by the descriptors the process may open.</summary>
    public int MaxConnections { get; init; } = 10_000;
}
