using System.Net;

namespace OpenUM.Server;

/// <summary>Command-line settings of `openum serve`; null means "from the UmServer object, else the default".</summary>
public sealed record ServeOptions(string DataDirectory)
{
    /// <summary>SIP TCP port; 0 picks a free port.</summary>
    public int? SipTcpPort { get; init; }
    /// <summary>SIP TLS port; 0 picks a free port.</summary>
    public int? SipTlsPort { get; init; }
    /// <summary>The server's FQDN: the name its self-signed certificate gets, and a trusted peer name for loopback tests.</summary>
    public string Fqdn { get; init; } = DefaultFqdn();
    /// <summary>SIP UDP port; null keeps UDP off (the default: UDP offers no protection against spoofed sources).</summary>
    public int? SipUdpPort { get; init; }
    /// <summary>Address the SIP listeners bind to.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Any;
    /// <summary>First RTP port (even).</summary>
    public int RtpFirstPort { get; init; } = 16384;
    /// <summary>
    /// Last RTP port: below the kernel's ephemeral range (32768+), and leaving 32000-32766 to
    /// `openum test-connectivity` so a test call on the same host never competes for a port.
    /// </summary>
    public int RtpLastPort { get; init; } = 31999;
    /// <summary>Shared PostgreSQL configuration store; null = the SQLite file in the data directory.</summary>
    public OpenUM.Directory.Postgres.StoreLocation? Store { get; init; }
    /// <summary>This server's name (UmServer object).</summary>
    public string ServerName { get; init; } = Environment.MachineName;
    /// <summary>Where events go: the console and events.jsonl (default), or the systemd journal.</summary>
    public Logging.EventLogTarget LogTarget { get; init; } = Logging.EventLogTarget.File;
    /// <summary>Size limit and number of rotated files of events.jsonl.</summary>
    public Logging.EventLogRotation EventLogRotation { get; init; } = Logging.EventLogRotation.Default;
    /// <summary>The metrics and health endpoint (--metrics-listen, --metrics-tls); null keeps it off (the default).</summary>
    public Metrics.MetricsOptions? Metrics { get; init; }
    /// <summary>Where the HTTPS admin API listens (--admin-api-port, --admin-api-address); null keeps it off (the default).</summary>
    public IPEndPoint? AdminApi { get; init; }

    // The host name as the system knows it, without a DNS query (which may hang on an isolated host).
    private static string DefaultFqdn() => System.Net.Dns.GetHostName();
}
