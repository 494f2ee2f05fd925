using OpenUM.Directory.AutoAttendants;
using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests.AutoAttendants;

/// <summary>Greetings given as text and spoken key menus in the store (migration 15): kept, upgraded, and the text bounded.</summary>
public sealed class SpokenAttendantStoreTests : IDisposable
{
    private readonly TempStore _temp = new();

    public SpokenAttendantStoreTests() => _temp.Store.AddDialPlan(DialPlan());

    public void Dispose() => _temp.Dispose();

    private static AutoAttendant Attendant() => new() { Name = "Reception", DialPlan = "Main", PilotIdentifierList = ["5100"] };

    /// <summary>Takes a store back to version 14, before the spoken greetings and menus (the newest migration; the upgrade tests of earlier ones call it).</summary>
    internal static void RevertSpeechMigration(Microsoft.Data.Sqlite.SqliteConnection raw)
    {
        StoreTests.Execute(raw, "ALTER TABLE auto_attendants DROP COLUMN business_hours_welcome_greeting_text");
        StoreTests.Execute(raw, "ALTER TABLE auto_attendants DROP COLUMN after_hours_welcome_greeting_text");
        StoreTests.Execute(raw, "ALTER TABLE auto_attendants DROP COLUMN business_hours_menu_prompt_file");
        StoreTests.Execute(raw, "ALTER TABLE auto_attendants DROP COLUMN after_hours_menu_prompt_file");
        StoreTests.Execute(raw, "DELETE FROM schema_migrations WHERE version = 15");
    }

    [Fact]
    public void TextsAndMenusRoundTripAndClear()
    {
        var attendant = Attendant() with
        {
            BusinessHoursWelcomeGreetingText = "Welcome to Contoso, « bienvenue ».", BusinessHoursWelcomeGreetingFile = "greetings/t.wav",
            AfterHoursWelcomeGreetingText = "We are closed.", AfterHoursWelcomeGreetingFile = "greetings/c.wav",
            BusinessHoursMenuPromptFile = "greetings/m1.wav", AfterHoursMenuPromptFile = "greetings/m2.wav",
            BusinessHoursKeyMapping = [KeyMapping.Parse("1,Sales,1001")],
        };
        _temp.Store.AddAutoAttendant(attendant);
        using (var other = _temp.OpenAnother())
        {
            Assert.Equal(attendant, other.GetAutoAttendant("reception"));
            other.UpdateAutoAttendant(attendant with { AfterHoursWelcomeGreetingText = null, AfterHoursMenuPromptFile = null });
        }
        var back = _temp.OpenAnother().GetAutoAttendant("Reception")!;
        Assert.Null(back.AfterHoursWelcomeGreetingText);
        Assert.Null(back.AfterHoursMenuPromptFile);
        Assert.Equal("greetings/m1.wav", back.BusinessHoursMenuPromptFile);
    }

    [Fact]
    public void AStoreFromBeforeMigration15KeepsItsAttendants_WithoutTexts()
    {
        _temp.Store.AddAutoAttendant(Attendant() with { BusinessHoursWelcomeGreetingFile = "greetings/open.wav" });
        _temp.Store.Dispose();
        using (var raw = StoreTests.RawConnection(_temp.FilePath))
            RevertSpeechMigration(raw);
        using var upgraded = _temp.OpenAnother();
        var kept = upgraded.GetAutoAttendant("Reception")!;
        Assert.Equal("greetings/open.wav", kept.BusinessHoursWelcomeGreetingFile);
        Assert.Null(kept.BusinessHoursWelcomeGreetingText);
        Assert.Null(kept.BusinessHoursMenuPromptFile);
        upgraded.UpdateAutoAttendant(kept with { BusinessHoursWelcomeGreetingText = "Hello.", BusinessHoursMenuPromptFile = "greetings/m.wav" });
        Assert.Equal("Hello.", upgraded.GetAutoAttendant("Reception")!.BusinessHoursWelcomeGreetingText);
    }

    public static TheoryData<string, string> BadTexts => new()
    {
        { "", "empty" },
        { "   ", "empty" },
        { "Welcome.\nPress 1.", "control" },
        { "Welcome\t to Contoso", "control" },
        { "Welcome \u202Eto Contoso", "invisible" },
        { new string('a', ConfigurationValidator.MaxSpokenGreetingLength + 1), "at most 1000" },
    };

    [Theory]
    [MemberData(nameof(BadTexts))]
    public void AGreetingTextMustBeOneBoundedLineOfPlainText(string text, string expected)
    {
        foreach (var (attendant, field) in new[]
        {
            (Attendant() with { BusinessHoursWelcomeGreetingText = text }, "business-hours-welcome-greeting-text"),
            (Attendant() with { AfterHoursWelcomeGreetingText = text }, "after-hours-welcome-greeting-text"),
        })
        {
            var e = Assert.Throws<ConfigurationValidationException>(() => _temp.Store.AddAutoAttendant(attendant));
            Assert.Equal(field, e.Field);
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.Null(_temp.Store.GetAutoAttendant("Reception"));
        }
    }

    [Fact]
    public void TheLongestTextPasses() =>
        _temp.Store.AddAutoAttendant(Attendant() with { BusinessHoursWelcomeGreetingText = new string('a', ConfigurationValidator.MaxSpokenGreetingLength) });

    [Theory]
    [InlineData("business-hours-key-mapping", "invisible")]
    [InlineData("after-hours-key-mapping", "at most 64")]
    public void AKeyMappingsSpokenNameIsBounded(string field, string expected)
    {
        // KeyMapping.Parse would refuse neither: the rule is the store's, whoever writes.
        var mapping = expected == "invisible"
            ? new KeyMapping('1', "Sa\u200Bles", "1001", null, null)
            : new KeyMapping('1', new string('x', ConfigurationValidator.MaxKeyMappingDescriptionLength + 1), "1001", null, null);
        var attendant = field == "business-hours-key-mapping" ? Attendant() with { BusinessHoursKeyMapping = [mapping] } : Attendant() with { AfterHoursKeyMapping = [mapping] };
        var e = Assert.Throws<ConfigurationValidationException>(() => _temp.Store.AddAutoAttendant(attendant));
        Assert.Equal(field, e.Field);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        _temp.Store.AddAutoAttendant(Attendant() with
        {
            BusinessHoursKeyMapping = [new KeyMapping('1', new string('x', ConfigurationValidator.MaxKeyMappingDescriptionLength), "1001", null, null)],
        });
    }
}
