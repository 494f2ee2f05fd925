using System.Text.Json;

namespace OpenUM.Cli.Tests.SecurityAudit;

/// <summary>`openum security audit`: its JSON, its text, and its exit code by the worst severity, apart from 1 and 2.</summary>
[Collection(nameof(InProcessCliCollection))]
public sealed class SecurityAuditCliTests : IDisposable
{
    private const string Fqdn = "um.audit.test";
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-audit-cli-").FullName;
    private readonly string _data;

    public SecurityAuditCliTests() => _data = Path.Combine(_root, "data");

    public void Dispose() => System.IO.Directory.Delete(_root, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => InProcessCli.Run(_data, args);

    private void Ok(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.True(code == 0, $"openum {string.Join(' ', args)}: exit {code}: {err}");
    }

    private void UnsecuredPlanWithAnIpGateway()
    {
        Ok("dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4");
        Ok("gateway", "new", "--name", "pbx1", "--address", "192.0.2.10", "--dial-plan", "Contoso");
    }

    [Fact]
    public void JsonHasTheReportAndEachFindingsIdSeverityObjectRiskAndFix()
    {
        UnsecuredPlanWithAnIpGateway();

        var (code, json, err) = Run("security", "audit", "--fqdn", Fqdn, "--json");

        Assert.True(code == 5, $"exit {code}: {err}");
        var root = JsonDocument.Parse(json).RootElement;
        Assert.Equal(["time", "dataDirectory", "serverFqdn", "configurationVersion", "findings", "notChecked", "worstSeverity", "summary"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Fqdn, root.GetProperty("serverFqdn").GetString());
        Assert.Equal(Path.GetFullPath(_data), root.GetProperty("dataDirectory").GetString());
        Assert.Equal("High", root.GetProperty("worstSeverity").GetString());
        var findings = root.GetProperty("findings").EnumerateArray().ToList();
        Assert.All(findings, f => Assert.Equal(["id", "title", "severity", "objectType", "object", "risk", "fix", "fixNote", "reference"],
            f.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(["OUM-SEC-001 Contoso", "OUM-SEC-010 pbx1", "OUM-SEC-020 (none yet)", "OUM-SEC-014 pbx1"],
            findings.Select(f => f.GetProperty("id").GetString() + " " + f.GetProperty("object").GetString()));
        var plan = findings[0];
        Assert.Equal(("High", "DialPlan", "docs/security-audit.md#oum-sec-001"),
            (plan.GetProperty("severity").GetString(), plan.GetProperty("objectType").GetString(), plan.GetProperty("reference").GetString()));
        Assert.Equal(["openum gateway set pbx1 --address <fqdn-of-pbx1>", "openum cert trust <gateway-ca-certificate-file>", "openum dialplan set Contoso --voip-security Secured"],
            plan.GetProperty("fix").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(0, findings[3].GetProperty("fix").GetArrayLength()); // IPsec: the how-to is in the documentation
        Assert.Contains(root.GetProperty("notChecked").EnumerateArray(), n => n.GetString()!.Contains("control.sock", StringComparison.Ordinal));
        // Event 2150: who ran it, what it found.
        var audit = File.ReadLines(Path.Combine(_data, "events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(e => e.GetProperty("id").GetInt32() == 2150);
        Assert.Equal("Warning", audit.GetProperty("level").GetString());
        Assert.Equal("OUM-SEC-001, OUM-SEC-010, OUM-SEC-020, OUM-SEC-014", audit.GetProperty("properties").GetProperty("ids").GetString());
    }

    [Fact]
    public void TextGivesEachFindingWithItsFixCommandsOneALineThenTheSummary()
    {
        UnsecuredPlanWithAnIpGateway();

        var (code, text, _) = Run("security", "audit", "--fqdn", Fqdn);

        Assert.Equal(5, code);
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int plan = lines.IndexOf("OUM-SEC-001  High  dial plan Contoso: Dial plan in Unsecured mode");
        Assert.True(plan >= 0, text);
        Assert.StartsWith("  Risk: Dial plan Contoso takes calls over SIP/TCP", lines[plan + 1], StringComparison.Ordinal);
        Assert.Equal(["  Fix:", "    openum gateway set pbx1 --address <fqdn-of-pbx1>", "    openum cert trust <gateway-ca-certificate-file>",
            "    openum dialplan set Contoso --voip-security Secured"], lines.Skip(plan + 2).Take(4));
        Assert.Contains("  See: docs/security-audit.md#oum-sec-001", lines);
        Assert.Contains("4 findings: 1 High, 2 Medium, 1 Informational; exit code 5.", lines);
        Assert.Contains(lines, l => l.StartsWith("Not checked: the running server's listeners", StringComparison.Ordinal));
    }

    [Fact]
    public void TheExitCodeFollowsTheWorstSeverity()
    {
        // Nothing to find: a certificate the CA issued for the server's name, and nothing configured yet.
        using var ca = new AuditTestCa();
        Ok("cert", "new-request", "--subject", Fqdn, "--out", Path.Combine(_root, "um.csr"));
        File.WriteAllText(Path.Combine(_root, "um.crt"), ca.Sign(File.ReadAllText(Path.Combine(_root, "um.csr"))));
        Ok("cert", "import", Path.Combine(_root, "um.crt"));
        Assert.Equal(0, Audit());

        Ok("server", "set", "--smart-host", "hub.audit.test:25", "--smart-host-client-certificate", "false");
        Assert.Equal(3, Audit()); // Low
        Ok("dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4", "--voip-security", "SipSecured");
        Assert.Equal(4, Audit()); // Medium
        Ok("dialplan", "set", "Contoso", "--voip-security", "Unsecured");
        Assert.Equal(5, Audit()); // High
        File.SetUnixFileMode(_data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        Assert.Equal(6, Audit()); // Critical: others may write in the data directory
    }

    private int Audit()
    {
        var (code, _, err) = Run("security", "audit", "--fqdn", Fqdn);
        Assert.Equal("", err);
        return code;
    }

    [Theory]
    [InlineData("error: --fqdn: 'not a name!' is not a DNS name (e.g. um.contoso.example).", "security", "audit", "--fqdn", "not a name!")]
    [InlineData("error: --fqnd: `openum security audit` has no such option; did you mean --fqdn?", "security", "audit", "--fqnd", "x")]
    [InlineData("error: `openum security` needs a command: audit.", "security")]
    public void AUsageErrorIsExitCode2AndNeverAFindingsCode(string error, params string[] args)
    {
        var (code, _, err) = Run(args);

        Assert.Equal(2, code);
        Assert.Equal(error, err.Split('\n')[0].TrimEnd());
    }

    [Fact]
    public void AStoreThatCannotBeReachedIsExitCode1()
    {
        var (code, _, err) = Run("security", "audit", "--store", "Host=127.0.0.1;Port=1;Username=openum;Database=openum;Timeout=3");

        Assert.Equal(1, code);
        Assert.StartsWith("error: ", err, StringComparison.Ordinal);
    }
}
