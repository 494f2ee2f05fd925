namespace OpenUM.Directory.AutoAttendants;

/// <summary>Which greeting and key mappings an attendant uses at one instant.</summary>
public enum AttendantPeriod
{
    /// <summary>Inside a business-hours range and not a holiday.</summary>
    BusinessHours,
    /// <summary>Outside every business-hours range.</summary>
    AfterHours,
    /// <summary>On a holiday of its schedule (wins over business hours).</summary>
    Holiday,
}

/// <summary>The attendant's clock: holiday, business hours or after hours in its own time zone.</summary>
public static class AutoAttendantRules
{
    /// <summary>The period at <paramref name="now"/> and the holiday, if it is one; an unknown time zone counts as UTC.</summary>
    public static (AttendantPeriod Period, HolidayEntry? Holiday) PeriodAt(AutoAttendant attendant, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(attendant);
        var zone = TryFindZone(attendant.TimeZone) ?? TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        if (attendant.HolidaySchedule.FirstOrDefault(h => h.Contains(date)) is { } holiday)
            return (AttendantPeriod.Holiday, holiday);
        int minute = local.Hour * 60 + local.Minute;
        return attendant.BusinessHoursSchedule.Any(r => r.Contains(local.DayOfWeek, minute))
            ? (AttendantPeriod.BusinessHours, null)
            : (AttendantPeriod.AfterHours, null);
    }

    /// <summary>The key mappings of a period (holidays use the after-hours ones, as Exchange does).</summary>
    public static IReadOnlyList<KeyMapping> KeyMappingsFor(AutoAttendant attendant, AttendantPeriod period)
    {
        ArgumentNullException.ThrowIfNull(attendant);
        return period == AttendantPeriod.BusinessHours ? attendant.BusinessHoursKeyMapping : attendant.AfterHoursKeyMapping;
    }

    /// <summary>The greeting file of a period (a holiday's own, else the after-hours one), or null for the built-in welcome.</summary>
    public static string? GreetingFor(AutoAttendant attendant, AttendantPeriod period, HolidayEntry? holiday)
    {
        ArgumentNullException.ThrowIfNull(attendant);
        return period switch
        {
            AttendantPeriod.BusinessHours => attendant.BusinessHoursWelcomeGreetingFile,
            AttendantPeriod.Holiday => holiday?.GreetingFile ?? attendant.AfterHoursWelcomeGreetingFile,
            _ => attendant.AfterHoursWelcomeGreetingFile,
        };
    }

    /// <summary>The key menu spoken from the mappings' names in a period (holidays use the after-hours one), or null for none.</summary>
    public static string? MenuPromptFor(AutoAttendant attendant, AttendantPeriod period)
    {
        ArgumentNullException.ThrowIfNull(attendant);
        return period == AttendantPeriod.BusinessHours ? attendant.BusinessHoursMenuPromptFile : attendant.AfterHoursMenuPromptFile;
    }

    /// <summary>The time zone with this IANA id, or null.</summary>
    public static TimeZoneInfo? TryFindZone(string? id) =>
        !string.IsNullOrEmpty(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;

    /// <summary>Only the digits of a number (separators and a leading '+' dropped), for comparing pilot numbers.</summary>
    public static string Digits(string? value) => value is null ? "" : string.Concat(value.Where(char.IsAsciiDigit));
}

/// <summary>Field names of an auto attendant (kebab case of Exchange's parameters), reported by validation and used by the CLI.</summary>
public static class AutoAttendantFields
{
    /// <summary>AutoAttendant.PilotIdentifierList.</summary>
    public const string PilotIdentifierList = "pilot-identifier-list";
    /// <summary>AutoAttendant.TimeZone.</summary>
    public const string TimeZone = "time-zone";
    /// <summary>AutoAttendant.Status.</summary>
    public const string Status = "status";
    /// <summary>AutoAttendant.BusinessHoursSchedule.</summary>
    public const string BusinessHoursSchedule = "business-hours-schedule";
    /// <summary>AutoAttendant.HolidaySchedule.</summary>
    public const string HolidaySchedule = "holiday-schedule";
    /// <summary>AutoAttendant.BusinessHoursWelcomeGreetingFile.</summary>
    public const string BusinessHoursWelcomeGreeting = "business-hours-welcome-greeting";
    /// <summary>AutoAttendant.AfterHoursWelcomeGreetingFile.</summary>
    public const string AfterHoursWelcomeGreeting = "after-hours-welcome-greeting";
    /// <summary>AutoAttendant.BusinessHoursWelcomeGreetingText.</summary>
    public const string BusinessHoursWelcomeGreetingText = "business-hours-welcome-greeting-text";
    /// <summary>AutoAttendant.AfterHoursWelcomeGreetingText.</summary>
    public const string AfterHoursWelcomeGreetingText = "after-hours-welcome-greeting-text";
    /// <summary>AutoAttendant.BusinessHoursKeyMapping.</summary>
    public const string BusinessHoursKeyMapping = "business-hours-key-mapping";
    /// <summary>AutoAttendant.AfterHoursKeyMapping.</summary>
    public const string AfterHoursKeyMapping = "after-hours-key-mapping";
    /// <summary>AutoAttendant.CallSomeoneEnabled.</summary>
    public const string CallSomeoneEnabled = "call-someone-enabled";
    /// <summary>AutoAttendant.NameLookupEnabled.</summary>
    public const string NameLookupEnabled = "name-lookup-enabled";
}
