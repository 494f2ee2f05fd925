using OpenUM.Cli;
using OpenUM.Management;

// `serve` composes the host (and its admin API), so it is the one verb the management tree does not hold.
var root = ManagementCommands.CreateRoot(ServeCommand.Create());
return await UsageErrors.InvokeAsync(root.Parse(args));
