using Microsoft.Extensions.Logging;
using OpenUM.Directory;

namespace OpenUM.Calls;

/// <summary>ADM-4: warnings about gateways the server cannot serve as configured (1115, 1184), as Exchange gave them.</summary>
public static class PeerWarnings
{
    /// <summary>Logs the warnings for <paramref name="config"/> when the server listens on TCP and/or TLS as given.</summary>
    public static void Check(ConfigurationSnapshot config, bool tcp, bool tls, string mode, ILogger logger)
    {
        var securedWithoutTls = new List<string>();
        var unsecuredWithoutTcp = new List<string>();
        foreach (var gateway in config.IpGateways)
        {
            var plans = config.DialPlansForGateway(gateway.Name);
            bool secured = plans.Any(p => p.IsSecured), unsecured = plans.Any(p => !p.IsSecured);
            if (secured && unsecured)
                CallEvents.SamePeerInTwoModes(logger, gateway.Name, string.Join(", ", plans.Select(p => $"{p.Name} ({p.VoipSecurity})")));
            if (secured && !tls) securedWithoutTls.Add(gateway.Name);
            if (unsecured && !tcp) unsecuredWithoutTcp.Add(gateway.Name);
        }
        if (securedWithoutTls.Count > 0) CallEvents.IncorrectPeers(logger, string.Join(", ", securedWithoutTls), "secured", mode);
        if (unsecuredWithoutTcp.Count > 0) CallEvents.IncorrectPeers(logger, string.Join(", ", unsecuredWithoutTcp), "unsecured", mode);
    }
}
