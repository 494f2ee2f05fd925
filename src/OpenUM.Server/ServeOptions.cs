using System.Net;

namespace OpenUM.Server;

/// <summary>Command-line settings of `openum serve`; null means "from the UmServer object, else the default".</summary>
public sealed record ServeOptions(string DataDirectory)
{
    /// <summary>SIP TCP port; 0 picks a free port.</summary>
    public int? SipTcpPort { get; init; }
    /// <summary>SIP UDP port; null keeps UDP off (the default: UDP offers no protection against spoofed sources).</summary>
    public int? SipUdpPort { get; init; }
    /// <summary>Address the SIP listeners bind to.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Any;
    /// <summary>First RTP port (even).</summary>
    public int RtpFirstPort { get; init; } = 16384;
    /// <summary>Last RTP port; kept below the kernel's ephemeral range (32768+).</summary>
    public int RtpLastPort { get; init; } = 32766;
    /// <summary>This server's name (UmServer object).</summary>
    public string ServerName { get; init; } = Environment.MachineName;
}
