using OpenUM.Directory.AutoAttendants;

namespace OpenUM.Directory.Tests.AutoAttendants;

/// <summary>The attendant's clock: time zones, a DST change, holidays over business hours, and the text forms.</summary>
public sealed class AutoAttendantScheduleTests
{
    private static AutoAttendant Paris(params string[] holidays) => new()
    {
        Name = "Reception", DialPlan = "Main", TimeZone = "Europe/Paris",
        BusinessHoursSchedule = [BusinessHoursRange.Parse("Mon-Fri 08:00-18:00"), BusinessHoursRange.Parse("Sat 09:00-12:00")],
        HolidaySchedule = holidays.Select(HolidayEntry.Parse).ToArray(),
        BusinessHoursWelcomeGreetingFile = "greetings/open.wav", AfterHoursWelcomeGreetingFile = "greetings/closed.wav",
    };

    [Theory]
    [InlineData("2026-01-14T07:30:00Z", AttendantPeriod.BusinessHours)] // Wednesday 08:30 CET
    [InlineData("2026-01-14T06:59:00Z", AttendantPeriod.AfterHours)]    // 07:59 CET
    [InlineData("2026-01-14T17:00:00Z", AttendantPeriod.AfterHours)]    // 18:00 CET: the end is exclusive
    [InlineData("2026-07-15T06:30:00Z", AttendantPeriod.BusinessHours)] // 08:30 CEST: summer time is UTC+2
    [InlineData("2026-07-15T16:30:00Z", AttendantPeriod.AfterHours)]    // 18:30 CEST although 16:30 UTC is within 08-18
    [InlineData("2026-01-17T10:59:00Z", AttendantPeriod.BusinessHours)] // Saturday 11:59
    [InlineData("2026-01-17T11:00:00Z", AttendantPeriod.AfterHours)]    // Saturday 12:00
    [InlineData("2026-01-18T10:00:00Z", AttendantPeriod.AfterHours)]    // Sunday
    [InlineData("2026-01-16T23:30:00Z", AttendantPeriod.AfterHours)]    // Friday 23:30 UTC is Saturday 00:30 in Paris
    public void PeriodFollowsTheAttendantsOwnClock(string instant, AttendantPeriod expected) =>
        Assert.Equal(expected, AutoAttendantRules.PeriodAt(Paris(), DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)).Period);

    [Fact]
    public void TheSpringForwardHourIsJudgedInLocalTime()
    {
        // 29 March 2026, 02:00 CET jumps to 03:00 CEST. A Sunday range 02:30-03:30 exists only from 03:00 local.
        var a = Paris() with { BusinessHoursSchedule = [BusinessHoursRange.Parse("Sun 02:30-03:30")] };
        Assert.Equal(AttendantPeriod.AfterHours, AutoAttendantRules.PeriodAt(a, new DateTimeOffset(2026, 3, 29, 0, 59, 0, TimeSpan.Zero)).Period); // 01:59 CET
        Assert.Equal(AttendantPeriod.BusinessHours, AutoAttendantRules.PeriodAt(a, new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero)).Period); // 03:00 CEST
        Assert.Equal(AttendantPeriod.AfterHours, AutoAttendantRules.PeriodAt(a, new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero)).Period); // 03:30 CEST
    }

    [Fact]
    public void AHolidayWinsOverBusinessHoursInTheLocalDate()
    {
        var a = Paris("Christmas,greetings/xmas.wav,2026-12-24,2026-12-25", "Boxing,,2026-12-26");
        // Thursday 24 December 10:00 CET: business hours on the clock, but a holiday.
        var (period, holiday) = AutoAttendantRules.PeriodAt(a, new DateTimeOffset(2026, 12, 24, 9, 0, 0, TimeSpan.Zero));
        Assert.Equal(AttendantPeriod.Holiday, period);
        Assert.Equal("greetings/xmas.wav", AutoAttendantRules.GreetingFor(a, period, holiday));
        // 23 December 23:30 UTC is already the 24th in Paris.
        Assert.Equal(AttendantPeriod.Holiday, AutoAttendantRules.PeriodAt(a, new DateTimeOffset(2026, 12, 23, 23, 30, 0, TimeSpan.Zero)).Period);
        Assert.Equal(AttendantPeriod.BusinessHours, AutoAttendantRules.PeriodAt(a, new DateTimeOffset(2026, 12, 23, 9, 0, 0, TimeSpan.Zero)).Period);
        // A holiday without a greeting of its own plays the after-hours one, with the after-hours keys.
        (period, holiday) = AutoAttendantRules.PeriodAt(a, new DateTimeOffset(2026, 12, 26, 9, 0, 0, TimeSpan.Zero));
        Assert.Equal("greetings/closed.wav", AutoAttendantRules.GreetingFor(a, period, holiday));
        Assert.Same(a.AfterHoursKeyMapping, AutoAttendantRules.KeyMappingsFor(a, period));
        Assert.Equal("greetings/open.wav", AutoAttendantRules.GreetingFor(a, AttendantPeriod.BusinessHours, null));
    }

    [Fact]
    public void AnEmptyScheduleIsAlwaysAfterHoursAndAWrappingRangeCrossesSunday()
    {
        Assert.Equal(AttendantPeriod.AfterHours, AutoAttendantRules.PeriodAt(Paris() with { BusinessHoursSchedule = [] }, DateTimeOffset.UnixEpoch).Period);
        var weekend = BusinessHoursRange.Parse("Sat-Mon 00:00-24:00");
        Assert.True(weekend.Contains(DayOfWeek.Sunday, 0));
        Assert.True(weekend.Contains(DayOfWeek.Monday, 1439));
        Assert.False(weekend.Contains(DayOfWeek.Tuesday, 600));
    }

    [Theory]
    [InlineData("Mon-Fri 08:00-18:00")]
    [InlineData("Sat 09:00-12:30")]
    [InlineData("Sun-Sat 00:00-24:00")]
    public void RangesRoundTripTheirText(string text) => Assert.Equal(text, BusinessHoursRange.Parse(text).ToString());

    [Theory]
    [InlineData("Mon-Fri 18:00-08:00")]
    [InlineData("Mon-Fri 8:00-18:00")]
    [InlineData("Lun-Ven 08:00-18:00")]
    [InlineData("Mon-Fri 08:00-24:30")]
    [InlineData("Mon-Fri")]
    public void BadRangesAreRefused(string text) => Assert.Throws<FormatException>(() => BusinessHoursRange.Parse(text));

    [Theory]
    [InlineData("1,Sales,1001", null, "1001", null, null)]
    [InlineData("2,Support,,SupportAA", null, null, "SupportAA", null)]
    [InlineData("3,Directions,,,greetings/d.wav", null, null, null, "greetings/d.wav")]
    [InlineData("0,Operator,1000", "key", null, null, null)]
    [InlineData("1,Both,1001,SupportAA", "exactly one", null, null, null)]
    [InlineData("1,None", "key mapping", null, null, null)]
    public void KeyMappingsParseAsExchangeWroteThem(string text, string? error, string? extension, string? attendant, string? announcement)
    {
        if (error is not null)
        {
            Assert.Contains(error, Assert.Throws<FormatException>(() => KeyMapping.Parse(text)).Message);
            return;
        }
        var mapping = KeyMapping.Parse(text);
        Assert.Equal((extension, attendant, announcement), (mapping.Extension, mapping.AutoAttendantName, mapping.AnnouncementFile));
        Assert.Equal(text, mapping.ToString());
    }

    [Fact]
    public void HolidaysParseWithOptionalGreetingAndEnd()
    {
        var h = HolidayEntry.Parse("May Day,,2027-05-01");
        Assert.Equal(("May Day", (string?)null, new DateOnly(2027, 5, 1), new DateOnly(2027, 5, 1)), (h.Name, h.GreetingFile, h.StartDate, h.EndDate));
        Assert.Equal("May Day,,2027-05-01", h.ToString());
        Assert.Throws<FormatException>(() => HolidayEntry.Parse("Christmas,x.wav,2026-12-26,2026-12-25"));
        Assert.Throws<FormatException>(() => HolidayEntry.Parse("Christmas,x.wav,25/12/2026"));
    }
}
