using OpenUM.Directory;

namespace OpenUM.Server;

/// <summary>
/// RUN-1: which listeners the server runs. Its dial plans decide (all Unsecured: TCP; all SipSecured or
/// Secured: TLS; mixed: both), StartSecured decides when it has none, and a StartupMode other than Auto overrides.
/// </summary>
public sealed record ListenerPlan(bool Tcp, bool Tls)
{
    /// <summary>The mode's name as event 1114 states it.</summary>
    public string Mode => Tcp && Tls ? "Dual" : Tls ? "TLS" : "TCP";

    /// <summary>The plan for <paramref name="server"/> (null: a server with defaults) in <paramref name="config"/>.</summary>
    public static ListenerPlan Decide(UmServer? server, ConfigurationSnapshot config)
    {
        switch (server?.StartupMode ?? UmStartupMode.Auto)
        {
            case UmStartupMode.Tcp: return new(true, false);
            case UmStartupMode.Tls: return new(false, true);
            case UmStartupMode.Dual: return new(true, true);
        }
        var plans = server is null ? config.DialPlans : config.DialPlansServedBy(server);
        if (plans.Count == 0) return server?.StartSecured == 1 ? new(false, true) : new(true, false);
        return new(plans.Any(p => !p.IsSecured), plans.Any(p => p.IsSecured));
    }
}
