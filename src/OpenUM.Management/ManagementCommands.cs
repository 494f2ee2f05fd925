using System.CommandLine;

namespace OpenUM.Management;

/// <summary>
/// The management verbs of OpenUM as one command tree: the `openum` command runs it from the command line and the
/// admin API replays each request through it, so both have the same objects, verbs, validation and audit events.
/// </summary>
internal static class ManagementCommands
{
    /// <summary>The root command with every management verb; <paramref name="extra"/> (such as `serve`) are added after the configuration objects.</summary>
    public static RootCommand CreateRoot(params Command[] extra)
    {
        var root = new RootCommand("OpenUM: an open, secure Unified Messaging server for IP telephony.");
        root.Options.Add(CliContext.DataDirOption);
        root.Options.Add(CliContext.JsonOption);
        root.Options.Add(CliContext.StoreOption);
        foreach (var command in extra) root.Subcommands.Add(command);
        root.Subcommands.Add(DialPlanCommands.Create());
        root.Subcommands.Add(GatewayCommands.Create());
        root.Subcommands.Add(HuntGroupCommands.Create());
        root.Subcommands.Add(MailboxCommands.Create());
        root.Subcommands.Add(MailboxPolicyCommands.Create());
        root.Subcommands.Add(AutoAttendantCommands.Create());
        MailboxPinCommands.AddTo(root);
        PlayOnPhoneCommand.AddTo(root);
        root.Subcommands.Add(ServerCommands.Create());
        root.Subcommands.Add(CertCommands.Create());
        root.Subcommands.Add(EventsCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(CallsCommand.Create());
        root.Subcommands.Add(OutboxCommands.Create());
        root.Subcommands.Add(TestConnectivityCommand.Create());
        root.Subcommands.Add(OutdialingCommand.Create());
        root.Subcommands.Add(SecurityCommands.Create());
        root.Subcommands.Add(AdminTokenCommands.Create());
        root.Subcommands.Add(CompletionCommand.Create());
        root.Subcommands.Add(ManPage.Create());
        BackupCommands.AddTo(root);
        return root;
    }
}
