using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenUM.Directory;
using OpenUM.Directory.Pins;
using OpenUM.Server;

namespace OpenUM.Management;

/// <summary>
/// `openum mailbox set-pin|reset-pin` (Set-UMMailboxPIN). A PIN never appears on the command line (it
/// would sit in shell history and the process list): set-pin reads it from a file or standard input,
/// and reset-pin prints the PIN it generates once. The event log records who changed which PIN, never the PIN.
/// </summary>
internal static partial class MailboxPinCommands
{
    /// <summary>Adds the PIN verbs to the `mailbox` noun of <paramref name="root"/>.</summary>
    public static void AddTo(Command root)
    {
        var mailbox = root.Subcommands.First(c => c.Name == "mailbox");
        mailbox.Subcommands.Add(SetPin());
        mailbox.Subcommands.Add(ResetPin());
    }

    private static Command SetPin()
    {
        var (extension, dialPlan) = Selectors();
        var pinFile = new Option<string?>("--pin-file")
        {
            Description = "File holding the new PIN (digits; a trailing newline is ignored); \"-\" or omitted = standard input",
        };
        var command = new Command("set-pin",
            "Set a mailbox's PIN; it must satisfy the mailbox policy. Clears failed logons and the lockout.\n"
            + "Example: openum mailbox set-pin --dial-plan Contoso --extension 1000 --pin-file pin.txt")
        {
            extension, dialPlan, pinFile,
        };
        command.SetAction(result => CliContext.Run(result, (store, data) =>
        {
            var target = Find(store, result.GetValue(dialPlan), result.GetValue(extension)!);
            var pin = ReadPin(result.GetValue(pinFile));
            if (new PinAuthenticator(store, TimeProvider.System).SetPin(target.DialPlan, target.Extension, pin) is { } reason)
            {
                // The PIN came through --pin-file, or standard input when that is "-" or absent: the error says which.
                throw result.GetValue(pinFile) is { } file and not "-"
                    ? new ConfigurationValidationException("pin-file", $"the PIN in {file}: {reason}")
                    : new CliException($"the PIN read from standard input: {reason}");
            }

            AuditPin(data, "set", target);
            CommandConsole.Out.WriteLine($"PIN set for mailbox {target.Extension} in dial plan {target.DialPlan}.");
            return 0;
        }));
        return command;
    }

    private static Command ResetPin()
    {
        var (extension, dialPlan) = Selectors();
        var command = new Command("reset-pin",
            "Generate a new PIN that satisfies the mailbox policy, unlock the mailbox, and print the PIN once.\n"
            + "Example: openum mailbox reset-pin --dial-plan Contoso --extension 1000")
        {
            extension, dialPlan,
        };
        command.SetAction(result => CliContext.Run(result, (store, data) =>
        {
            var target = Find(store, result.GetValue(dialPlan), result.GetValue(extension)!);
            var pin = new PinAuthenticator(store, TimeProvider.System).ResetPin(target.DialPlan, target.Extension);
            AuditPin(data, "reset", target);
            if (result.GetValue(CliContext.JsonOption))
            {
                CommandConsole.Out.WriteLine(JsonSerializer.Serialize(new { dialPlan = target.DialPlan, extension = target.Extension, pin }, CliContext.Json));
            }
            else
            {
                CommandConsole.Out.WriteLine($"New PIN for mailbox {target.Extension} in dial plan {target.DialPlan}: {pin}");
                CommandConsole.Out.WriteLine("It is shown only now; give it to the user.");
            }

            return 0;
        }));
        return command;
    }

    private static (Option<string> Extension, Option<string?> DialPlan) Selectors() =>
    (
        new Option<string>("--" + ConfigurationFields.Extension) { Description = "The mailbox's extension", Required = true },
        new Option<string?>("--" + ConfigurationFields.DialPlan) { Description = "The mailbox's dial plan (needed when the extension exists in several)" }
    );

    private static Mailbox Find(IConfigurationStore store, string? dialPlan, string extension) =>
        (dialPlan is null ? store.FindMailboxByExtension(extension) : store.GetMailbox(MailboxCommands.KnownDialPlan(store.Load(), dialPlan), extension))
        ?? throw new CliException($"there is no mailbox {extension}{(dialPlan is null ? "" : $" in dial plan {dialPlan}")} (list them with: openum mailbox get).");

    private static string ReadPin(string? path)
    {
        string text;
        try
        {
            text = path is null or "-" ? CommandConsole.In.ReadToEnd() : File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigurationValidationException("pin-file", $"cannot read {path}: {e.Message}");
        }

        // Only the line ending is trimmed: other stray characters are refused as not digits, never guessed at.
        return text.TrimEnd('\r', '\n');
    }

    private static void AuditPin(DataDirectory data, string action, Mailbox mailbox)
    {
        using var events = OpenUM.Server.Logging.EventLog.ForCommand(data);
        MailboxPinChanged(events.CreateLogger("OpenUM.Cli"), CommandConsole.Actor, action, mailbox.Extension, mailbox.DialPlan);
    }

    [LoggerMessage(EventId = 2040, EventName = "MailboxPinChanged", Level = LogLevel.Information,
        Message = "{User} {Action} the PIN of mailbox {Extension} in dial plan {DialPlan}")]
    private static partial void MailboxPinChanged(ILogger logger, string user, string action, string extension, string dialPlan);
}
