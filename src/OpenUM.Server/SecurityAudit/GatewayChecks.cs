using System.Net;
using OpenUM.Directory;
using F = OpenUM.Directory.ConfigurationFields;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.SecurityAudit;

/// <summary>How each gateway is named and reached, and what protects the traffic with it.</summary>
internal static class GatewayChecks
{
    public static IEnumerable<AuditFinding> Check(SecurityAuditInput input)
    {
        var configuration = input.Configuration;
        foreach (var gateway in configuration.IpGateways)
        {
            var plans = configuration.DialPlansForGateway(gateway.Name);
            string planText = plans.Count == 0 ? "no dial plan yet" : "dial plan " + string.Join(", ", plans.Select(p => p.Name));
            if (IsLoopback(gateway))
            {
                yield return AuditFinding.Of(K.LoopbackGateway, AuditSeverity.Medium, AuditObjectType.IpGateway, gateway.Name,
                    $"Gateway {gateway.Name} trusts {gateway.Address}: every program and user on this host may place calls as a gateway " +
                    $"({planText}), leaving messages with any caller ID in any mailbox; it is what the first run creates for a demo.",
                    RemoveFix(gateway, configuration),
                    "openum test-connectivity needs no such gateway for --secured true (the server admits its own certificate).");
            }
            else if (gateway.HasIPAddress)
            {
                yield return AuditFinding.Of(K.GatewayByIpAddress, AuditSeverity.Medium, AuditObjectType.IpGateway, gateway.Name,
                    $"Gateway {gateway.Name} is named by its IP address {gateway.Address}, so {planText} cannot be SipSecured or Secured " +
                    "(mutual TLS names gateways by FQDN) and over TCP it is recognised by source address alone.",
                    [FqdnFix(gateway)],
                    $"<fqdn-of-{gateway.Name}> is the DNS name the gateway's certificate carries.");
            }
            if (gateway.Port == 5060 && plans.Any(p => p.IsSecured))
            {
                yield return AuditFinding.Of(K.SecuredGatewayOnPort5060, AuditSeverity.Low, AuditObjectType.IpGateway, gateway.Name,
                    $"Gateway {gateway.Name} serves a secured dial plan but is set to port 5060: calls the server places to it " +
                    "(MWI, Play on Phone, transfers) go to the port gateways keep for unencrypted SIP, where they fail or meet the wrong service.",
                    [FixCommand.Openum("gateway", "set", gateway.Name, "--" + F.Port, "5061")]);
            }
            if (gateway.MediaLatching == Media.Session.MediaLatching.Any)
            {
                yield return AuditFinding.Of(K.MediaFromAnyAddress, AuditSeverity.Low, AuditObjectType.IpGateway, gateway.Name,
                    $"Gateway {gateway.Name} lets a call's audio come from any address: a stranger who sends RTP first can be " +
                    "recorded in a message or have key presses taken as the caller's (on unencrypted media).",
                    [FixCommand.Openum("gateway", "set", gateway.Name, "--" + F.MediaLatching, nameof(Media.Session.MediaLatching.SignallingOrSdp))],
                    "Keep Any only for a gateway whose media comes from behind a NAT its signalling does not show.");
            }
            var unprotected = plans.Where(p => p.VoipSecurity != VoipSecurity.Secured).ToArray();
            if (unprotected.Length > 0 && !IsLoopback(gateway))
            {
                string what = unprotected.Any(p => p.VoipSecurity == VoipSecurity.Unsecured) ? "signalling and media" : "media";
                yield return AuditFinding.Of(K.IpsecAdvice, AuditSeverity.Informational, AuditObjectType.IpGateway, gateway.Name,
                    $"The {what} of calls with gateway {gateway.Name} ({string.Join(", ", unprotected.Select(p => $"{p.Name}: {p.VoipSecurity}"))}) " +
                    "cross the network unencrypted by OpenUM; whether IPsec, a dedicated VLAN or a VPN protects that path cannot be seen from here.",
                    [],
                    "Secure the dial plan (OUM-SEC-001, OUM-SEC-002), or protect the path with IPsec between this host and the gateway: " +
                    "docs/security-audit.md#oum-sec-014 has the how-to.");
            }
        }
    }

    /// <summary>A gateway on 127.0.0.0/8, ::1 or localhost: the first run's demo gateway is one.</summary>
    public static bool IsLoopback(IpGateway gateway) =>
        IPAddress.TryParse(gateway.Address, out var address) ? IPAddress.IsLoopback(address)
            : string.Equals(gateway.Address.TrimEnd('.'), "localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>The commands that remove a gateway: its hunt groups first, as removal requires.</summary>
    public static IReadOnlyList<string> RemoveFix(IpGateway gateway, ConfigurationSnapshot configuration) =>
    [
        .. configuration.HuntGroupsForGateway(gateway.Name).Select(h => FixCommand.Openum("huntgroup", "remove", h.Name)),
        FixCommand.Openum("gateway", "remove", gateway.Name),
    ];

    /// <summary>The command that names a gateway by its FQDN (a placeholder: only the operator knows it).</summary>
    public static string FqdnFix(IpGateway gateway) => FixCommand.Openum("gateway", "set", gateway.Name, "--" + F.Address, $"<fqdn-of-{gateway.Name}>");
}
