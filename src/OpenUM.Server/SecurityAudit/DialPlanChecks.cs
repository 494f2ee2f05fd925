using OpenUM.Directory;
using F = OpenUM.Directory.ConfigurationFields;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.SecurityAudit;

/// <summary>The security mode and the per-call PIN guesses of each dial plan.</summary>
internal static class DialPlanChecks
{
    /// <summary>Dial plan LogonFailuresBeforeDisconnect default (Exchange's 3).</summary>
    private const int DefaultLogonFailuresBeforeDisconnect = 3;

    public static IEnumerable<AuditFinding> Check(SecurityAuditInput input)
    {
        var configuration = input.Configuration;
        foreach (var plan in configuration.DialPlans)
        {
            if (plan.VoipSecurity == VoipSecurity.Unsecured)
            {
                yield return AuditFinding.Of(K.DialPlanUnsecured, AuditSeverity.High, AuditObjectType.DialPlan, plan.Name,
                    $"Dial plan {plan.Name} takes calls over SIP/TCP with RTP in clear: anyone on the path can record voice messages and " +
                    "the PINs callers key in, and its gateways are recognised by source address alone, which can be spoofed or reused.",
                    SecureFix(plan, input),
                    "Secured needs gateways that offer SRTP (SDES); with gateways that cannot, use --voip-security SipSecured. " +
                    "Gateways named by IP address are given their DNS name first (or removed, for a loopback one), as a secured plan requires.");
            }
            else if (plan.VoipSecurity == VoipSecurity.SipSecured)
            {
                yield return AuditFinding.Of(K.DialPlanMediaInClear, AuditSeverity.Medium, AuditObjectType.DialPlan, plan.Name,
                    $"Dial plan {plan.Name} protects the signalling with mutual TLS but sends the audio (voice messages, PINs keyed in) " +
                    "as plain RTP that anyone on the path can record.",
                    [FixCommand.Openum("dialplan", "set", plan.Name, "--" + F.VoipSecurity, nameof(VoipSecurity.Secured))],
                    "Its gateways must offer SRTP with SDES keys (a=crypto), or their calls are refused with 488.");
            }
            if (plan.LogonFailuresBeforeDisconnect > DefaultLogonFailuresBeforeDisconnect)
            {
                yield return AuditFinding.Of(K.LogonFailuresBeforeDisconnect, AuditSeverity.Low, AuditObjectType.DialPlan, plan.Name,
                    $"Dial plan {plan.Name} lets a caller try {plan.LogonFailuresBeforeDisconnect} PINs per call (default {DefaultLogonFailuresBeforeDisconnect}), " +
                    "so guessing a PIN takes fewer calls.",
                    [FixCommand.Openum("dialplan", "set", plan.Name, "--" + F.LogonFailuresBeforeDisconnect, DefaultLogonFailuresBeforeDisconnect.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            }
        }
    }

    // What `dialplan set --voip-security Secured` needs first: no IP-address gateway on the plan (CFG-1) and, for mutual TLS to
    // admit anyone, a trusted CA (or pinned certificate) for the gateways.
    private static IReadOnlyList<string> SecureFix(DialPlan plan, SecurityAuditInput input)
    {
        var steps = new List<string>();
        foreach (var gateway in input.Configuration.GatewaysForDialPlan(plan.Name).Where(g => g.HasIPAddress))
            steps.AddRange(GatewayChecks.IsLoopback(gateway) ? GatewayChecks.RemoveFix(gateway, input.Configuration) : [GatewayChecks.FqdnFix(gateway)]);
        if (input.TrustedCertificates.Count == 0)
            steps.Add(FixCommand.Openum("cert", "trust", "<gateway-ca-certificate-file>"));
        steps.Add(FixCommand.Openum("dialplan", "set", plan.Name, "--" + F.VoipSecurity, nameof(VoipSecurity.Secured)));
        return steps;
    }
}
