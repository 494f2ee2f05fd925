using System.Globalization;

namespace OpenUM.Directory.AutoAttendants;

/// <summary>
/// One weekly business-hours range, "Mon-Fri 08:00-18:00" or "Sat 09:00-12:00": days from <see cref="FirstDay"/> to
/// <see cref="LastDay"/> (wrapping past Sunday), minutes after local midnight from <see cref="StartMinute"/> (inclusive)
/// to <see cref="EndMinute"/> (exclusive, 1440 = "24:00"). A night shift is two ranges.
/// </summary>
public sealed record BusinessHoursRange(DayOfWeek FirstDay, DayOfWeek LastDay, int StartMinute, int EndMinute)
{
    private static readonly string[] DayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    /// <summary>Every day, all day (Exchange's default schedule).</summary>
    public static readonly BusinessHoursRange AllWeek = new(DayOfWeek.Monday, DayOfWeek.Sunday, 0, 24 * 60);

    /// <summary>True when the local day and minute fall in this range.</summary>
    public bool Contains(DayOfWeek day, int minute)
    {
        int span = ((int)LastDay - (int)FirstDay + 7) % 7;
        int offset = ((int)day - (int)FirstDay + 7) % 7;
        return offset <= span && minute >= StartMinute && minute < EndMinute;
    }

    /// <summary>Reads "Mon-Fri 08:00-18:00"; a <see cref="FormatException"/> says what is wrong.</summary>
    public static BusinessHoursRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2) throw new FormatException($"'{text}' is not a range such as \"Mon-Fri 08:00-18:00\"");
        var days = parts[0].Split('-');
        var times = parts[1].Split('-');
        if (days.Length is < 1 or > 2 || times.Length != 2) throw new FormatException($"'{text}' is not a range such as \"Mon-Fri 08:00-18:00\"");
        var first = Day(days[0]);
        var last = days.Length == 2 ? Day(days[1]) : first;
        int start = Minute(times[0]), end = Minute(times[1]);
        if (end <= start) throw new FormatException($"'{text}' ends before it starts: give two ranges for hours past midnight");
        return new BusinessHoursRange(first, last, start, end);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        string days = FirstDay == LastDay ? DayNames[(int)FirstDay] : $"{DayNames[(int)FirstDay]}-{DayNames[(int)LastDay]}";
        return string.Create(CultureInfo.InvariantCulture, $"{days} {StartMinute / 60:00}:{StartMinute % 60:00}-{EndMinute / 60:00}:{EndMinute % 60:00}");
    }

    private static DayOfWeek Day(string text)
    {
        int index = Array.FindIndex(DayNames, d => string.Equals(d, text, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? (DayOfWeek)index : throw new FormatException($"'{text}' is not a day: use Mon, Tue, Wed, Thu, Fri, Sat or Sun");
    }

    private static int Minute(string text)
    {
        var hm = text.Split(':');
        if (hm.Length == 2 && hm[0].Length == 2 && hm[1].Length == 2
            && int.TryParse(hm[0], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            && int.TryParse(hm[1], NumberStyles.None, CultureInfo.InvariantCulture, out int m)
            && m < 60 && (h < 24 || (h == 24 && m == 0)))
            return h * 60 + m;
        throw new FormatException($"'{text}' is not a time of day: use HH:MM from 00:00 to 24:00");
    }
}

/// <summary>
/// A holiday (HolidaySchedule entry, Exchange's "name,greeting,start date,end date"): from <see cref="StartDate"/> to
/// <see cref="EndDate"/> inclusive in the attendant's time zone, with its greeting (null = the after-hours one).
/// </summary>
public sealed record HolidayEntry(string Name, string? GreetingFile, DateOnly StartDate, DateOnly EndDate)
{
    /// <summary>True on the local dates of the holiday.</summary>
    public bool Contains(DateOnly date) => date >= StartDate && date <= EndDate;

    /// <summary>Reads "Christmas,greeting.wav,2026-12-25[,2026-12-26]" (the greeting may be empty).</summary>
    public static HolidayEntry Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',');
        if (parts.Length is < 3 or > 4 || parts[0].Trim().Length == 0)
            throw new FormatException($"'{text}' is not a holiday such as \"Christmas,christmas.wav,2026-12-25,2026-12-26\" (name,greeting,start date[,end date]; the greeting may be empty)");
        var start = Date(parts[2]);
        var end = parts.Length == 4 ? Date(parts[3]) : start;
        if (end < start) throw new FormatException($"'{text}' ends before it starts");
        return new HolidayEntry(parts[0].Trim(), parts[1].Trim() is { Length: > 0 } g ? g : null, start, end);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name},{GreetingFile},{StartDate:yyyy-MM-dd}{(EndDate == StartDate ? "" : "," + EndDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))}");

    private static DateOnly Date(string text) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date : throw new FormatException($"'{text}' is not a date: use YYYY-MM-DD");
}

/// <summary>
/// What a key 1-9 does (Exchange's key mapping "key,description,extension,auto attendant,announcement"): exactly one of
/// transfer to <see cref="Extension"/> (an extension or number, through the attendant's dialing restrictions), go to
/// the attendant <see cref="AutoAttendantName"/>, or play <see cref="AnnouncementFile"/> and come back to the menu.
/// </summary>
public sealed record KeyMapping(char Key, string Description, string? Extension, string? AutoAttendantName, string? AnnouncementFile)
{
    /// <summary>Reads "1,Sales,1001", "2,Support,,SupportAA" or "3,Directions,,,directions.wav".</summary>
    public static KeyMapping Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',');
        if (parts.Length is < 3 or > 5 || parts[0].Length != 1 || parts[0][0] is < '1' or > '9')
            throw new FormatException($"'{text}' is not a key mapping such as \"1,Sales,1001\", \"2,Support,,SupportAA\" or \"3,Directions,,,directions.wav\" (key 1-9,description,extension,auto attendant,announcement)");
        string? At(int i) => i < parts.Length && parts[i].Trim() is { Length: > 0 } v ? v : null;
        var mapping = new KeyMapping(parts[0][0], parts[1].Trim(), At(2), At(3), At(4));
        int targets = (mapping.Extension is null ? 0 : 1) + (mapping.AutoAttendantName is null ? 0 : 1) + (mapping.AnnouncementFile is null ? 0 : 1);
        return targets == 1 ? mapping
            : throw new FormatException($"'{text}' must give exactly one of an extension, an auto attendant or an announcement");
    }

    /// <inheritdoc />
    public override string ToString() =>
        AnnouncementFile is not null ? $"{Key},{Description},,,{AnnouncementFile}"
        : AutoAttendantName is not null ? $"{Key},{Description},,{AutoAttendantName}"
        : $"{Key},{Description},{Extension}";
}
