using Microsoft.Extensions.Logging;
using OpenUM.Directory;

namespace OpenUM.Server;

/// <summary>
/// First run: an empty store gets a ready-to-use configuration (a dial plan, a loopback gateway with
/// its catch-all hunt group, mailbox 1000 delivering to the local maildir) so a newcomer can call at once.
/// </summary>
public static class DemoConfiguration
{
    /// <summary>
    /// Seeds the demo objects when the store holds no dial plan, gateway or mailbox, all in one transaction: of servers
    /// starting at once on an empty shared store one seeds, the others find it configured and go on.
    /// </summary>
    public static void EnsureSeeded(IConfigurationStore store, ServeOptions options, ILogger logger)
    {
        var current = store.Load();
        if (current.DialPlans.Count > 0 || current.IpGateways.Count > 0 || current.Mailboxes.Count > 0) return;
        var dialPlan = new DialPlan { Name = "Default", NumberOfDigitsInExtension = 4 };
        var gateway = new IpGateway { Name = "Loopback", Address = "127.0.0.1" };
        var huntGroup = new HuntGroup { Name = "Loopback-Default", IpGateway = gateway.Name, DialPlan = dialPlan.Name };
        var mailbox = new Mailbox
        {
            Extension = "1000", DisplayName = "Demo User", EmailAddress = "user1000@localhost", DialPlan = dialPlan.Name,
        };
        if (!store.AddIfEmpty(new ConfigurationSnapshot(0, [dialPlan], [gateway], [huntGroup], [], [mailbox]))) return;
        ServerEvents.DemoConfigurationCreated(logger, dialPlan.Name, gateway.Name, gateway.Address, mailbox.Extension,
            mailbox.EmailAddress, options.SipTcpPort is > 0 and var p ? p : 5060);
    }

    /// <summary>The UmServer object for this server, created with the defaults when missing.</summary>
    public static UmServer EnsureServer(IConfigurationStore store, string serverName)
    {
        if (store.GetUmServer(serverName) is { } existing) return existing;
        var server = new UmServer { Name = serverName };
        try
        {
            store.AddUmServer(server);
            return server;
        }
        catch (ConfigurationValidationException) when (store.GetUmServer(serverName) is { } added)
        {
            // Another process with the same server name added it first: use that one.
            return added;
        }
    }
}
