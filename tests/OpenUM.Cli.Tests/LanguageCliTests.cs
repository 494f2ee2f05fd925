using System.Text.Json;

namespace OpenUM.Cli.Tests;

/// <summary>`openum dialplan set --default-language`, `openum mailbox set --language` and `openum autoattendant set --language`: installed packs only.</summary>
[Collection(nameof(InProcessCliCollection))]
public sealed class LanguageCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-language-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => InProcessCli.Run(_data, args);

    private JsonElement Plan() => JsonDocument.Parse(Run("dialplan", "get", "Paris", "--json").Out).RootElement;

    private JsonElement Box() => JsonDocument.Parse(Run("mailbox", "get", "1000", "--json").Out).RootElement;

    [Fact]
    public void ADialPlanSpeaksEnglishUntilSetToAnInstalledLanguage()
    {
        Assert.Equal(0, Run("dialplan", "new", "--name", "Paris", "--number-of-digits-in-extension", "4").Code);
        Assert.Equal("en-US", Plan().GetProperty("defaultLanguage").GetString());

        Assert.Equal(0, Run("dialplan", "set", "Paris", "--default-language", "fr-fr").Code);
        Assert.Equal("fr-FR", Plan().GetProperty("defaultLanguage").GetString()); // the pack's spelling

        var (code, _, err) = Run("dialplan", "set", "Paris", "--default-language", "de-DE");
        Assert.Equal(2, code);
        Assert.Contains("--default-language", err, StringComparison.Ordinal);
        Assert.Contains("no language pack 'de-DE' is installed; installed: en-US, fr-FR", err, StringComparison.Ordinal);
        Assert.Equal("fr-FR", Plan().GetProperty("defaultLanguage").GetString());
    }

    [Fact]
    public void AMailboxTakesItsDialPlansLanguageUntilGivenItsOwn_AndEmptyGoesBack()
    {
        Assert.Equal(0, Run("dialplan", "new", "--name", "Paris", "--number-of-digits-in-extension", "4", "--default-language", "fr-FR").Code);
        Assert.Equal(0, Run("mailbox", "new", "--extension", "1000", "--dial-plan", "Paris", "--email", "zoe@example.test").Code);
        Assert.Equal(JsonValueKind.Null, Box().GetProperty("language").ValueKind);

        Assert.Equal(0, Run("mailbox", "set", "1000", "--language", "en-US").Code);
        Assert.Equal("en-US", Box().GetProperty("language").GetString());

        var (code, _, err) = Run("mailbox", "set", "1000", "--language", "english");
        Assert.Equal(2, code);
        Assert.StartsWith("error: --language: no language pack 'english' is installed; installed: en-US, fr-FR", err, StringComparison.Ordinal);
        Assert.Equal("en-US", Box().GetProperty("language").GetString());

        Assert.Equal(0, Run("mailbox", "set", "1000", "--language", "").Code);
        Assert.Equal(JsonValueKind.Null, Box().GetProperty("language").ValueKind);
    }

    [Fact]
    public void AnAutoAttendantSpeaksItsDialPlansLanguageUntilGivenItsOwn()
    {
        Assert.Equal(0, Run("dialplan", "new", "--name", "Paris", "--number-of-digits-in-extension", "4").Code);
        Assert.Equal(0, Run("autoattendant", "new", "--name", "Accueil", "--dial-plan", "Paris", "--pilot-identifier-list", "5100").Code);
        JsonElement Attendant() => JsonDocument.Parse(Run("autoattendant", "get", "Accueil", "--json").Out).RootElement;
        Assert.Equal(JsonValueKind.Null, Attendant().GetProperty("language").ValueKind);

        Assert.Equal(0, Run("autoattendant", "set", "Accueil", "--language", "FR-fr").Code);
        Assert.Equal("fr-FR", Attendant().GetProperty("language").GetString());

        var (code, _, err) = Run("autoattendant", "set", "Accueil", "--language", "de-DE");
        Assert.Equal(2, code);
        Assert.StartsWith("error: --language: no language pack 'de-DE' is installed; installed: en-US, fr-FR", err, StringComparison.Ordinal);
        Assert.Equal(0, Run("autoattendant", "set", "Accueil", "--language", "").Code);
        Assert.Equal(JsonValueKind.Null, Attendant().GetProperty("language").ValueKind);
    }
}
