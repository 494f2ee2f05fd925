using System.CommandLine;
using OpenUM.Cli;

var root = new RootCommand("OpenUM: an open, secure Unified Messaging server for IP telephony.");
root.Options.Add(CliContext.DataDirOption);
root.Options.Add(CliContext.JsonOption);
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(DialPlanCommands.Create());
root.Subcommands.Add(GatewayCommands.Create());
root.Subcommands.Add(HuntGroupCommands.Create());
root.Subcommands.Add(MailboxCommands.Create());
root.Subcommands.Add(ServerCommands.Create());
root.Subcommands.Add(CertCommands.Create());
root.Subcommands.Add(EventsCommand.Create());
root.Subcommands.Add(OutboxCommands.Create());
root.Subcommands.Add(TestConnectivityCommand.Create());
root.Subcommands.Add(OutdialingCommand.Create());
return await root.Parse(args).InvokeAsync();
