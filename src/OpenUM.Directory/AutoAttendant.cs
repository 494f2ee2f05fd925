using OpenUM.Directory.AutoAttendants;

namespace OpenUM.Directory;

/// <summary>
/// A UM auto attendant (Exchange New-/Set-UMAutoAttendant): the menu callers of its pilot numbers reach, with its
/// business hours, holidays, greetings, key mappings and its own dialing restrictions. Its callers are never
/// authenticated, so its defaults are the strictest context: users of the dial plan only, no other extension, no group.
/// </summary>
public sealed record AutoAttendant
{
    /// <summary>Stable identity.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>Unique name (1-64 characters, case-insensitive).</summary>
    public required string Name { get; init; }

    /// <summary>The dial plan it belongs to: its pilot numbers, users, dialing groups and extension length.</summary>
    public required string DialPlan { get; init; }

    /// <summary>The numbers that reach it (PilotIdentifierList), unique against the plan's access numbers and other attendants.</summary>
    public IReadOnlyList<string> PilotIdentifierList { get; init => field = ValueList<string>.From(value); } = ValueList<string>.Empty;

    /// <summary>Enabled answers its pilot numbers; Disabled (Exchange's default for a new attendant) refuses them.</summary>
    public UmStatus Status { get; init; } = UmStatus.Disabled;

    /// <summary>IANA time zone of its clock (business hours and holidays are in local time).</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>Weekly business hours; empty = always after hours. Default: the whole week.</summary>
    public IReadOnlyList<BusinessHoursRange> BusinessHoursSchedule { get; init => field = ValueList<BusinessHoursRange>.From(value); } =
        ValueList<BusinessHoursRange>.From([BusinessHoursRange.AllWeek]);

    /// <summary>Holidays (a day or a range of days) with their greeting; they win over business hours.</summary>
    public IReadOnlyList<HolidayEntry> HolidaySchedule { get; init => field = ValueList<HolidayEntry>.From(value); } = ValueList<HolidayEntry>.Empty;

    /// <summary>Greeting during business hours (path under the data directory); null = the built-in welcome.</summary>
    public string? BusinessHoursWelcomeGreetingFile { get; init; }

    /// <summary>
    /// The business-hours greeting given as text: the CLI speaks it with the attendant's language pack into
    /// <see cref="BusinessHoursWelcomeGreetingFile"/> (Exchange's text-to-speech greeting); null = that file is a WAV given as such.
    /// </summary>
    public string? BusinessHoursWelcomeGreetingText { get; init; }

    /// <summary>Greeting after hours (path under the data directory); null = the built-in welcome.</summary>
    public string? AfterHoursWelcomeGreetingFile { get; init; }

    /// <summary>The after-hours greeting given as text, spoken into <see cref="AfterHoursWelcomeGreetingFile"/>; null = none.</summary>
    public string? AfterHoursWelcomeGreetingText { get; init; }

    /// <summary>Keys 1-9 during business hours.</summary>
    public IReadOnlyList<KeyMapping> BusinessHoursKeyMapping { get; init => field = ValueList<KeyMapping>.From(value); } = ValueList<KeyMapping>.Empty;

    /// <summary>Keys 1-9 after hours and on holidays.</summary>
    public IReadOnlyList<KeyMapping> AfterHoursKeyMapping { get; init => field = ValueList<KeyMapping>.From(value); } = ValueList<KeyMapping>.Empty;

    /// <summary>
    /// The business-hours key menu spoken from the mappings' names ("For Sales, press 1."), in the attendant's language,
    /// played after the greeting (path under the data directory, written by the CLI when the mappings change); null = none.
    /// </summary>
    public string? BusinessHoursMenuPromptFile { get; init; }

    /// <summary>The after-hours (and holiday) key menu spoken from the mappings' names; null = none.</summary>
    public string? AfterHoursMenuPromptFile { get; init; }

    /// <summary>Where key 0 transfers; null = no operator (key 0 is told so).</summary>
    public string? OperatorExtension { get; init; }

    /// <summary>Language of the built-in prompts callers hear (Exchange's Language of an auto attendant); null = the dial plan's DefaultLanguage.</summary>
    public string? Language { get; init; }

    /// <summary>Callers may dial an extension (digits, then #).</summary>
    public bool CallSomeoneEnabled { get; init; } = true;

    /// <summary>Callers may find a user by spelling the last then first name on the keys (# first).</summary>
    public bool NameLookupEnabled { get; init; } = true;

    /// <summary>Its callers may reach users of the dial plan.</summary>
    public bool AllowDialPlanSubscribers { get; init; } = true;

    /// <summary>Its callers may reach any number of extension length (off: only users, as anonymous callers should).</summary>
    public bool AllowExtensions { get; init; }

    /// <summary>In-country groups of the dial plan its callers may reach (case-insensitive names); none by default.</summary>
    public IReadOnlyList<string> AllowedInCountryOrRegionGroups { get; init => field = ValueList<string>.From(value); } = ValueList<string>.Empty;

    /// <summary>International groups of the dial plan its callers may reach; none by default.</summary>
    public IReadOnlyList<string> AllowedInternationalGroups { get; init => field = ValueList<string>.From(value); } = ValueList<string>.Empty;

    /// <summary>True when <paramref name="called"/> is one of its pilot numbers (separators and a leading '+' ignored).</summary>
    public bool Answers(string? called)
    {
        string number = AutoAttendantRules.Digits(called);
        return number.Length > 0 && PilotIdentifierList.Any(p => AutoAttendantRules.Digits(p) == number);
    }
}
