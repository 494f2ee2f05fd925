using System.Text.Json;

namespace OpenUM.Cli.Tests;

/// <summary>Issue 14, "a CLI that never misleads": each complaint as the administrator met it.</summary>
[Collection(nameof(InProcessCliCollection))]
public sealed class HonestErrorsCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => InProcessCli.Run(_data, args);

    private void Contoso(string voipSecurity = "Unsecured")
    {
        Assert.Equal(0, Run("dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4", "--voip-security", voipSecurity).Code);
    }

    [Fact]
    public void SetPinNamesThePinFileOption()
    {
        Contoso();
        Assert.Equal(0, Run("mailbox", "new", "--extension", "1000", "--dial-plan", "Contoso", "--email", "a@example.test").Code);
        string pin = Path.Combine(_data, "pin.txt");
        File.WriteAllText(pin, "12\n");
        var (code, _, err) = Run("mailbox", "set-pin", "--extension", "1000", "--pin-file", pin);
        Assert.Equal(2, code);
        Assert.StartsWith($"error: --pin-file: the PIN in {pin}: the PIN is too short", err, StringComparison.Ordinal);

        // Standard input (empty here) is no option: the error says where the PIN came from instead.
        (code, _, err) = Run("mailbox", "set-pin", "--extension", "1000");
        Assert.Equal(2, code);
        Assert.StartsWith("error: the PIN read from standard input:", err, StringComparison.Ordinal);
        Assert.DoesNotContain("--pin:", err, StringComparison.Ordinal);
    }

    [Fact]
    public void AGatewaysIpAddressForASecuredPlanIsReportedAsItsAddress()
    {
        Contoso("SipSecured");
        var (code, _, err) = Run("gateway", "new", "--name", "pbx1", "--address", "192.0.2.10", "--dial-plan", "Contoso");
        Assert.Equal(2, code);
        Assert.StartsWith("error: --address: ", err, StringComparison.Ordinal);
        Assert.Contains("192.0.2.10", err, StringComparison.Ordinal);
        Assert.Equal(0, JsonDocument.Parse(Run("gateway", "get", "--json").Out).RootElement.GetArrayLength());
    }

    [Theory]
    [InlineData("--number-of-digits-in-extension", "dialplan", "new", "--name", "Contoso")]
    [InlineData("--address", "gateway", "new", "--name", "pbx1")]
    [InlineData("--email", "mailbox", "new", "--extension", "1000", "--dial-plan", "Contoso")]
    [InlineData("--dial-plan", "mailbox", "new", "--extension", "1000", "--email", "a@example.test")]
    [InlineData("--ip-gateway", "huntgroup", "new", "--name", "h", "--dial-plan", "Contoso")]
    [InlineData("--dial-plan", "mailboxpolicy", "new", "--name", "Staff")]
    public void AMissingRequiredOptionSaysMissingAndHelpMarksItRequired(string option, params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains($"error: {option}: missing;", err, StringComparison.Ordinal);
        Assert.DoesNotContain("out of range", err, StringComparison.Ordinal);
        Assert.DoesNotContain("''", err, StringComparison.Ordinal);
        var (_, help, _) = Run(args[0], args[1], "--help");
        Assert.Matches($@"(?m)^\s+{option} <[^>]+> \(REQUIRED\)", help);
        // `set` keeps what is not given: nothing is required there.
        if (args[0] != "huntgroup")
            Assert.DoesNotContain("(REQUIRED)", Run(args[0], "set", "--help").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownOptionSuggestsTheClosestInsteadOfTheWholeHelp()
    {
        var (code, stdout, err) = Run("gateway", "new", "--name", "pbx1", "--adress", "192.0.2.10");
        Assert.Equal(2, code);
        Assert.Contains("error: --adress: `openum gateway new` has no such option; did you mean --address?", err, StringComparison.Ordinal);
        Assert.DoesNotContain("Description:", stdout + err, StringComparison.Ordinal);
        Assert.DoesNotContain("Unrecognized command or argument '192.0.2.10'", err, StringComparison.Ordinal);

        // An optional argument would take "--jsn" as the gateway's name; it is a mistyped --json.
        (code, _, err) = Run("gateway", "get", "--jsn");
        Assert.Equal(2, code);
        Assert.Contains("did you mean --json?", err, StringComparison.Ordinal);

        (code, _, err) = Run("gatway", "get");
        Assert.Equal(2, code);
        Assert.Contains("did you mean `openum gateway`?", err, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadValueSaysWhatIsExpectedNamingTheOption()
    {
        var (code, _, err) = Run("gateway", "new", "--name", "pbx1", "--address", "192.0.2.10", "--port", "abc", "--status", "Off", "--outcalls-allowed", "maybe");
        Assert.Equal(2, code);
        Assert.Contains("error: --port: 'abc' is not a whole number.", err, StringComparison.Ordinal);
        Assert.Contains("error: --status: 'Off' is not one of Enabled, Disabled, NoNewCalls.", err, StringComparison.Ordinal);
        Assert.Contains("error: --outcalls-allowed: 'maybe' is not true or false.", err, StringComparison.Ordinal);

        (code, _, err) = Run("dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "--voip-security", "Secured");
        Assert.Equal(2, code);
        Assert.Contains("error: --number-of-digits-in-extension: missing its value (the next word, --voip-security, is an option).", err, StringComparison.Ordinal);
    }

    [Fact]
    public void CertImportPrintsWhatCertListPrints()
    {
        string pfx = Path.Combine(_data, "um.pfx");
        using (var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=um.contoso.example", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
            File.WriteAllBytes(pfx, cert.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx));
        }
        var (code, imported, err) = Run("cert", "import", pfx);
        Assert.True(code == 0, err);
        var list = Run("cert", "list").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var shown = imported.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, shown.Length); // header, rule, the certificate
        Assert.Equal(list[0], shown[0]);
        Assert.Contains(shown[2], list);

        var one = JsonDocument.Parse(Run("cert", "import", pfx, "--json").Out).RootElement;
        var entry = JsonDocument.Parse(Run("cert", "list", "--json").Out).RootElement[0];
        Assert.Equal(entry.EnumerateObject().Select(p => p.Name), one.EnumerateObject().Select(p => p.Name));
        Assert.Equal(entry.GetProperty("thumbprint").GetString(), one.GetProperty("thumbprint").GetString());
    }

    [Fact]
    public void DurationsAreShownAsPeopleReadThem()
    {
        Contoso();
        Assert.Equal(0, Run("dialplan", "set", "Contoso", "--recording-idle-timeout", "7").Code);
        var (_, shown, _) = Run("dialplan", "get", "Contoso", "--json");
        Assert.Equal("00:00:07", JsonDocument.Parse(shown).RootElement.GetProperty("recordingIdleTimeout").GetString()); // JSON keeps its format
        var list = Run("dialplan", "set", "Contoso", "--max-call-duration", "30").Out;
        Assert.Matches(@"(?m)^RecordingIdleTimeout\s+: 0:07\r?$", list);
        Assert.Matches(@"(?m)^MaxCallDuration\s+: 30:00\r?$", list);
        Assert.Equal(0, Run("mailboxpolicy", "new", "--name", "Staff", "--dial-plan", "Contoso").Code);
        Assert.Matches(@"Staff\s+Contoso\s+6\s+60 days", Run("mailboxpolicy", "get").Out);
    }

    [Fact]
    public void UnreadableFilesAreErrorsNamingTheOptionNotCrashes()
    {
        string missing = Path.Combine(_data, "missing.txt");
        string cert = Path.Combine(_data, "c.crt");
        File.WriteAllText(cert, "not a certificate");
        var (code, _, err) = Run("cert", "import", cert, "--password-file", missing);
        Assert.Equal(2, code);
        Assert.StartsWith($"error: --password-file: cannot read '{missing}'", err, StringComparison.Ordinal);
        (code, _, err) = Run("cert", "new-request", "--subject", "um.contoso.example", "--out", Path.Combine(missing, "um.csr"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: --out: cannot write", err, StringComparison.Ordinal);
    }
}
