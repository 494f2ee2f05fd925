using System.CommandLine;
using OpenUM.Calls;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Server;

namespace OpenUM.Management;

/// <summary>`openum mailbox new|set|get|remove` (Enable-/Set-/Get-/Disable-UMMailbox).</summary>
internal static class MailboxCommands
{
    private static readonly Option<string> DialPlan = new("--dial-plan")
    {
        Description = "The mailbox's dial plan (for set/get/remove: only needed when the extension exists in several)",
    };

    private static readonly Option<string> NewDialPlan = new("--dial-plan") { Description = "The mailbox's dial plan", Required = true };

    private static Fields<Mailbox> Fields() => new Fields<Mailbox>()
        .Add<string>("--email", "Address voice messages are delivered to", (m, v) => m with { EmailAddress = v }, required: true)
        .Add<string>("--display-name", "Name shown to callers and in messages", (m, v) => m with { DisplayName = v })
        .Add<string>("--sip-uri", "SIP address (SipName dial plans)", (m, v) => m with { SipUri = v })
        .Add<string>("--mailbox-policy", "Mailbox policy of the same dial plan (\"\" = the default policy)", (m, v) => m with { MailboxPolicy = v is { Length: > 0 } ? v : null })
        .Add<string>("--greeting", "WAV file (8 kHz mono) played instead of the default greeting", (m, v) => m with { GreetingFile = v }, serverPath: OptionFields.AnyValue)
        .Add<bool>("--away", "The user is away: callers hear the away greeting recorded by phone (Exchange's extended absence greeting) instead of the greeting, while one is recorded", (m, v) => m with { Away = v })
        .Add<string>("--language", "Language of the mailbox's default greeting and of subscriber access after logon: an installed language pack (en-US, fr-FR); \"\" = the dial plan's --default-language",
            (m, v) => m with { Language = v is { Length: > 0 } ? LanguageOption.Installed(v, ConfigurationFields.Language) : null });

    public static Command Create() => ObjectCommands.Create(new ObjectCommands.Spec<Mailbox>(
        Noun: "mailbox", Title: "mailbox", Plural: "mailboxes",
        Example: "openum mailbox new --extension 1000 --dial-plan Contoso --email user1000@example.test --display-name \"User 1000\"",
        Fields: Fields(),
        KeyName: "extension",
        ExtraSelectors: [DialPlan],
        NewSelectors: [NewDialPlan],
        NewObject: (extension, result) => new Mailbox { Extension = extension, EmailAddress = "", DialPlan = result.GetValue(NewDialPlan) ?? "" },
        List: c => c.Mailboxes,
        Find: (c, extension, result) => result.GetValue(DialPlan) is { } dp ? c.FindMailbox(KnownDialPlan(c, dp), extension) : Unambiguous(c, extension),
        Add: (s, m) => s.AddMailbox(m),
        Update: (s, m) => s.UpdateMailbox(m),
        Remove: (s, m) => s.RemoveMailbox(m.DialPlan, m.Extension),
        Columns:
        [
            ("Extension", m => m.Extension), ("DialPlan", m => m.DialPlan), ("DisplayName", m => m.DisplayName),
            ("EmailAddress", m => m.EmailAddress), ("Greeting", m => m.GreetingFile ?? "(default)"),
            ("Away", m => m.Away ? "True" : "False"),
        ],
        Prepare: StoreGreeting));

    /// <summary>The --dial-plan given, when it exists: "no mailbox 1000" would blame the extension for a mistyped plan.</summary>
    internal static string KnownDialPlan(ConfigurationSnapshot config, string dialPlan) =>
        config.FindDialPlan(dialPlan) is null
            ? throw new ConfigurationValidationException(ConfigurationFields.DialPlan, $"there is no dial plan '{dialPlan}' (list them with: openum dialplan get).")
            : dialPlan;

    private static Mailbox? Unambiguous(ConfigurationSnapshot config, string extension)
    {
        var matches = config.FindMailboxesByExtension(extension);
        if (matches.Count > 1)
            throw new CliException($"extension {extension} exists in dial plans {string.Join(", ", matches.Select(m => m.DialPlan))}: add --dial-plan.");
        return matches.Count == 1 ? matches[0] : null;
    }

    // A WAV path given on the command line becomes the mailbox's copy in the data directory.
    private static Mailbox StoreGreeting(Mailbox mailbox, ParseResult result, DataDirectory data) => mailbox with
    {
        GreetingFile = GreetingImport.Store(mailbox.GreetingFile, "greeting",
            GreetingStore.FileNameFor(mailbox.DialPlan, mailbox.Extension, GreetingKind.Personal), data),
    };
}
