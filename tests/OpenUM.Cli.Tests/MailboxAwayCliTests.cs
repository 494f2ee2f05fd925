using System.Text.Json;

namespace OpenUM.Cli.Tests;

/// <summary>`openum mailbox set --away true|false`: the away greeting (recorded by phone) is played while set.</summary>
public sealed class MailboxAwayCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-away-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => OpenUmCli.Run(_data, args);

    private bool Away()
    {
        var get = Run("mailbox", "get", "1000", "--json");
        Assert.True(get.Code == 0, get.Err);
        var json = JsonDocument.Parse(get.Out).RootElement;
        var mailbox = json.ValueKind == JsonValueKind.Array ? json[0] : json;
        return mailbox.GetProperty("away").GetBoolean();
    }

    [Fact]
    public void AwayIsOffByDefault_SetOnAndOff_ShownAndAudited()
    {
        Assert.Equal(0, Run("dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4").Code);
        Assert.Equal(0, Run("mailbox", "new", "--extension", "1000", "--dial-plan", "Contoso", "--email", "u@example.test").Code);
        Assert.False(Away());

        var on = Run("mailbox", "set", "1000", "--away", "true");
        Assert.True(on.Code == 0, on.Err);
        Assert.True(Away());
        string[] table = Run("mailbox", "get", "1000").Out.Split('\n');
        Assert.EndsWith("Away", table[0].TrimEnd());
        Assert.Contains(table, row => row.StartsWith("1000", StringComparison.Ordinal) && row.TrimEnd().EndsWith("True", StringComparison.Ordinal));

        Assert.Equal(0, Run("mailbox", "set", "1000", "--display-name", "User 1000").Code);
        Assert.True(Away()); // another option leaves it as it was

        Assert.Equal(0, Run("mailbox", "set", "1000", "--away", "false").Code);
        Assert.False(Away());
        // Audited as any configuration change: the before and after (JSON inside the event's JSON) carry the flag.
        string events = File.ReadAllText(Path.Combine(_data, "events.jsonl"));
        Assert.Contains("away\\\":true", events);
        Assert.Contains("away\\\":false", events);

        var bad = Run("mailbox", "set", "1000", "--away", "maybe");
        Assert.NotEqual(0, bad.Code);
        Assert.Contains("--away", bad.Err);
    }
}
