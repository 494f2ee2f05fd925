using System.Net;
using System.Net.Security;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip;

/// <summary>Listening endpoints, limits and protocol constants of a <see cref="SipUserAgent"/>.</summary>
public sealed class SipUserAgentOptions
{
    /// <summary>Methods a UAS answers by default (RFC 3261 core, INFO for DTMF fallback, UPDATE for session refresh, RFC 3311; NOTIFY for the subscription of a REFER we sent, RFC 3515).</summary>
    public static readonly IReadOnlyList<string> DefaultMethods = ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO", "UPDATE", "NOTIFY"];

    /// <summary>Address every listener binds to.</summary>
    public IPAddress ListenAddress { get; set; } = IPAddress.Any;

    /// <summary>SIP/TCP port; null = no TCP listener, 0 = ephemeral.</summary>
    public int? TcpPort { get; set; } = 5060;

    /// <summary>SIP/UDP port; null = off (the default).</summary>
    public int? UdpPort { get; set; }

    /// <summary>SIP/TLS port; null = off. Needs <see cref="TlsServerOptions"/>.</summary>
    public int? TlsPort { get; set; }

    /// <summary>
    /// Produces the TLS handshake of each new connection (so a certificate swap applies to new connections only); its
    /// validation callback records the accepted peer's identity on it, which then travels on the connection's info.
    /// </summary>
    public Func<SipConnectionInfo, SipTlsHandshake>? TlsServerOptions { get; set; }

    /// <summary>
    /// Produces the client-side TLS settings for each outgoing TLS connection (calls out, and in-dialog requests that
    /// must open a new connection), given the target endpoint and the name its certificate must carry (SPEC TLS-4):
    /// the server certificate as client certificate and a validation callback that checks the chain and that name.
    /// When the returned <see cref="SslClientAuthenticationOptions.TargetHost"/> is empty it is set to that name, and
    /// its validation callback is wrapped (to report the presented certificate on failure): return a new instance
    /// each time. In-dialog connections pass the host of the dialog's remote target (often an IP address).
    /// Null = outgoing TLS is refused (<see cref="InvalidOperationException"/>).
    /// </summary>
    public Func<IPEndPoint, string?, SslClientAuthenticationOptions>? TlsClientOptions { get; set; }

    /// <summary>Parser size caps.</summary>
    public SipParserLimits Limits { get; set; } = new();

    /// <summary>Value of the User-Agent header we send.</summary>
    public string UserAgentHeader { get; set; } = "OpenUM";

    /// <summary>Deadlines and connection budgets at start; <see cref="SipUserAgent.ConnectionLimits"/> changes them later.</summary>
    public SipConnectionLimits ConnectionLimits { get; set; } = new();

    /// <summary>RFC 3261 T1, the round-trip estimate (500 ms).</summary>
    public TimeSpan T1 { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>RFC 3261 T2, the cap on non-INVITE request and INVITE response retransmission intervals (4 s).</summary>
    public TimeSpan T2 { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>RFC 3261 T4, how long a message may stay in the network (5 s).</summary>
    public TimeSpan T4 { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// SUBSCRIBE/NOTIFY as a notifier (RFC 6665): the packages served and the handler deciding on each SUBSCRIBE. When
    /// set, SUBSCRIBE is added to the allowed methods and Allow-Events is announced; null = SUBSCRIBE is not served.
    /// </summary>
    public SipNotifierOptions? Notifier { get; set; }

    /// <summary>What requests the UAS accepts (RFC 3261 §8.2 checks).</summary>
    public SipUasPolicy Policy { get; set; } = new(
        new HashSet<string>(DefaultMethods, StringComparer.Ordinal),
        new HashSet<string>(StringComparer.OrdinalIgnoreCase),
        // multipart/mixed: SIP-I/SIP-T gateways wrap the SDP with an ISUP part (accepted when a part is acceptable).
        // message/sipfrag: the NOTIFYs reporting on a REFER we sent (RFC 3515 §2.4.5).
        new HashSet<string>(["application/sdp", "application/dtmf-relay", "application/dtmf", "multipart/mixed", "message/sipfrag"],
            StringComparer.OrdinalIgnoreCase));
}
