using System.CommandLine;
using OpenUM.Directory;

namespace OpenUM.Management;

/// <summary>`openum huntgroup new|get|remove` (New-/Get-/Remove-UMHuntGroup).</summary>
internal static class HuntGroupCommands
{
    private static Fields<HuntGroup> Fields() => new Fields<HuntGroup>()
        .Add<string>("--ip-gateway", "The IP gateway the calls come from", (h, v) => h with { IpGateway = v }, required: true)
        .Add<string>("--dial-plan", "The dial plan the calls belong to", (h, v) => h with { DialPlan = v }, required: true)
        .Add<string>("--pilot-identifier", "Number the gateway calls for this hunt group (none = catch-all)", (h, v) => h with { PilotIdentifier = v });

    public static Command Create()
    {
        var command = ObjectCommands.Create(new ObjectCommands.Spec<HuntGroup>(
            Noun: "huntgroup", Title: "hunt group",
            Example: "openum huntgroup new --name pbx1-voicemail --ip-gateway pbx1 --dial-plan Contoso --pilot-identifier 5000",
            Fields: Fields(),
            NewObject: (name, _) => new HuntGroup { Name = name, IpGateway = "", DialPlan = "" },
            List: c => c.HuntGroups,
            Find: (c, name, _) => c.FindHuntGroup(name),
            Add: (s, h) => s.AddHuntGroup(h),
            Update: (s, h) => s.UpdateHuntGroup(h),
            Remove: (s, h) => s.RemoveHuntGroup(h.Name),
            Columns:
            [
                ("Name", h => h.Name), ("IpGateway", h => h.IpGateway), ("DialPlan", h => h.DialPlan),
                ("PilotIdentifier", h => h.PilotIdentifier ?? "(catch-all)"),
            ]));
        // Exchange has no Set-UMHuntGroup: a hunt group is removed and created again.
        command.Subcommands.Remove(command.Subcommands.First(c => c.Name == "set"));
        return command;
    }
}
