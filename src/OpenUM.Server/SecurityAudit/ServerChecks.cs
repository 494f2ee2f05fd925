using System.Net;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.SecurityAudit;

/// <summary>The UM servers' network settings, and the listeners the running server reports.</summary>
internal static class ServerChecks
{
    public static IEnumerable<AuditFinding> Check(SecurityAuditInput input)
    {
        foreach (var server in input.Configuration.UmServers)
        {
            if (server.AllowTlsFromAnyAddress)
            {
                yield return AuditFinding.Of(K.TlsFromAnyAddress, AuditSeverity.Medium, AuditObjectType.UmServer, server.Name,
                    $"Server {server.Name} gives a TLS handshake to any address, not only to its secured gateways': strangers reach the TLS " +
                    "stack and cost it handshakes before anything says who they are (their certificate still decides admission).",
                    [FixCommand.Openum("server", "set", "--name", server.Name, "--" + Directory.ConfigurationFields.AllowTlsFromAnyAddress, "false")],
                    "Keep it only while a gateway has a dynamic address; event 2007 warns at start while it is on.");
            }
            if (server.SmartHost is { } smartHost && !server.SmartHostClientCertificate)
            {
                yield return AuditFinding.Of(K.SmartHostWithoutClientCertificate, AuditSeverity.Low, AuditObjectType.UmServer, server.Name,
                    $"Server {server.Name} hands voice messages to smart host {smartHost} without presenting its certificate (no mutual TLS), " +
                    "so the smart host cannot tell it from any other client it lets relay.",
                    [FixCommand.Openum("server", "set", "--name", server.Name, "--smart-host-client-certificate", "true")],
                    "The smart host must trust the server's CA to check it (Postfix: smtpd_tls_CAfile and a client certificate check).");
            }
        }
        if (input.Running is not { } running) yield break;
        if (running.MetricsListen is { } listen && !running.MetricsTls && IPEndPoint.TryParse(listen, out var endPoint) && !IPAddress.IsLoopback(endPoint.Address))
        {
            yield return AuditFinding.Of(K.MetricsWithoutTls, AuditSeverity.Medium, AuditObjectType.UmServer, running.ServerName,
                $"The running server serves /metrics and /health over plain HTTP on {listen}: anyone on the network can read call volumes, " +
                "refusals and gateways, and alter what the monitoring sees on the way.",
                [FixCommand.Openum("serve", "--metrics-listen", listen, "--metrics-tls", "true")],
                "Restart the server with --metrics-tls true added to its other options (the Debian package: OPENUM_SERVE_OPTIONS in " +
                "/etc/openum/openum.env, then systemctl restart openum), or listen on 127.0.0.1 only.");
        }
        if (running.AdminApiListen is { } api && IPEndPoint.TryParse(api, out var apiEndPoint) && !IPAddress.IsLoopback(apiEndPoint.Address))
        {
            // HTTPS always, so not "without TLS": the finding is that the management surface is reachable at all.
            yield return AuditFinding.Of(K.AdminApiOnNetwork, AuditSeverity.Low, AuditObjectType.UmServer, running.ServerName,
                $"The running server's admin API answers on {api}: anyone who can reach it can try tokens (rate-limited) and " +
                "TLS handshakes, and a stolen token works from anywhere the address is reachable.",
                [FixCommand.Openum("serve", "--admin-api-port", apiEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--admin-api-address", "127.0.0.1")],
                "Restart the server with --admin-api-address 127.0.0.1 (the default) and reach it through SSH port forwarding, " +
                "or restrict the address with a firewall to the administrators' network and prefer client certificates to tokens.");
        }
        if (running.SipUdpPort is { } udp)
        {
            yield return AuditFinding.Of(K.SipOverUdp, AuditSeverity.Low, AuditObjectType.UmServer, running.ServerName,
                $"The running server takes SIP over UDP on port {udp}: a datagram's source address is not checked by any handshake, " +
                "so a gateway's address can be spoofed to place calls as it.",
                [],
                "Restart openum serve without --sip-udp-port (UDP is off by default; the Debian package: OPENUM_SERVE_OPTIONS in /etc/openum/openum.env).");
        }
    }
}
