using System.CommandLine;
using OpenUM.Directory;

namespace OpenUM.Management;

/// <summary>`openum gateway new|set|get|remove` (New-/Set-/Get-/Remove-UMIPGateway).</summary>
internal static class GatewayCommands
{
    private static readonly Option<string> DialPlan = new("--dial-plan")
    {
        Description = "Also create the gateway's catch-all hunt group for this dial plan (as New-UMIPGateway -UMDialPlan did)",
    };

    private static Fields<IpGateway> Fields() => new Fields<IpGateway>()
        // A gateway's hunt group refuses an IP address for a secured dial plan: that error is about this gateway's --address.
        .Add<string>("--address", "IP address or FQDN the gateway connects from", (g, v) => g with { Address = v }, required: true, field: ConfigurationFields.IpGateway)
        .Add<int>("--port", "Port of the gateway (0 = 5061 for secured dial plans, 5060 otherwise)", (g, v) => g with { Port = v })
        .Add<UmStatus>("--status", "Enabled, Disabled or NoNewCalls", (g, v) => g with { Status = v })
        .Add<bool>("--outcalls-allowed", "The server may place calls through this gateway", (g, v) => g with { OutcallsAllowed = v })
        .Add<bool>("--message-waiting-indicator-allowed", "The server may send MWI notifications through it", (g, v) => g with { MessageWaitingIndicatorAllowed = v })
        .Add<IPAddressFamily>("--ip-address-family", "IPv4Only, IPv6Only or Any", (g, v) => g with { IPAddressFamily = v })
        .Add<Media.Session.MediaLatching>("--media-latching",
            "Where a call's RTP may come from: SignallingOrSdp (default: the SDP address or the SIP peer's, any port; NAT and multi-homed gateways), SdpOnly, or Any (media behind a NAT the signalling does not show)",
            (g, v) => g with { MediaLatching = v });

    public static Command Create() => ObjectCommands.Create(new ObjectCommands.Spec<IpGateway>(
        Noun: "gateway", Title: "IP gateway",
        Example: "openum gateway new --name pbx1 --address 192.0.2.10 --dial-plan Contoso",
        Fields: Fields(),
        NewObject: (name, _) => new IpGateway { Name = name, Address = "" },
        List: c => c.IpGateways,
        Find: (c, name, _) => c.FindGateway(name),
        Add: (s, g) => s.AddIpGateway(g),
        Update: (s, g) => s.UpdateIpGateway(g),
        Remove: (s, g) => s.RemoveIpGateway(g.Name),
        Columns:
        [
            ("Name", g => g.Name), ("Address", g => g.Address), ("Port", g => g.Port), ("Status", g => g.Status),
            ("OutcallsAllowed", g => g.OutcallsAllowed), ("MediaLatching", g => g.MediaLatching),
        ],
        ExtraNewOptions: [DialPlan],
        BeforeAdd: (config, _, result) =>
        {
            // Checked before anything is written, so a bad --dial-plan leaves no gateway behind.
            if (result.GetValue(DialPlan) is { } dp && config.FindDialPlan(dp) is null)
                throw new ConfigurationValidationException("dial-plan", $"there is no dial plan '{dp}' (create it with: openum dialplan new --name {dp} ...).");
        },
        AfterAdd: (store, g, result, data) =>
        {
            if (result.GetValue(DialPlan) is not { } dp) return;
            try
            {
                CliContext.Audit(data, store.AddHuntGroup(new HuntGroup { Name = $"{g.Name}-{dp}", IpGateway = g.Name, DialPlan = dp }));
            }
            catch
            {
                CliContext.Audit(data, store.RemoveIpGateway(g.Name)); // the pair is created whole or not at all
                throw;
            }
        }));
}
