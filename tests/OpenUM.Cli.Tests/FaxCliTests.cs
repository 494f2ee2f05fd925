using System.Text.Json;

namespace OpenUM.Cli.Tests;

/// <summary>`openum dialplan set --fax-enabled` and `openum mailboxpolicy new|set --allow-fax --fax-server-uri` through the real command.</summary>
public sealed class FaxCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-fax-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => OpenUmCli.Run(_data, args);

    private JsonElement Get(string noun, string name) => JsonDocument.Parse(Run(noun, "get", name, "--json").Out).RootElement;

    private void Seed() =>
        Assert.Equal(0, Run("dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4").Code);

    [Fact]
    public void FaxSettingsAreSetShownAndCleared()
    {
        Seed();
        Assert.True(Get("dialplan", "Contoso").GetProperty("faxEnabled").GetBoolean());
        var (code, _, err) = Run("dialplan", "set", "Contoso", "--fax-enabled", "false");
        Assert.True(code == 0, err);
        Assert.False(Get("dialplan", "Contoso").GetProperty("faxEnabled").GetBoolean());

        (code, _, err) = Run("mailboxpolicy", "new", "--name", "Staff", "--dial-plan", "Contoso",
            "--fax-server-uri", "sip:fax@fax.example.com:5060;transport=tcp");
        Assert.True(code == 0, err);
        var policy = Get("mailboxpolicy", "Staff");
        Assert.Equal("sip:fax@fax.example.com:5060;transport=tcp", policy.GetProperty("faxServerUri").GetString());
        Assert.True(policy.GetProperty("allowFax").GetBoolean());

        Assert.Equal(0, Run("mailboxpolicy", "set", "Staff", "--allow-fax", "false").Code);
        policy = Get("mailboxpolicy", "Staff");
        Assert.False(policy.GetProperty("allowFax").GetBoolean());
        Assert.Equal("sip:fax@fax.example.com:5060;transport=tcp", policy.GetProperty("faxServerUri").GetString()); // untouched by set

        Assert.Equal(0, Run("mailboxpolicy", "set", "Staff", "--fax-server-uri", "").Code);
        Assert.Equal(JsonValueKind.Null, Get("mailboxpolicy", "Staff").GetProperty("faxServerUri").ValueKind);
    }

    [Theory]
    [InlineData("http://fax.example.com/")]
    [InlineData("fax@fax.example.com")]
    [InlineData("sip:fax@fax.example.com?Replaces=x")]
    public void ABadFaxServerUriIsRefusedNamingTheOptionAndTheFix(string uri)
    {
        Seed();
        Assert.Equal(0, Run("mailboxpolicy", "new", "--name", "Staff", "--dial-plan", "Contoso").Code);
        var (code, _, err) = Run("mailboxpolicy", "set", "Staff", "--fax-server-uri", uri);
        Assert.Equal(2, code);
        Assert.StartsWith("error: --fax-server-uri:", err);
        Assert.Contains("give a sip: or sips: URI", err);
        Assert.Equal(JsonValueKind.Null, Get("mailboxpolicy", "Staff").GetProperty("faxServerUri").ValueKind);
    }
}
