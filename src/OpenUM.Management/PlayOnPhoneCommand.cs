using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenUM.Calls;
using OpenUM.Calls.Outdialing;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Delivery;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Delivery.Mailboxes.Imap;
using OpenUM.Delivery.Smtp;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Audio;
using OpenUM.Media.Session;
using OpenUM.Security;
using OpenUM.Server;

namespace OpenUM.Management;

/// <summary>
/// `openum mailbox messages` (the voice messages of a mailbox where the server reads them) and `openum mailbox play-on-phone` (CALL-3):
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
            "List the voice messages of a mailbox (new first, newest first) where the server reads them: the user's mailbox on the IMAP\n"
            + "store when one is configured (openum server set --imap-host), otherwise the local maildir; the IDs are what play-on-phone takes.\n"
            + "With SMTP delivery and no IMAP store the server keeps no local copy and the list is empty.\n"
            + "Example: openum mailbox messages --dial-plan Contoso --extension 1000 --json")
        {
            dialPlan, extension,
        };
        command.SetAction(async (result, ct) =>
        {
            Mailbox? mailbox = null;
            DataDirectory? dataDir = null;
            UmServer? server = null;
            int code = CliContext.Run(result, (store, data) =>
            {
                var config = store.Load();
                (_, mailbox) = Find(config, result.GetValue(dialPlan)!, result.GetValue(extension)!);
                dataDir = data;
                server = config.FindUmServer(Environment.MachineName);
                if (ImapSettings.From(server) is null && !VoiceMessageRouter.KeepsLocalCopies(SmartHostSettings.From(server)))
                    CommandConsole.Error.WriteLine("note: SMTP delivery is configured without an IMAP store: messages are not kept locally.");
                return 0;
            });
            if (code != 0 || mailbox is null || dataDir is null) return code;
            IReadOnlyList<StoredMessage> messages;
            using var events = OpenUM.Server.Logging.EventLog.ForCommand(dataDir);
            try
            {
                var store = Messages(result, dataDir, server, events.CreateLogger("OpenUM.Delivery"));
                await using var box = await store.OpenAsync(mailbox.EmailAddress, ct);
                messages = await box.ListAsync(ct);
            }
            catch (MessageStoreUnavailableException e)
            {
                CommandConsole.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
            catch (Exception e) when (e is CliException or Security.CertificateStoreException)
            {
                CommandConsole.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            CliContext.Print(result, messages.Select(m => new
            {
                m.Id, Folder = m.IsNew ? "new" : "saved", m.ReceivedAt, m.CallerId, m.CallerName, DurationSeconds = (int)m.Duration.TotalSeconds,
            }).ToList(),
                ("Id", m => m.Id), ("Folder", m => m.Folder), ("Received", m => m.ReceivedAt.ToString("u")),
                ("CallerId", m => m.CallerId.Length > 0 ? m.CallerId : "(unknown)"), ("Duration", m => Table.Duration(TimeSpan.FromSeconds(m.DurationSeconds))));
            return 0;
        });
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
            + "On a SipSecured or Secured dial plan the call uses mutual TLS with this server's certificate (the gateway's must name its FQDN;\n"
            + "a refused handshake logs event 1400), and on a Secured plan SRTP is required.\n"
            + "Example: openum mailbox play-on-phone --dial-plan Contoso --extension 1000 --message 1764390000.M1P2Q3.host --phone 0612345678")
        {
            dialPlan, extension, message, phone, rtp,
        };
        command.SetAction(async (result, ct) =>
        {
            if (!PortRange.TryParse(result.GetValue(rtp)!, out int first, out int last, out string? rangeError))
            {
                CommandConsole.Error.WriteLine($"error: --rtp-ports: {rangeError}");
                return 2;
            }
            (ConfigurationSnapshot Config, DialPlan Plan, Mailbox Mailbox)? found = null;
            DataDirectory? dataDir = null;
            int code = CliContext.Run(result, (store, data) =>
            {
                dataDir = data;
                var config = store.Load();
                var (plan, mailbox) = Find(config, result.GetValue(dialPlan)!, result.GetValue(extension)!);
                found = (config, plan, mailbox);
                return 0;
            });
            if (code != 0 || found is not { } target || dataDir is null) return code;
            string id = result.GetValue(message)!;
            AudioClip? audio;
            var server = target.Config.FindUmServer(Environment.MachineName);
            using (var storeEvents = OpenUM.Server.Logging.EventLog.ForCommand(dataDir))
            {
                try
                {
                    var store = Messages(result, dataDir, server, storeEvents.CreateLogger("OpenUM.Delivery"));
                    await using var box = await store.OpenAsync(target.Mailbox.EmailAddress, ct);
                    if (await box.FindAsync(id, ct) is not { } stored)
                    {
                        string where = ImapSettings.From(server) is null ? "the local store" : "its IMAP mailbox";
                        CommandConsole.Error.WriteLine($"error: --message: mailbox {target.Mailbox.Extension} has no message '{id}' in {where} (list them with: openum mailbox messages)");
                        return 2;
                    }
                    audio = MessageAudio.Decode(await box.ReadAudioAsync(stored, ct));
                }
                catch (MessageStoreUnavailableException e)
                {
                    CommandConsole.Error.WriteLine($"error: {e.Message}");
                    return 1;
                }
                catch (Exception e) when (e is CliException or Security.CertificateStoreException)
                {
                    CommandConsole.Error.WriteLine($"error: {e.Message}");
                    return 2;
                }
            }
            if (audio is null)
            {
                CommandConsole.Error.WriteLine($"error: --message: message '{id}' has no playable WAV attachment");
                return 2;
            }
            var request = new PlayOnPhoneRequest(target.Config, target.Plan, target.Mailbox, id, audio, result.GetValue(phone)!, new RtpPortRange(first, last), server);

            // A secured dial plan's gateways are called over mutual TLS as this server: its certificate, its trust list.
            TlsContext? tls = null;
            if (target.Plan.IsSecured)
            {
                try { tls = CliTls.ClientContext(result, null, null).Context; }
                catch (Exception e) when (e is CliException or CertificateStoreException)
                {
                    CommandConsole.Error.WriteLine($"error: dial plan '{target.Plan.Name}' is {target.Plan.VoipSecurity} and Play on Phone calls its gateway over mutual TLS: {e.Message}");
                    return 1;
                }
            }
            using var events = OpenUM.Server.Logging.EventLog.ForCommand(dataDir);
            var logger = events.CreateLogger("OpenUM.Calls");
            var engine = new OutdialingEngine(new OutdialingOptions(), TimeProvider.System, logger);
            // Kept in the data directory: the next call through a gateway whose handshake failed reports its recovery (1401).
            var health = new SipPeerHealth(TimeProvider.System, logger, Path.Combine(dataDir.Root, PeerHealthFile));
            var outcome = await new Calls.SubscriberAccess.PlayOnPhone(engine, TimeProvider.System, logger, tls, health).RunAsync(request, ct);
            if (result.GetValue(CliContext.JsonOption))
                CommandConsole.Out.WriteLine(JsonSerializer.Serialize(outcome, CliContext.Json));
            else
                Table.WriteList(CommandConsole.Out, outcome, new Dictionary<string, Func<object?, string>> { ["AudioSeconds"] = v => Table.Duration(TimeSpan.FromSeconds((double)v!)) });
            return outcome.Played ? 0 : 1;
        });
        return command;
    }

    /// <summary>The gateways whose last secured connection failed (see <see cref="SipPeerHealth"/>), in the data directory.</summary>
    private const string PeerHealthFile = "sip-peers-unhealthy";

    /// <summary>
    /// Where the server reads the messages of this machine's UM server: its IMAP store when one is configured (TLS from the
    /// data directory's certificate store, as the server's), otherwise the data directory's maildir, read whatever the
    /// delivery setting (what is on this disk is what the administrator asks about; `messages` notes when SMTP delivery
    /// means nothing new arrives there).
    /// </summary>
    private static IVoiceMessageStore Messages(ParseResult result, DataDirectory data, UmServer? server, ILogger logger)
    {
        if (ImapSettings.From(server) is not { } imap) return new MaildirMessageStore(data.Maildir);
        var tls = CliTls.ClientContext(result, null, null).Context;
        return new ImapMessageStore(() => imap, () => tls, TimeProvider.System, logger);
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
