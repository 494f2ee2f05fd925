using System.CommandLine;
using OpenUM.Calls;
using OpenUM.Directory;
using OpenUM.Directory.AutoAttendants;
using OpenUM.Server;
using A = OpenUM.Directory.AutoAttendants.AutoAttendantFields;
using D = OpenUM.Directory.Dialing.DialingFields;
using F = OpenUM.Directory.ConfigurationFields;

namespace OpenUM.Management;

/// <summary>`openum autoattendant new|set|get|remove|enable|disable` (New-/Set-/Get-/Remove-/Enable-/Disable-UMAutoAttendant).</summary>
internal static class AutoAttendantCommands
{
    private static Fields<AutoAttendant> Fields() => new Fields<AutoAttendant>()
        .Add<string>("--" + F.DialPlan, "Dial plan the attendant belongs to (its users, groups and extension length)", (a, v) => a with { DialPlan = v }, required: true)
        .AddList("--" + A.PilotIdentifierList, "Number that reaches the attendant (\"\" clears)",
            (a, v) => a with { PilotIdentifierList = OutdialingCommand.ParseNames(v) })
        .Add<string>("--" + A.TimeZone, "IANA time zone of its business hours and holidays, e.g. Europe/Paris (default UTC)", (a, v) => a with { TimeZone = v })
        .AddList("--" + A.BusinessHoursSchedule, "Business hours such as \"Mon-Fri 08:00-18:00\" (default all week; \"\" = always after hours)",
            (a, v) => a with { BusinessHoursSchedule = Parse(v, A.BusinessHoursSchedule, BusinessHoursRange.Parse) })
        .AddList("--" + A.HolidaySchedule, "Holiday \"name,greeting.wav,2026-12-25[,2026-12-26]\" (greeting may be empty; \"\" clears)",
            (a, v) => a with { HolidaySchedule = Parse(v, A.HolidaySchedule, HolidayEntry.Parse) }, serverPath: HolidayNamesFile)
        .Add<string>("--" + A.BusinessHoursWelcomeGreeting, "WAV file (8 kHz mono) greeting callers in business hours (\"\" = built-in welcome)",
            (a, v) => a with { BusinessHoursWelcomeGreetingFile = v is { Length: > 0 } ? v : null, BusinessHoursWelcomeGreetingText = null }, serverPath: OptionFields.AnyValue)
        .Add<string>("--" + A.BusinessHoursWelcomeGreetingText, "Business-hours greeting as text, spoken in the attendant's language by espeak-ng (\"\" = built-in welcome)",
            (a, v) => Text(v) is { } text ? a with { BusinessHoursWelcomeGreetingText = text }
                : a with { BusinessHoursWelcomeGreetingText = null, BusinessHoursWelcomeGreetingFile = null })
        .Add<string>("--" + A.AfterHoursWelcomeGreeting, "WAV file (8 kHz mono) greeting callers after hours and on holidays without their own (\"\" = built-in welcome)",
            (a, v) => a with { AfterHoursWelcomeGreetingFile = v is { Length: > 0 } ? v : null, AfterHoursWelcomeGreetingText = null }, serverPath: OptionFields.AnyValue)
        .Add<string>("--" + A.AfterHoursWelcomeGreetingText, "After-hours greeting as text, spoken in the attendant's language by espeak-ng (\"\" = built-in welcome)",
            (a, v) => Text(v) is { } text ? a with { AfterHoursWelcomeGreetingText = text }
                : a with { AfterHoursWelcomeGreetingText = null, AfterHoursWelcomeGreetingFile = null })
        .AddList("--" + A.BusinessHoursKeyMapping, "Key in business hours: \"1,Sales,1001\" (transfer), \"2,Support,,SupportAA\" (attendant) or \"3,Directions,,,directions.wav\" (announcement); the descriptions are spoken as the key menu (\"For Sales, press 1.\"); \"\" clears",
            (a, v) => a with { BusinessHoursKeyMapping = Parse(v, A.BusinessHoursKeyMapping, KeyMapping.Parse) }, serverPath: KeyNamesFile)
        .AddList("--" + A.AfterHoursKeyMapping, "Key after hours and on holidays, as --business-hours-key-mapping",
            (a, v) => a with { AfterHoursKeyMapping = Parse(v, A.AfterHoursKeyMapping, KeyMapping.Parse) }, serverPath: KeyNamesFile)
        .Add<string>("--" + F.OperatorExtension, "Where key 0 transfers (\"\" = no operator)", (a, v) => a with { OperatorExtension = v is { Length: > 0 } ? v : null })
        .Add<string>("--" + F.Language, "Language of the built-in prompts, greeting texts and key menu: an installed language pack (en-US, fr-FR); \"\" = the dial plan's --default-language",
            (a, v) => a with { Language = v is { Length: > 0 } ? LanguageOption.Installed(v, F.Language) : null })
        .Add<bool>("--" + A.CallSomeoneEnabled, "Callers may dial an extension, then # (default true)", (a, v) => a with { CallSomeoneEnabled = v })
        .Add<bool>("--" + A.NameLookupEnabled, "Callers may press # and spell a last name then first name (default true)", (a, v) => a with { NameLookupEnabled = v })
        .Add<bool>("--allow-dial-plan-subscribers", "Callers may reach users of the dial plan (default true)", (a, v) => a with { AllowDialPlanSubscribers = v })
        .Add<bool>("--allow-extensions", "Callers may reach any number of extension length (default false)", (a, v) => a with { AllowExtensions = v })
        .AddList("--" + D.AllowedInCountryOrRegionGroups, "In-country group of the dial plan callers may reach (\"\" clears; default none)",
            (a, v) => a with { AllowedInCountryOrRegionGroups = OutdialingCommand.ParseNames(v) })
        .AddList("--" + D.AllowedInternationalGroups, "International group of the dial plan callers may reach (\"\" clears; default none)",
            (a, v) => a with { AllowedInternationalGroups = OutdialingCommand.ParseNames(v) });

    public static Command Create()
    {
        var command = ObjectCommands.Create(new ObjectCommands.Spec<AutoAttendant>(
            Noun: "autoattendant", Title: "auto attendant",
            Example: "openum autoattendant new --name Reception --dial-plan Contoso --pilot-identifier-list 5100 --time-zone Europe/Paris --business-hours-key-mapping 1,Sales,1001",
            Fields: Fields(),
            NewObject: (name, _) => new AutoAttendant { Name = name, DialPlan = "" },
            List: c => c.AutoAttendants,
            Find: (c, name, _) => c.FindAutoAttendant(name),
            Add: (s, a) => s.AddAutoAttendant(a),
            Update: (s, a) => s.UpdateAutoAttendant(a),
            Remove: (s, a) => s.RemoveAutoAttendant(a.Name),
            Columns:
            [
                ("Name", a => a.Name), ("DialPlan", a => a.DialPlan), ("Status", a => a.Status),
                ("PilotIdentifierList", a => a.PilotIdentifierList), ("TimeZone", a => a.TimeZone),
                ("BusinessHoursSchedule", a => a.BusinessHoursSchedule), ("OperatorExtension", a => a.OperatorExtension ?? ""),
            ],
            Prepare: StoreGreetings,
            PrepareInStore: AttendantSpeech.Prepare));
        command.Subcommands.Add(Status("enable", UmStatus.Enabled));
        command.Subcommands.Add(Status("disable", UmStatus.Disabled));
        return command;
    }

    // Enable-/Disable-UMAutoAttendant: a new attendant is disabled until its greetings and keys are ready.
    private static Command Status(string verb, UmStatus status)
    {
        var key = new Argument<string>("name") { Description = "The auto attendant" };
        var command = new Command(verb, $"{(status == UmStatus.Enabled ? "Answer" : "Stop answering")} the auto attendant's pilot numbers.\n" +
            $"Example: openum autoattendant {verb} Reception") { key };
        command.SetAction(result => CliContext.Run(result, (store, data) =>
        {
            string name = result.GetValue(key)!;
            var attendant = store.Load().FindAutoAttendant(name)
                ?? throw new UnknownObjectException($"there is no auto attendant '{name}' (list them with: openum autoattendant get).");
            CliContext.Audit(data, store.UpdateAutoAttendant(attendant with { Status = status }));
            CommandConsole.Out.WriteLine($"Auto attendant {attendant.Name} is {status}.");
            return 0;
        }));
        return command;
    }

    // The words of a greeting given as text, or null for "" (back to the built-in welcome).
    // "name,greeting.wav,date..." names a WAV file in its second field; "key,description,extension,attendant,announcement.wav" in its fifth.
    private static bool HolidayNamesFile(string value) => Field(value, 1).Length > 0;

    private static bool KeyNamesFile(string value) => Field(value, 4).Length > 0;

    private static string Field(string value, int index) => value.Split(',') is var parts && parts.Length > index ? parts[index].Trim() : "";

    private static string? Text(string? value) => string.IsNullOrEmpty(value) ? null : value.Trim();

    private static T[] Parse<T>(string[] values, string field, Func<string, T> parse)
    {
        try { return values.Where(v => v.Length > 0).Select(parse).ToArray(); }
        catch (FormatException e) { throw new ConfigurationValidationException(field, e.Message); }
    }

    /// <summary>
    /// Greetings and announcements given as files are checked (a WAV the server can play) and copied into the data
    /// directory, as mailbox greetings are, so the server never depends on a file the operator may move.
    /// </summary>
    private static AutoAttendant StoreGreetings(AutoAttendant a, ParseResult result, DataDirectory data)
    {
        AttendantSpeech.RefuseWavAndText(result);
        string prefix = "aa-" + SafeName(a.Name);
        return a with
        {
            BusinessHoursWelcomeGreetingFile = GreetingImport.Store(a.BusinessHoursWelcomeGreetingFile, A.BusinessHoursWelcomeGreeting, $"{prefix}-business-hours.wav", data),
            AfterHoursWelcomeGreetingFile = GreetingImport.Store(a.AfterHoursWelcomeGreetingFile, A.AfterHoursWelcomeGreeting, $"{prefix}-after-hours.wav", data),
            HolidaySchedule = a.HolidaySchedule.Select(h => h with
            {
                GreetingFile = GreetingImport.Store(h.GreetingFile, A.HolidaySchedule, $"{prefix}-holiday-{SafeName(h.Name)}.wav", data),
            }).ToArray(),
            BusinessHoursKeyMapping = a.BusinessHoursKeyMapping.Select(k => k with
            {
                AnnouncementFile = GreetingImport.Store(k.AnnouncementFile, A.BusinessHoursKeyMapping, $"{prefix}-business-hours-key-{k.Key}.wav", data),
            }).ToArray(),
            AfterHoursKeyMapping = a.AfterHoursKeyMapping.Select(k => k with
            {
                AnnouncementFile = GreetingImport.Store(k.AnnouncementFile, A.AfterHoursKeyMapping, $"{prefix}-after-hours-key-{k.Key}.wav", data),
            }).ToArray(),
        };
    }

    private static string SafeName(string value) => AttendantSpeech.SafeName(value);
}
