using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests;

// DialPlan.DefaultLanguage and Mailbox.Language (schema migration 11): defaults, round trip, upgrade, validation.
public class LanguageSettingsTests
{
    [Fact]
    public void DialPlansSpeakEnglishAndMailboxesTheirDialPlansLanguage()
    {
        Assert.Equal("en-US", DialPlan().DefaultLanguage);
        Assert.Null(Mailbox().Language);
    }

    [Fact]
    public void BothRoundTripAndAMailboxGoesBackToItsDialPlans()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.UpdateDialPlan(temp.Store.GetDialPlan("Main")! with { DefaultLanguage = "fr-FR" });
        temp.Store.UpdateMailbox("Main", "1234", temp.Store.GetMailbox("Main", "1234")! with { Language = "en-US" });
        using (var other = temp.OpenAnother())
        {
            Assert.Equal("fr-FR", other.GetDialPlan("main")!.DefaultLanguage);
            Assert.Equal("en-US", other.GetMailbox("Main", "1234")!.Language);
            other.UpdateMailbox("Main", "1234", other.GetMailbox("Main", "1234")! with { Language = null });
        }
        Assert.Null(temp.OpenAnother().GetMailbox("Main", "1234")!.Language);
    }

    [Fact]
    public void AStoreFromBeforeMigration11GetsTheDefaults()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.Dispose();
        using (var raw = StoreTests.RawConnection(temp.FilePath))
            RevertLanguageMigration(raw);

        using var upgraded = temp.OpenAnother();
        var snapshot = upgraded.Load();
        Assert.Equal("en-US", Assert.Single(snapshot.DialPlans).DefaultLanguage);
        Assert.Null(Assert.Single(snapshot.Mailboxes).Language);
        upgraded.UpdateDialPlan(snapshot.DialPlans[0] with { DefaultLanguage = "fr-FR" });
        Assert.Equal("fr-FR", upgraded.GetDialPlan("Main")!.DefaultLanguage);
    }

    /// <summary>Takes a store back to version 13, before the languages (newest first; the upgrade tests of earlier migrations call it).</summary>
    internal static void RevertLanguageMigration(Microsoft.Data.Sqlite.SqliteConnection raw)
    {
        AutoAttendants.SpokenAttendantStoreTests.RevertSpeechMigration(raw);
        StoreTests.Execute(raw, "ALTER TABLE dial_plans DROP COLUMN default_language");
        StoreTests.Execute(raw, "ALTER TABLE mailboxes DROP COLUMN language");
        StoreTests.Execute(raw, "ALTER TABLE auto_attendants DROP COLUMN language");
        StoreTests.Execute(raw, "DELETE FROM schema_migrations WHERE version = 14");
    }

    [Theory]
    [InlineData("")]
    [InlineData("fr_FR")]
    [InlineData("-FR")]
    [InlineData("1fr")]
    [InlineData("fr-FR-")]
    [InlineData("fr FR")]
    [InlineData("fr-abcdefghi")]
    [InlineData("français")]
    public void ALanguageThatIsNoCultureNameIsRefused(string language)
    {
        var plan = Assert.Throws<ConfigurationValidationException>(() =>
            ConfigurationValidator.ValidateDialPlan(DialPlan() with { DefaultLanguage = language }, ConfigurationSnapshot.Empty));
        Assert.Equal("default-language", plan.Field);
        Assert.Contains("en-US or fr-FR", plan.Message, StringComparison.Ordinal);

        using var temp = new TempStore();
        Seed(temp.Store);
        var box = Assert.Throws<ConfigurationValidationException>(() => temp.Store.UpdateMailbox("Main", "1234", Mailbox() with { Language = language }));
        Assert.Equal("language", box.Field);
    }

    [Theory]
    [InlineData("en-US")]
    [InlineData("fr-FR")]
    [InlineData("de")]
    [InlineData("zh-Hant-TW")]
    public void CultureNamesPass_WhichOnesHaveAPackIsTheServersBusiness(string language)
    {
        ConfigurationValidator.ValidateDialPlan(DialPlan() with { DefaultLanguage = language }, ConfigurationSnapshot.Empty);
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.UpdateMailbox("Main", "1234", temp.Store.GetMailbox("Main", "1234")! with { Language = language });
        Assert.Equal(language, temp.Store.GetMailbox("Main", "1234")!.Language);
    }
}
