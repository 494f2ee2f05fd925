using System.Text.Json;

namespace OpenUM.Cli.Tests;

/// <summary>`openum autoattendant` through the real command: every option stored, greetings copied, errors naming the option.</summary>
public sealed class AutoAttendantCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-aa-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => OpenUmCli.Run(_data, args);

    private JsonElement Get(string name) => JsonDocument.Parse(Run("autoattendant", "get", name, "--json").Out).RootElement;

    private void Seed() => Assert.Equal(0, Run("dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4",
        "--access-telephone-numbers", "5000", "--configured-international-groups", "UK,44*,90044*").Code);

    private string Wav(string name, double frequency = 440)
    {
        string path = Path.Combine(_data, name);
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        const int Frames = 8000;
        w.Write("RIFF"u8); w.Write(36 + Frames * 2); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(8000); w.Write(16000); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(Frames * 2);
        for (int i = 0; i < Frames; i++) w.Write((short)(8000 * Math.Sin(2 * Math.PI * frequency * i / 8000)));
        w.Flush();
        File.WriteAllBytes(path, ms.ToArray());
        return path;
    }

    [Fact]
    public void NewSetEnableDisableRemoveStoreEveryOptionAndAudit()
    {
        Seed();
        var (code, _, err) = Run("autoattendant", "new", "--name", "Reception", "--dial-plan", "Contoso",
            "--pilot-identifier-list", "5100", "--pilot-identifier-list", "+33140000000", "--time-zone", "Europe/Paris",
            "--business-hours-schedule", "Mon-Fri 08:00-18:00", "--business-hours-schedule", "Sat 09:00-12:00",
            "--holiday-schedule", $"Christmas,{Wav("xmas.wav")},2026-12-25,2026-12-26",
            "--business-hours-welcome-greeting", Wav("open.wav"), "--after-hours-welcome-greeting", Wav("closed.wav", 660),
            "--business-hours-key-mapping", "1,Sales,1001", "--business-hours-key-mapping", $"3,Directions,,,{Wav("directions.wav")}",
            "--after-hours-key-mapping", "9,Emergency,1999", "--operator-extension", "1000",
            "--call-someone-enabled", "false", "--name-lookup-enabled", "false", "--allow-dial-plan-subscribers", "false",
            "--allow-extensions", "true", "--allowed-international-groups", "UK");
        Assert.True(code == 0, err);
        var a = Get("reception");
        Assert.Equal("Disabled", a.GetProperty("status").GetString());
        Assert.Equal(["5100", "+33140000000"], a.GetProperty("pilotIdentifierList").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Europe/Paris", a.GetProperty("timeZone").GetString());
        Assert.Equal(2, a.GetProperty("businessHoursSchedule").GetArrayLength());
        Assert.Equal("greetings/aa-Reception-business-hours.wav", a.GetProperty("businessHoursWelcomeGreetingFile").GetString());
        Assert.Equal("greetings/aa-Reception-after-hours.wav", a.GetProperty("afterHoursWelcomeGreetingFile").GetString());
        Assert.Equal("greetings/aa-Reception-holiday-Christmas.wav", a.GetProperty("holidaySchedule")[0].GetProperty("greetingFile").GetString());
        Assert.Equal("greetings/aa-Reception-business-hours-key-3.wav", a.GetProperty("businessHoursKeyMapping")[1].GetProperty("announcementFile").GetString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(_data, "closed.wav")), File.ReadAllBytes(Path.Combine(_data, "greetings", "aa-Reception-after-hours.wav")));
        Assert.Equal("1999", a.GetProperty("afterHoursKeyMapping")[0].GetProperty("extension").GetString());
        Assert.Equal("1000", a.GetProperty("operatorExtension").GetString());
        Assert.False(a.GetProperty("callSomeoneEnabled").GetBoolean());
        Assert.False(a.GetProperty("nameLookupEnabled").GetBoolean());
        Assert.False(a.GetProperty("allowDialPlanSubscribers").GetBoolean());
        Assert.True(a.GetProperty("allowExtensions").GetBoolean());
        Assert.Equal("UK", a.GetProperty("allowedInternationalGroups")[0].GetString());

        Assert.Equal(0, Run("autoattendant", "set", "Reception", "--operator-extension", "", "--business-hours-schedule", "",
            "--allowed-in-country-or-region-groups", "").Code);
        a = Get("Reception");
        Assert.Equal(JsonValueKind.Null, a.GetProperty("operatorExtension").ValueKind);
        Assert.Equal(0, a.GetProperty("businessHoursSchedule").GetArrayLength());
        Assert.Equal("greetings/aa-Reception-business-hours.wav", a.GetProperty("businessHoursWelcomeGreetingFile").GetString()); // kept by set

        Assert.Equal(0, Run("autoattendant", "enable", "Reception").Code);
        Assert.Equal("Enabled", Get("Reception").GetProperty("status").GetString());
        Assert.Contains("Reception", Run("autoattendant", "get").Out);
        Assert.Equal(0, Run("autoattendant", "disable", "reception").Code);
        Assert.Equal("Disabled", Get("Reception").GetProperty("status").GetString());
        Assert.Equal(2, Run("autoattendant", "enable", "Nobody").Code);
        Assert.Equal(0, Run("autoattendant", "remove", "Reception").Code);
        Assert.Equal(0, JsonDocument.Parse(Run("autoattendant", "get", "--json").Out).RootElement.GetArrayLength());

        var audit = JsonDocument.Parse(Run("events", "--id", "2100", "--json").Out).RootElement.EnumerateArray()
            .Select(e => e.GetProperty("properties")).Where(p => p.GetProperty("objectType").GetString() == "auto attendant").ToArray();
        Assert.Equal(["Added", "Updated", "Updated", "Updated", "Removed"], audit.Select(p => p.GetProperty("kind").GetString()));
    }

    [Theory]
    [InlineData("--pilot-identifier-list", "5000")]
    [InlineData("--time-zone", "Europe/Atlantis")]
    [InlineData("--business-hours-schedule", "Mon-Fri 18:00-08:00")]
    [InlineData("--holiday-schedule", "Christmas,,25/12/2026")]
    [InlineData("--business-hours-key-mapping", "0,Operator,1000")]
    [InlineData("--after-hours-key-mapping", "1,Sales,1001,Other")]
    [InlineData("--business-hours-welcome-greeting", "missing.wav")]
    [InlineData("--operator-extension", "zero")]
    [InlineData("--allowed-in-country-or-region-groups", "Local")]
    [InlineData("--allowed-international-groups", "Everywhere")]
    public void BadAttendantIsRefusedNamingTheOption(string option, string value)
    {
        Seed();
        var (code, _, err) = Run("autoattendant", "new", "--name", "Reception", "--dial-plan", "Contoso", "--pilot-identifier-list", "5100", option, value);
        Assert.Equal(2, code);
        Assert.StartsWith($"error: {option}:", err);
        Assert.Equal(0, JsonDocument.Parse(Run("autoattendant", "get", "--json").Out).RootElement.GetArrayLength());
    }
}
