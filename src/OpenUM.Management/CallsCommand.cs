using System.CommandLine;
using System.Text.Json;
using OpenUM.Server.Control;

namespace OpenUM.Management;

/// <summary>`openum calls list` (Get-UMActiveCalls): the calls in progress on the running server.</summary>
internal static class CallsCommand
{
    public static Command Create()
    {
        var list = new Command("list", "Show the calls in progress on the running server of this data directory (Get-UMActiveCalls): " +
            "call id, gateway, dial plan, extension, caller, state, duration, media and SRTP suite.\nExample: openum calls list --json");
        list.SetAction(async (result, ct) =>
        {
            var response = await StatusCommand.AskAsync(result, ControlProtocol.Calls, ct).ConfigureAwait(false);
            if (response?.Calls is not { } calls) return 1;
            if (result.GetValue(CliContext.JsonOption))
            {
                CommandConsole.Out.WriteLine(JsonSerializer.Serialize(calls, StatusCommand.Json));
                return 0;
            }
            if (calls.Count == 0)
            {
                CommandConsole.Out.WriteLine("No calls in progress.");
                return 0;
            }
            Table.Write(CommandConsole.Out, calls,
            [
                ("CallId", c => c.CallId), ("Gateway", c => c.Gateway), ("DialPlan", c => c.DialPlan), ("Extension", c => c.Extension),
                ("Caller", c => c.CallerId), ("State", c => c.State), ("Duration", c => Table.Duration(c.Duration)),
                ("Media", c => c.Media ?? "-"), ("Srtp", c => c.SrtpSuite ?? "-"),
            ]);
            return 0;
        });
        return new Command("calls", "Calls in progress on the running server.") { list };
    }
}
