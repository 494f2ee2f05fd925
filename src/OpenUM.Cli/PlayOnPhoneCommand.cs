using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenUM.Calls;
using OpenUM.Calls.Outdialing;
using OpenUM.Delivery.Smtp;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Server;

namespace OpenUM.Cli;

/// <summary>
/// `openum mailbox messages` (the local message store of a mailbox) and `openum mailbox play-on-phone` (CALL-3):
/// the server calls a phone through a gateway with OutcallsAllowed, checked by the outdialing engine, and plays a message.
/// </summary>
internal static class PlayOnPhoneCommand
{
    /// <summary>Adds the verbs to the `mailbox` noun of <paramref name="root"/>.</summary>
    public static void AddTo(Command root)
    {
        var mailbox = root.Subcommands.First(c => c.Name == "mailbox");
        mailbox.Subcommands.Add(Messages());
        mailbox.Subcommands.Add(PlayOnPhone());
    }

    private static (Option<string> DialPlan, Option<string> Extension) Selectors() =>
        (new Option<string>("--dial-plan") { Description = "The mailbox's dial plan", Required = true },
         new Option<string>("--extension") { Description = "The mailbox's extension", Required = true });

    private static Command Messages()
    {
        var (dialPlan, extension) = Selectors();
        var command = new Command("messages",
            "List the voice messages of a mailbox kept in the local maildir (new first, newest first); the IDs are what play-on-phone takes.\n"
            + "With SMTP delivery configured the server keeps no local copy and the list is empty.\n"
            + "Example: openum mailbox messages --dial-plan Contoso --extension 1000 --json")
        {
            dialPlan, extension,
        };
        command.SetAction(result => CliContext.Run(result, (store, data) =>
        {
            var config = store.Load();
            var (_, mailbox) = Find(config, result.GetValue(dialPlan)!, result.GetValue(extension)!);
            if (SmartHostSettings.From(config.FindUmServer(Environment.MachineName)) is not null)
                Console.Error.WriteLine("note: SMTP delivery is configured: messages are not kept locally.");
            var messages = new LocalMessageStore(data.Maildir, mailbox.EmailAddress).List();
            CliContext.Print(result, messages.Select(m => new
            {
                m.Id, Folder = m.IsNew ? "new" : "saved", m.ReceivedAt, m.CallerId, m.CallerName, DurationSeconds = (int)m.Duration.TotalSeconds,
            }).ToList(),
                ("Id", m => m.Id), ("Folder", m => m.Folder), ("Received", m => m.ReceivedAt.ToString("u")),
                ("CallerId", m => m.CallerId.Length > 0 ? m.CallerId : "(unknown)"), ("Seconds", m => m.DurationSeconds));
            return 0;
        }));
        return command;
    }

    private static Command PlayOnPhone()
    {
        var (dialPlan, extension) = Selectors();
        var message = new Option<string>("--message") { Description = "Message ID (see: openum mailbox messages)", Required = true };
        var phone = new Option<string>("--phone") { Description = "Number to call, checked by the mailbox policy's dialing rules", Required = true };
        var rtp = new Option<string>("--rtp-ports") { Description = "Local RTP port range for the call", DefaultValueFactory = _ => "32000-32766" };
        var command = new Command("play-on-phone",
            "Call a phone through a gateway of the dial plan with OutcallsAllowed and play a voice message (Play on Phone).\n"
            + "The number must be allowed by the mailbox policy's dialing rules; otherwise no call is placed (event 1076). Exit 0 = played.\n"
            + "Example: openum mailbox play-on-phone --dial-plan Contoso --extension 1000 --message 1764390000.M1P2Q3.host --phone 0612345678")
        {
            dialPlan, extension, message, phone, rtp,
        };
        command.SetAction(async (result, ct) =>
        {
            if (!PortRange.TryParse(result.GetValue(rtp)!, out int first, out int last, out string? rangeError))
            {
                Console.Error.WriteLine($"error: --rtp-ports: {rangeError}");
                return 2;
            }
            PlayOnPhoneRequest? request = null;
            DataDirectory? dataDir = null;
            int code = CliContext.Run(result, (store, data) =>
            {
                dataDir = data;
                var config = store.Load();
                var (plan, mailbox) = Find(config, result.GetValue(dialPlan)!, result.GetValue(extension)!);
                string id = result.GetValue(message)!;
                var stored = new LocalMessageStore(data.Maildir, mailbox.EmailAddress).Find(id)
                    ?? throw new ConfigurationValidationException("message", $"mailbox {mailbox.Extension} has no message '{id}' in the local store (list them with: openum mailbox messages)");
                var audio = LocalMessageStore.LoadAudio(stored)
                    ?? throw new ConfigurationValidationException("message", $"message '{id}' has no playable WAV attachment");
                request = new PlayOnPhoneRequest(config, plan, mailbox, id, audio, result.GetValue(phone)!, new RtpPortRange(first, last));
                return 0;
            });
            if (code != 0 || request is null || dataDir is null) return code;

            using var events = OpenUM.Server.Logging.EventLog.ForCommand(dataDir);
            var logger = events.CreateLogger("OpenUM.Calls");
            var engine = new OutdialingEngine(new OutdialingOptions(), TimeProvider.System, logger);
            var outcome = await new Calls.PlayOnPhone(engine, TimeProvider.System, logger).RunAsync(request, ct);
            if (result.GetValue(CliContext.JsonOption))
                Console.WriteLine(JsonSerializer.Serialize(outcome, CliContext.Json));
            else
                Table.WriteList(Console.Out, outcome);
            return outcome.Played ? 0 : 1;
        });
        return command;
    }

    private static (DialPlan Plan, Mailbox Mailbox) Find(ConfigurationSnapshot config, string dialPlan, string extension)
    {
        var plan = config.FindDialPlan(dialPlan)
            ?? throw new ConfigurationValidationException(ConfigurationFields.DialPlan, $"dial plan '{dialPlan}' does not exist (list them with: openum dialplan get)");
        var mailbox = config.FindMailbox(plan.Name, extension)
            ?? throw new ConfigurationValidationException("extension", $"dial plan '{plan.Name}' has no mailbox {extension} (list them with: openum mailbox get)");
        return (plan, mailbox);
    }
}
