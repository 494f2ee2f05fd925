using OpenUM.Directory.AutoAttendants;
using A = OpenUM.Directory.AutoAttendants.AutoAttendantFields;
using D = OpenUM.Directory.Dialing.DialingFields;
using F = OpenUM.Directory.ConfigurationFields;

namespace OpenUM.Directory;

// CFG-1 rules for auto attendants (New-/Set-UMAutoAttendant).
public static partial class ConfigurationValidator
{
    /// <summary>Most business-hours ranges, holidays and pilot numbers one attendant may hold (a call scans them).</summary>
    public const int MaxAttendantListLength = 64;

    /// <summary>Longest greeting given as text (about a minute of speech).</summary>
    public const int MaxSpokenGreetingLength = 1000;

    /// <summary>Longest key mapping description: it is spoken in the menu ("For Sales, press 1").</summary>
    public const int MaxKeyMappingDescriptionLength = 64;

    /// <summary>Validates an auto attendant: name, dial plan, pilot numbers, clock, greetings' keys, operator and restrictions.</summary>
    public static void ValidateAutoAttendant(AutoAttendant attendant, ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(attendant);
        ArgumentNullException.ThrowIfNull(configuration);
        ValidateName(attendant.Name, "auto attendant");
        if (attendant.Name.Contains(',', StringComparison.Ordinal))
            throw Fail(F.Name, $"'{attendant.Name}' is not allowed: an auto attendant's name cannot hold a comma (key mappings name attendants between commas)");
        if (configuration.FindAutoAttendant(attendant.Name) is { } other && other.Id != attendant.Id)
            throw Fail(F.Name, $"an auto attendant named '{other.Name}' already exists (names are case-insensitive)");
        if (string.IsNullOrEmpty(attendant.DialPlan))
            throw Fail(F.DialPlan, "a dial plan is required");
        var dialPlan = configuration.FindDialPlan(attendant.DialPlan)
            ?? throw Fail(F.DialPlan, $"dial plan '{attendant.DialPlan}' does not exist; create it first");
        ValidateLanguage(attendant.Language, F.Language, optional: true);
        if (attendant.Status is not (UmStatus.Enabled or UmStatus.Disabled))
            throw Fail(A.Status, $"{attendant.Status} is not allowed: an auto attendant is Enabled or Disabled");

        ValidatePilots(attendant, dialPlan, configuration);
        if (AutoAttendantRules.TryFindZone(attendant.TimeZone) is null)
            throw Fail(A.TimeZone, $"'{attendant.TimeZone}' is not a time zone of this system: give an IANA id such as Europe/Paris or America/New_York");
        RequireAtMost(attendant.BusinessHoursSchedule.Count, A.BusinessHoursSchedule, "ranges");
        RequireAtMost(attendant.HolidaySchedule.Count, A.HolidaySchedule, "holidays");
        foreach (var range in attendant.BusinessHoursSchedule)
        {
            if (range is null || range.EndMinute <= range.StartMinute || range.StartMinute < 0 || range.EndMinute > 24 * 60)
                throw Fail(A.BusinessHoursSchedule, $"'{range}' is not a range of one day such as \"Mon-Fri 08:00-18:00\"");
        }

        foreach (var holiday in attendant.HolidaySchedule)
        {
            if (holiday is null || string.IsNullOrWhiteSpace(holiday.Name) || holiday.Name.Contains(',', StringComparison.Ordinal) || holiday.EndDate < holiday.StartDate)
                throw Fail(A.HolidaySchedule, $"'{holiday}' is not a holiday such as \"Christmas,christmas.wav,2026-12-25,2026-12-26\"");
        }

        ValidateSpokenGreeting(attendant.BusinessHoursWelcomeGreetingText, A.BusinessHoursWelcomeGreetingText);
        ValidateSpokenGreeting(attendant.AfterHoursWelcomeGreetingText, A.AfterHoursWelcomeGreetingText);
        ValidateKeyMappings(attendant, attendant.BusinessHoursKeyMapping, A.BusinessHoursKeyMapping, configuration);
        ValidateKeyMappings(attendant, attendant.AfterHoursKeyMapping, A.AfterHoursKeyMapping, configuration);
        if (attendant.OperatorExtension is { } op && (op.Length > 32 || !ConfigurationRules.IsPhoneNumber(op)))
            throw Fail(F.OperatorExtension, $"'{op}' is not allowed: give digits (optionally with a leading +), at most 32, or \"\" for no operator");

        ValidateAllowedGroups(attendant.AllowedInCountryOrRegionGroups, D.AllowedInCountryOrRegionGroups,
            dialPlan.ConfiguredInCountryOrRegionGroups, D.ConfiguredInCountryOrRegionGroups, dialPlan.Name);
        ValidateAllowedGroups(attendant.AllowedInternationalGroups, D.AllowedInternationalGroups,
            dialPlan.ConfiguredInternationalGroups, D.ConfiguredInternationalGroups, dialPlan.Name);
    }

    // What a dial plan change must keep true for its attendants: their pilot numbers are no access number, their
    // allowed groups stay configured.
    private static void ValidateDialPlanAttendants(DialPlan dialPlan, ConfigurationSnapshot configuration)
    {
        foreach (var attendant in configuration.AutoAttendantsForDialPlan(dialPlan.Name))
        {
            if (attendant.PilotIdentifierList.FirstOrDefault(p => dialPlan.AccessTelephoneNumbers.Any(a => SameNumber(a, p))) is { } pilot)
                throw Fail(F.AccessTelephoneNumbers, $"{pilot} is a pilot number of auto attendant '{attendant.Name}'; give it another number or change the attendant first");
            ValidateAllowedGroups(attendant.AllowedInCountryOrRegionGroups, D.ConfiguredInCountryOrRegionGroups,
                dialPlan.ConfiguredInCountryOrRegionGroups, D.ConfiguredInCountryOrRegionGroups, dialPlan.Name);
            ValidateAllowedGroups(attendant.AllowedInternationalGroups, D.ConfiguredInternationalGroups,
                dialPlan.ConfiguredInternationalGroups, D.ConfiguredInternationalGroups, dialPlan.Name);
        }
    }

    private static void ValidatePilots(AutoAttendant attendant, DialPlan dialPlan, ConfigurationSnapshot configuration)
    {
        RequireAtMost(attendant.PilotIdentifierList.Count, A.PilotIdentifierList, "numbers");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pilot in attendant.PilotIdentifierList)
        {
            if (pilot is null || pilot.Length > 32 || !ConfigurationRules.IsPhoneNumber(pilot))
                throw Fail(A.PilotIdentifierList, $"'{pilot}' is not allowed: give digits with an optional leading +, at most 32 characters");
            if (!seen.Add(AutoAttendantRules.Digits(pilot)))
                throw Fail(A.PilotIdentifierList, $"{pilot} is listed twice");
            if (dialPlan.AccessTelephoneNumbers.Any(a => SameNumber(a, pilot)))
                throw Fail(A.PilotIdentifierList, $"{pilot} is an access telephone number of dial plan '{dialPlan.Name}' (subscriber access); give another number");
            if (configuration.AutoAttendantsForDialPlan(dialPlan.Name).FirstOrDefault(o => o.Id != attendant.Id && o.Answers(pilot)) is { } sibling)
                throw Fail(A.PilotIdentifierList, $"{pilot} already reaches auto attendant '{sibling.Name}' of dial plan '{dialPlan.Name}'");
        }

        if (attendant.Status == UmStatus.Enabled && attendant.PilotIdentifierList.Count == 0)
            throw Fail(A.PilotIdentifierList, "an enabled auto attendant needs at least one pilot number (--pilot-identifier-list)");
    }

    private static void ValidateKeyMappings(AutoAttendant attendant, IReadOnlyList<KeyMapping> mappings, string field, ConfigurationSnapshot configuration)
    {
        var keys = new HashSet<char>();
        foreach (var mapping in mappings)
        {
            if (mapping is null || mapping.Key is < '1' or > '9')
                throw Fail(field, $"'{mapping}' is not allowed: keys 1 to 9 can be mapped (0 is the operator)");
            if (!keys.Add(mapping.Key))
                throw Fail(field, $"key {mapping.Key} is mapped twice");
            int targets = (mapping.Extension is null ? 0 : 1) + (mapping.AutoAttendantName is null ? 0 : 1) + (mapping.AnnouncementFile is null ? 0 : 1);
            if (targets != 1)
                throw Fail(field, $"key {mapping.Key} must give exactly one of an extension, an auto attendant or an announcement");
            if (mapping.Description.Contains(',', StringComparison.Ordinal) || Unspeakable(mapping.Description))
                throw Fail(field, $"key {mapping.Key}'s description cannot hold commas, control or invisible formatting characters");
            if (mapping.Description.Length > MaxKeyMappingDescriptionLength)
                throw Fail(field, $"key {mapping.Key}'s description is {mapping.Description.Length} characters: at most {MaxKeyMappingDescriptionLength}, since callers hear it in the menu (\"For Sales, press 1\")");
            if (mapping.Extension is { } number && (number.Length > 32 || !ConfigurationRules.IsPhoneNumber(number)))
                throw Fail(field, $"key {mapping.Key}: '{number}' is not an extension or number (digits with an optional leading +, at most 32)");
            if (mapping.AutoAttendantName is { } name)
            {
                var target = configuration.FindAutoAttendant(name)
                    ?? throw Fail(field, $"key {mapping.Key}: auto attendant '{name}' does not exist; create it first");
                if (target.Id == attendant.Id)
                    throw Fail(field, $"key {mapping.Key}: an auto attendant cannot send callers to itself");
                if (!string.Equals(target.DialPlan, attendant.DialPlan, StringComparison.OrdinalIgnoreCase))
                    throw Fail(field, $"key {mapping.Key}: auto attendant '{target.Name}' belongs to dial plan '{target.DialPlan}', not '{attendant.DialPlan}'");
            }
        }
    }

    // A greeting given as text is spoken by espeak-ng: one line of printable text, bounded.
    private static void ValidateSpokenGreeting(string? text, string field)
    {
        if (text is null) return;
        if (string.IsNullOrWhiteSpace(text))
            throw Fail(field, "the text is empty: give the words callers hear, or \"\" for the built-in welcome");
        if (text.Length > MaxSpokenGreetingLength)
            throw Fail(field, $"the text is {text.Length} characters: at most {MaxSpokenGreetingLength} (about a minute of speech); record a WAV for longer greetings");
        if (Unspeakable(text))
            throw Fail(field, "the text cannot hold control or invisible formatting characters (line breaks, tabs, direction marks): give one line of plain text");
    }

    // Control characters would end espeak-ng's line; format characters (direction marks, zero-width joiners) make
    // what `get` shows differ from what callers hear.
    private static bool Unspeakable(string text) =>
        ConfigurationRules.HasControlCharacters(text) || text.Any(c => char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format);

    // Removing an attendant another one sends callers to would leave a key that leads nowhere.
    private static IEnumerable<string> AttendantUsers(string name, ConfigurationSnapshot configuration) =>
        configuration.AutoAttendants
            .Where(a => a.BusinessHoursKeyMapping.Concat(a.AfterHoursKeyMapping)
                .Any(k => string.Equals(k.AutoAttendantName, name, StringComparison.OrdinalIgnoreCase)))
            .Select(a => $"a key mapping of auto attendant '{a.Name}'");

    private static void RequireAtMost(int count, string field, string what)
    {
        if (count > MaxAttendantListLength)
            throw Fail(field, $"{count} {what} is too many: at most {MaxAttendantListLength}");
    }

    private static bool SameNumber(string a, string b) => AutoAttendantRules.Digits(a) == AutoAttendantRules.Digits(b);
}
