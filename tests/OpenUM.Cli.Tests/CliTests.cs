using System.Text.Json;

namespace OpenUM.Cli.Tests;

/// <summary>The `openum` command as an operator uses it: real process, temporary data directory.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => OpenUmCli.Run(_data, args);

    [Theory]
    [InlineData("--number-of-digits-in-extension", "dialplan", "new", "--name", "X", "--number-of-digits-in-extension", "0")]
    [InlineData("--number-of-digits-in-extension", "dialplan", "new", "--name", "X", "--number-of-digits-in-extension", "21")]
    [InlineData("--name", "dialplan", "new", "--name", "", "--number-of-digits-in-extension", "4")]
    [InlineData("--address", "gateway", "new", "--name", "gw", "--address", "not an address!")]
    [InlineData("--dial-plan", "gateway", "new", "--name", "gw", "--address", "127.0.0.1", "--dial-plan", "Missing")]
    [InlineData("--dial-plan", "mailbox", "new", "--extension", "1000", "--dial-plan", "Missing", "--email", "a@example.test")]
    public void BadInputNamesTheFieldAndWritesNothing(string field, params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.NotEqual(0, code);
        Assert.Contains(field, err);
        var (_, json, _) = Run(args[0], "get", "--json");
        Assert.Equal(0, JsonDocument.Parse(json).RootElement.GetArrayLength());
    }

    [Fact]
    public void SecuredDialPlanWithAnIpAddressGatewayAndAWrongLengthExtensionAreRefused()
    {
        Assert.Equal(0, Run("dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4").Code);
        Assert.Equal(0, Run("gateway", "new", "--name", "pbx1", "--address", "192.0.2.10", "--dial-plan", "Contoso").Code);

        // SEC-4: mutual TLS names peers by FQDN, so a secured plan cannot keep an IP-address gateway.
        var (code, _, err) = Run("dialplan", "set", "Contoso", "--voip-security", "Secured");
        Assert.Equal(2, code);
        Assert.Contains("--voip-security", err, StringComparison.Ordinal);
        Assert.Contains("192.0.2.10", err, StringComparison.Ordinal);
        var plan = JsonDocument.Parse(Run("dialplan", "get", "Contoso", "--json").Out).RootElement;
        Assert.Equal("Unsecured", plan.GetProperty("voipSecurity").GetString());

        (code, _, err) = Run("mailbox", "new", "--extension", "123", "--dial-plan", "Contoso", "--email", "a@example.test");
        Assert.Equal(2, code);
        Assert.Contains("--extension", err, StringComparison.Ordinal);
        Assert.Contains("exactly 4 digits", err, StringComparison.Ordinal);
    }

    [Fact]
    public void GatewayWithDialPlanAlsoCreatesItsCatchAllHuntGroup()
    {
        Assert.Equal(0, Run("dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4").Code);
        Assert.Equal(0, Run("gateway", "new", "--name", "pbx1", "--address", "192.0.2.10", "--dial-plan", "Contoso").Code);
        var groups = JsonDocument.Parse(Run("huntgroup", "get", "--json").Out).RootElement;
        var group = Assert.Single(groups.EnumerateArray());
        Assert.Equal("pbx1", group.GetProperty("ipGateway").GetString());
        Assert.Equal(JsonValueKind.Null, group.GetProperty("pilotIdentifier").ValueKind);
    }

    [Fact]
    public void SetChangesOnlyTheGivenOptionsAndIsAudited()
    {
        Run("dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4");
        Assert.Equal(0, Run("dialplan", "set", "Contoso", "--voip-security", "SipSecured").Code);
        var plan = JsonDocument.Parse(Run("dialplan", "get", "Contoso", "--json").Out).RootElement;
        Assert.Equal("SipSecured", plan.GetProperty("voipSecurity").GetString());
        Assert.Equal(4, plan.GetProperty("numberOfDigitsInExtension").GetInt32());
        Assert.True(plan.GetProperty("allowDialPlanSubscribers").GetBoolean()); // a default set never touched
        var audit = JsonDocument.Parse(Run("events", "--id", "2100", "--json").Out).RootElement;
        Assert.Equal(2, audit.GetArrayLength());
        Assert.Contains("SipSecured", audit[1].GetProperty("properties").GetProperty("after").GetString());
    }

    [Fact]
    public void AGreetingMustBeAnEightKilohertzMonoWav()
    {
        Run("dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4");
        Run("mailbox", "new", "--extension", "1000", "--dial-plan", "Contoso", "--email", "user1000@example.test");
        string bad = Path.Combine(_data, "cd.wav");
        File.WriteAllBytes(bad, Wav(sampleRate: 44100, channels: 2));
        var (code, _, err) = Run("mailbox", "set", "1000", "--greeting", bad);
        Assert.NotEqual(0, code);
        Assert.Contains("--greeting", err);
        Assert.Contains("sox", err);

        string good = Path.Combine(_data, "hello.wav");
        File.WriteAllBytes(good, Wav(sampleRate: 8000, channels: 1));
        Assert.Equal(0, Run("mailbox", "set", "1000", "--greeting", good).Code);
        var mailbox = JsonDocument.Parse(Run("mailbox", "get", "1000", "--json").Out).RootElement;
        string stored = mailbox.GetProperty("greetingFile").GetString()!;
        Assert.StartsWith("greetings/", stored);
        Assert.Equal(File.ReadAllBytes(good), File.ReadAllBytes(Path.Combine(_data, stored)));
    }

    /// <summary>One second of a 440 Hz tone as a PCM16 WAV.</summary>
    private static byte[] Wav(int sampleRate, int channels)
    {
        int frames = sampleRate;
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        int data = frames * channels * 2;
        w.Write("RIFF"u8); w.Write(36 + data); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)channels); w.Write(sampleRate);
        w.Write(sampleRate * channels * 2); w.Write((short)(channels * 2)); w.Write((short)16);
        w.Write("data"u8); w.Write(data);
        for (int i = 0; i < frames; i++)
            for (int c = 0; c < channels; c++)
                w.Write((short)(8000 * Math.Sin(2 * Math.PI * 440 * i / sampleRate)));
        w.Flush();
        return ms.ToArray();
    }
}
