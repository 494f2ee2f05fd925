using System.Text.Json;

namespace OpenUM.Cli.Tests;

/// <summary>`openum mailboxpolicy` and `openum mailbox set-pin|reset-pin` through the real command.</summary>
public sealed class MailboxPolicyCliTests : IDisposable
{
    private const string Pin = "482917";
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-policy-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => OpenUmCli.Run(_data, args);

    private void Seed()
    {
        Assert.Equal(0, Run("dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4",
            "--configured-in-country-or-region-groups", "Local,0xxxxxxxxx,90xxxxxxxxx").Code);
        Assert.Equal(0, Run("mailbox", "new", "--extension", "1000", "--dial-plan", "Contoso", "--email", "user1000@example.test").Code);
    }

    private string PinFile(string pin)
    {
        var path = Path.Combine(_data, "pin.txt");
        File.WriteAllText(path, pin + "\n");
        return path;
    }

    [Fact]
    public void PolicyNewGetSetRemoveWithJsonTablesAndAudit()
    {
        Seed();
        var (code, _, err) = Run("mailboxpolicy", "new", "--name", "Staff", "--dial-plan", "Contoso", "--min-pin-length", "8",
            "--allowed-in-country-or-region-groups", "local", "--pin-lifetime", "Unlimited");
        Assert.True(code == 0, err);
        var policy = JsonDocument.Parse(Run("mailboxpolicy", "get", "Staff", "--json").Out).RootElement;
        Assert.Equal(8, policy.GetProperty("minPinLength").GetInt32());
        Assert.Equal(JsonValueKind.Null, policy.GetProperty("pinLifetime").ValueKind);
        Assert.Equal(15, policy.GetProperty("maxLogonAttempts").GetInt32());
        Assert.Equal("local", policy.GetProperty("allowedInCountryOrRegionGroups")[0].GetString());

        Assert.Equal(0, Run("mailboxpolicy", "set", "Staff", "--max-logon-attempts", "10", "--allow-common-patterns", "true").Code);
        var table = Run("mailboxpolicy", "get").Out;
        Assert.Contains("MaxLogonAttempts", table);
        Assert.Contains("Staff", table);
        Assert.Contains("Unlimited", table);
        policy = JsonDocument.Parse(Run("mailboxpolicy", "get", "staff", "--json").Out).RootElement;
        Assert.Equal(10, policy.GetProperty("maxLogonAttempts").GetInt32());
        Assert.Equal(8, policy.GetProperty("minPinLength").GetInt32()); // untouched by set
        Assert.True(policy.GetProperty("allowCommonPatterns").GetBoolean());

        Assert.Equal(0, Run("mailbox", "set", "1000", "--mailbox-policy", "Staff").Code);
        var removeInUse = Run("mailboxpolicy", "remove", "Staff");
        Assert.Equal(2, removeInUse.Code);
        Assert.Contains("1000", removeInUse.Err);
        Assert.Equal(0, Run("mailbox", "set", "1000", "--mailbox-policy", "").Code);
        Assert.Equal(0, Run("mailboxpolicy", "remove", "Staff").Code);
        Assert.Equal(0, JsonDocument.Parse(Run("mailboxpolicy", "get", "--json").Out).RootElement.GetArrayLength());

        var audit = JsonDocument.Parse(Run("events", "--id", "2100", "--json").Out).RootElement.EnumerateArray()
            .Select(e => e.GetProperty("properties")).Where(p => p.GetProperty("objectType").GetString() == "mailbox policy").ToArray();
        Assert.Equal(["Added", "Updated", "Removed"], audit.Select(p => p.GetProperty("kind").GetString()));
    }

    [Theory]
    [InlineData("--allowed-in-country-or-region-groups", "--allowed-in-country-or-region-groups", "Premium")]
    [InlineData("--allowed-international-groups", "--allowed-international-groups", "Local")]
    [InlineData("--min-pin-length", "--min-pin-length", "3")]
    [InlineData("--pin-lifetime", "--pin-lifetime", "forever")]
    [InlineData("--logon-failures-before-pin-reset", "--logon-failures-before-pin-reset", "20")]
    [InlineData("--dial-plan", "--dial-plan", "Missing")]
    public void BadPolicyIsRefusedNamingTheField(string field, string option, string value)
    {
        Seed();
        string[] args = option == "--dial-plan"
            ? ["mailboxpolicy", "new", "--name", "Staff", option, value]
            : ["mailboxpolicy", "new", "--name", "Staff", "--dial-plan", "Contoso", option, value];
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith($"error: {field}:", err);
        Assert.Equal(0, JsonDocument.Parse(Run("mailboxpolicy", "get", "--json").Out).RootElement.GetArrayLength());
    }

    [Fact]
    public void OutdialingTestAppliesTheMailboxPolicysGroups()
    {
        Seed();
        Assert.Equal(0, Run("gateway", "new", "--name", "pbx1", "--address", "192.0.2.10", "--dial-plan", "Contoso").Code);
        Assert.Equal(0, Run("mailboxpolicy", "new", "--name", "Staff", "--dial-plan", "Contoso", "--allowed-in-country-or-region-groups", "Local").Code);
        string[] check = ["outdialing", "test", "--dial-plan", "Contoso", "--number", "0612345678", "--json"];
        var asCaller = Run(check);
        Assert.Equal(1, asCaller.Code); // the dial plan allows no group to unauthenticated callers
        var asUser = Run([.. check, "--mailbox-policy", "staff"]);
        Assert.True(asUser.Code == 0, asUser.Out + asUser.Err);
        Assert.Equal("Local", JsonDocument.Parse(asUser.Out).RootElement.GetProperty("group").GetString());
        Assert.Equal(2, Run([.. check, "--mailbox-policy", "Nope"]).Code);
    }

    [Fact]
    public void AMailboxPolicyThatDoesNotExistIsRefused()
    {
        Seed();
        var (code, _, err) = Run("mailbox", "set", "1000", "--mailbox-policy", "Nope");
        Assert.Equal(2, code);
        Assert.Contains("--mailbox-policy", err);
    }

    [Theory]
    [InlineData("12345")]     // too short for the default 6
    [InlineData("111111")]    // repeated digit
    [InlineData("123456")]    // sequence
    [InlineData("654321")]
    [InlineData("991000")]    // contains the extension
    [InlineData("48 2917")]
    public void AWeakPinIsRefusedNamingPinFile(string weak)
    {
        Seed();
        var (code, output, err) = Run("mailbox", "set-pin", "--dial-plan", "Contoso", "--extension", "1000", "--pin-file", PinFile(weak));
        Assert.Equal(2, code);
        Assert.StartsWith("error: --pin-file: the PIN in ", err);
        Assert.DoesNotContain(weak, err + output);
    }

    [Fact]
    public void SetPinThenResetPinPrintsANewPinOnceAndLogsNoPin()
    {
        Seed();
        var set = Run("mailbox", "set-pin", "--dial-plan", "Contoso", "--extension", "1000", "--pin-file", PinFile(Pin));
        Assert.True(set.Code == 0, set.Err);
        Assert.DoesNotContain(Pin, set.Out + set.Err);
        var again = Run("mailbox", "set-pin", "--extension", "1000", "--pin-file", PinFile(Pin));
        Assert.Equal(2, again.Code);
        Assert.Contains("--pin", again.Err); // history: the current PIN may not be set again

        var reset = Run("mailbox", "reset-pin", "--dial-plan", "Contoso", "--extension", "1000", "--json");
        Assert.True(reset.Code == 0, reset.Err);
        var fresh = JsonDocument.Parse(reset.Out).RootElement.GetProperty("pin").GetString()!;
        Assert.Matches("^[0-9]{6,}$", fresh);
        Assert.NotEqual(Pin, fresh);
        var table = Run("mailbox", "reset-pin", "--extension", "1000");
        Assert.Equal(0, table.Code);
        var second = System.Text.RegularExpressions.Regex.Match(table.Out, ": ([0-9]{6,})").Groups[1].Value;
        Assert.NotEqual(fresh, second);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(table.Out, second));  // printed once

        // Neither PIN is anywhere in the event log or the configuration store, yet the changes are recorded.
        var events = File.ReadAllText(Path.Combine(_data, "events.jsonl"));
        Assert.DoesNotContain(Pin, events);
        Assert.DoesNotContain(fresh, events);
        Assert.DoesNotContain(second, events);
        Assert.Equal(3, JsonDocument.Parse(Run("events", "--id", "2040", "--json").Out).RootElement.GetArrayLength());
        var store = string.Concat(System.IO.Directory.GetFiles(_data, "config.db*").Select(f => System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(f))));
        Assert.DoesNotContain(Pin, store);
        Assert.DoesNotContain(second, store);
    }

    [Fact]
    public void SetPinReadsStandardInputAndRefusesAnUnknownMailbox()
    {
        Seed();
        var (code, _, err) = Run("mailbox", "set-pin", "--extension", "1001", "--pin-file", PinFile(Pin));
        Assert.Equal(2, code);
        Assert.Contains("no mailbox 1001", err);
        // Standard input is closed and empty here: an empty PIN is refused, saying where it was read.
        var empty = Run("mailbox", "set-pin", "--extension", "1000");
        Assert.Equal(2, empty.Code);
        Assert.StartsWith("error: the PIN read from standard input:", empty.Err);
    }
}
