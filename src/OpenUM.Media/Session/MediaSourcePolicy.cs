using System.Net;

namespace OpenUM.Media.Session;

/// <summary>Which source addresses a call's RTP may be learned from (the gateway's MediaLatching setting).</summary>
public enum MediaLatching
{
    /// <summary>The SDP c= address or the signalling peer's address, any port: symmetric RTP behind NAT and multi-homed gateways (default).</summary>
    SignallingOrSdp,
    /// <summary>Only the SDP c= address (any port): the strictest, for gateways whose SDP is always right.</summary>
    SdpOnly,
    /// <summary>Any address: for gateways whose media leaves from an address neither their SDP nor their signalling shows (media behind another NAT).</summary>
    Any,
}

/// <summary>
/// How a session learns where its RTP comes from. A source is learned after <see cref="Probation"/> consecutive
/// in-sequence packets from an allowed address (the first authenticated packet with SRTP); from then on only that
/// source is recorded and answered. See <see cref="MediaSession"/> for the rules of a later change of source.
/// </summary>
/// <param name="Latching">Which addresses may be learned.</param>
/// <param name="SignallingPeer">The address the call's SIP connection comes from (the call layer knows it); null = none.</param>
/// <param name="Probation">Consecutive in-sequence packets before a plain RTP source is learned (<see cref="MinProbation"/>-<see cref="MaxProbation"/>).</param>
/// <param name="GatewayName">The gateway's name, for the advice in warnings; null when there is none.</param>
public sealed record MediaSourcePolicy(MediaLatching Latching = MediaLatching.SignallingOrSdp, IPAddress? SignallingPeer = null,
    int Probation = MediaSourcePolicy.DefaultProbation, string? GatewayName = null)
{
    /// <summary>Packets in sequence before a source is learned unless configured: 4, as Asterisk's <c>probation</c>.</summary>
    public const int DefaultProbation = 4;

    /// <summary>Smallest probation: 1 learns the first valid packet.</summary>
    public const int MinProbation = 1;

    /// <summary>Largest probation (32 packets are 640 ms of 20 ms audio not heard at the start of a call).</summary>
    public const int MaxProbation = 32;

    /// <summary>SignallingOrSdp, no signalling peer, probation 4.</summary>
    public static MediaSourcePolicy Default { get; } = new();
}
