using System.Text.Json;

namespace OpenUM.Cli.Tests;

/// <summary>Dialing rules and `openum outdialing test` as an operator uses them: real process, temporary data directory.</summary>
public sealed class OutdialingCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-outdial-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => OpenUmCli.Run(_data, args);

    private void CreatePlan() => Assert.Equal(0, Run("dialplan", "new", "--name", "Paris", "--number-of-digits-in-extension", "4",
        "--country-or-region-code", "33", "--international-access-code", "00", "--national-number-prefix", "0",
        "--configured-in-country-or-region-groups", "Local,0xxxxxxxxx,90xxxxxxxxx",
        "--configured-in-country-or-region-groups", "Mobile,06xxxxxxxx,906xxxxxxxx,mobiles, any operator",
        "--configured-international-groups", "UK,44*,90044*",
        "--allowed-in-country-or-region-groups", "local").Code);

    private JsonElement Plan() => JsonDocument.Parse(Run("dialplan", "get", "Paris", "--json").Out).RootElement;

    [Theory]
    [InlineData("--configured-in-country-or-region-groups", "entry 2 'Local': NumberMask '9xx*x'",
        "--configured-in-country-or-region-groups", "Local,0xxxxxxxxx,90xxxxxxxxx", "--configured-in-country-or-region-groups", "Local,9xx*x,9")]
    [InlineData("--configured-international-groups", "a mask containing * cannot have x", "--configured-international-groups", "UK,44*,900xx")]
    [InlineData("--configured-international-groups", "Name,NumberMask,DialedNumber[,Comment]", "--configured-international-groups", "UK,44*")]
    [InlineData("--allowed-international-groups", "group 'Premium' is not configured", "--allowed-international-groups", "Premium")]
    [InlineData("--allowed-in-country-or-region-groups", "group 'Intl' is not configured", "--allowed-in-country-or-region-groups", "Intl")]
    public void BadRulesAreRefusedNamingTheFieldAndChangeNothing(string field, string message, params string[] options)
    {
        CreatePlan();
        var before = Plan().ToString();
        var (code, _, err) = Run(["dialplan", "set", "Paris", .. options]);
        Assert.Equal(2, code);
        Assert.Contains($"error: {field}: ", err);
        Assert.Contains(message, err);
        Assert.Equal(before, Plan().ToString());
    }

    [Fact]
    public void RulesAreStoredAndAllowedNamesMatchIgnoringCase()
    {
        CreatePlan();
        var plan = Plan();
        var mobile = plan.GetProperty("configuredInCountryOrRegionGroups")[1];
        Assert.Equal(("Mobile", "06xxxxxxxx", "906xxxxxxxx", "mobiles, any operator"),
            (mobile.GetProperty("name").GetString(), mobile.GetProperty("numberMask").GetString(), mobile.GetProperty("dialedNumber").GetString(), mobile.GetProperty("comment").GetString()));
        Assert.Equal("local", plan.GetProperty("allowedInCountryOrRegionGroups")[0].GetString());
    }

    [Fact]
    public void CsvImportReplacesTheRules()
    {
        CreatePlan();
        var csv = Path.Combine(_data, "rules.csv");
        File.WriteAllText(csv, "Name,NumberMask,DialedNumber,Comment\r\nEurope,*,+*,\"all, with +\"\r\nUK,44*,90044*,\r\n");
        Assert.Equal(0, Run("dialplan", "set", "Paris", "--configured-international-groups-csv", csv, "--allowed-international-groups", "europe").Code);
        var rules = Plan().GetProperty("configuredInternationalGroups");
        Assert.Equal(2, rules.GetArrayLength());
        Assert.Equal("all, with +", rules[0].GetProperty("comment").GetString());
        File.WriteAllText(csv, "Name,Mask,DialedNumber\r\n");
        var (code, _, err) = Run("dialplan", "set", "Paris", "--configured-international-groups-csv", csv);
        Assert.Equal(2, code);
        Assert.Contains("--configured-international-groups-csv:", err);
        Assert.Contains("line 1: column 'Mask' is unknown", err);
    }

    [Fact]
    public void OutdialingTestShowsTheVerdictAsJson()
    {
        CreatePlan();
        Run("gateway", "new", "--name", "pbx", "--address", "192.0.2.10", "--dial-plan", "Paris");
        var (code, json, _) = Run("outdialing", "test", "--dial-plan", "Paris", "--number", "06 12 34 56 78", "--json");
        var allowed = JsonDocument.Parse(json).RootElement;
        Assert.Equal(0, code);
        Assert.True(allowed.GetProperty("allowed").GetBoolean());
        Assert.Equal(("National", "Local", "0xxxxxxxxx", "90612345678"),
            (allowed.GetProperty("kind").GetString(), allowed.GetProperty("group").GetString(), allowed.GetProperty("rule").GetString(), allowed.GetProperty("dialedNumber").GetString()));
        Assert.True(allowed.GetProperty("reason").GetString()!.Length > 0);

        (code, json, _) = Run("outdialing", "test", "--dial-plan", "Paris", "--number", "00442079460000", "--json");
        var denied = JsonDocument.Parse(json).RootElement;
        Assert.Equal(1, code);
        Assert.False(denied.GetProperty("allowed").GetBoolean());
        Assert.Equal("International", denied.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, denied.GetProperty("dialedNumber").ValueKind);
        Assert.Contains("allows no international dialing group", denied.GetProperty("reason").GetString());
    }

    [Fact]
    public void OutdialingTestPrintsClassificationRuleAndReason()
    {
        CreatePlan();
        var (code, text, _) = Run("outdialing", "test", "--dial-plan", "Paris", "--number", "0899123456");
        Assert.Equal(1, code);
        Assert.Contains("Classification : National 0899123456", text);
        Assert.Contains("Denied (DeniedPrefix)", text);
        (_, text, _) = Run("outdialing", "test", "--dial-plan", "Paris", "--number", "0145678901");
        Assert.Contains("Dial string    : 90145678901", text);
        Assert.Contains("no enabled IP gateway with OutcallsAllowed", text); // allowed by the rules, but nothing to dial through
    }
}
