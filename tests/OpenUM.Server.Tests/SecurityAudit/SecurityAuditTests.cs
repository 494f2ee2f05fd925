using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using OpenUM.TestSupport.Logging;
using OpenUM.Directory;
using OpenUM.Server.SecurityAudit;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.Tests.SecurityAudit;

/// <summary>The audit as a whole: a clean configuration, the order of the report, its event, the command quoting.</summary>
public sealed partial class SecurityAuditTests
{
    [Fact]
    public void AConfigurationFollowingEveryPieceOfAdviceHasNoFindings()
    {
        var report = OpenUM.Server.SecurityAudit.SecurityAudit.Run(AuditCase.Clean().Input());

        Assert.True(report.Findings.Count == 0, string.Join("\n", report.Findings.Select(f => $"{f.Id} {f.Object}: {f.Risk}")));
        Assert.Null(report.WorstSeverity);
        Assert.Equal("no findings", report.Summary);
    }

    [Fact]
    public void FindingsComeWorstFirstThenByIdAndTheSummaryCountsThem()
    {
        var messy = AuditCase.Clean().WithPlan(AuditCase.Plan with { VoipSecurity = VoipSecurity.Unsecured, LogonFailuresBeforeDisconnect = 9 })
            .WithGateway(AuditCase.Gateway with { Address = "127.0.0.1" }) with { Crls = [] };

        var report = OpenUM.Server.SecurityAudit.SecurityAudit.Run(messy.Input());

        Assert.Equal([K.DialPlanUnsecured.Id, K.LoopbackGateway.Id, K.CrlMissing.Id, K.LogonFailuresBeforeDisconnect.Id], report.Findings.Select(f => f.Id));
        Assert.Equal(AuditSeverity.High, report.WorstSeverity);
        Assert.Equal("1 High, 2 Medium, 1 Low", report.Summary);
        Assert.Equal(7, report.ConfigurationVersion);
    }

    [Fact]
    public void EachRunIsEvent2150NamingWhoRanItAndAWarningFromMediumUp()
    {
        var logger = new FakeLogger();
        var unsecured = AuditCase.Clean().WithPlan(AuditCase.Plan with { VoipSecurity = VoipSecurity.SipSecured });

        OpenUM.Server.SecurityAudit.SecurityAudit.Run(unsecured.Input(), logger, "alice");
        OpenUM.Server.SecurityAudit.SecurityAudit.Run(AuditCase.Clean().Input(), logger, "bob");

        var records = logger.Records(2150);
        Assert.Equal(2, records.Count);
        Assert.Equal(LogLevel.Warning, records[0].Level);
        Assert.Equal("alice", records[0].Field<string>("User"));
        Assert.Equal("OUM-SEC-002, OUM-SEC-014", records[0].Field<string>("Ids"));
        Assert.Equal(LogLevel.Information, records[1].Level);
        Assert.Equal("none", records[1].Field<string>("WorstSeverity"));
    }

    [Theory]
    [InlineData("Contoso", "Contoso")]
    [InlineData("", "\"\"")]
    [InlineData("Paris HQ", "'Paris HQ'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$(reboot)", "'$(reboot)'")]
    [InlineData("<ca-signed-certificate-file>", "<ca-signed-certificate-file>")]
    [InlineData("a<b>", "'a<b>'")]
    public void CommandWordsAreQuotedForAPosixShell(string word, string quoted) => Assert.Equal(quoted, FixCommand.Quote(word));

    [Fact]
    public void EveryRuleHasAUniqueIdOfOneFormAndEveryIdInTheCodeIsARule()
    {
        Assert.All(K.All, k => Assert.Matches(IdFormat(), k.Id));
        Assert.Equal(K.All.Count, K.All.Select(k => k.Id).Distinct().Count());
        var declared = typeof(AuditFindingKinds).GetFields().Where(f => f.FieldType == typeof(AuditFindingKind)).Select(f => (AuditFindingKind)f.GetValue(null)!);
        Assert.Equal(declared.Select(k => k.Id).Order(), K.All.Select(k => k.Id).Order());
        // An ID written anywhere in the code (a risk text, a note) must be a rule's.
        var inCode = System.IO.Directory.EnumerateFiles(Path.Combine(Docs.RepositoryRoot(), "src"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => Cited().Matches(File.ReadAllText(f)).Select(m => m.Value)).Distinct();
        Assert.All(inCode, id => Assert.Contains(id, K.All.Select(k => k.Id)));
    }

    [Fact]
    public void EveryRuleIsDocumentedWithItsRiskAndFixAndTheDocumentNamesNoOtherRule()
    {
        string text = File.ReadAllText(Path.Combine(Docs.RepositoryRoot(), "docs", "security-audit.md"));
        var sections = Heading().Matches(text).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(K.All.Select(k => k.Id), sections);
        foreach (var kind in K.All)
        {
            int start = text.IndexOf($"### {kind.Id}", StringComparison.Ordinal);
            int end = text.IndexOf("\n### ", start + 1, StringComparison.Ordinal) is var next and > 0 ? next : text.Length;
            string section = text[start..end];
            Assert.Contains("**Risk.**", section, StringComparison.Ordinal);
            Assert.Contains("**Fix.**", section, StringComparison.Ordinal);
        }
        Assert.All(Cited().Matches(text).Select(m => m.Value), id => Assert.Contains(id, K.All.Select(k => k.Id)));
    }

    [GeneratedRegex(@"^OUM-SEC-\d{3}$")]
    private static partial Regex IdFormat();

    [GeneratedRegex(@"OUM-SEC-\d{3}")]
    private static partial Regex Cited();

    [GeneratedRegex(@"^### (OUM-SEC-\d{3})\b", RegexOptions.Multiline)]
    private static partial Regex Heading();
}

/// <summary>The repository's files, found from the test's output directory.</summary>
internal static class Docs
{
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpenUM.slnx"))) return dir.FullName;
        throw new InvalidOperationException("OpenUM.slnx not found above " + AppContext.BaseDirectory);
    }
}
