using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Metrics;

/// <summary>docs/monitoring/openum-rules.yml is valid for Prometheus, and its alerts fire when they should (promtool's own tests).</summary>
public sealed class AlertRulesTests(ITestOutputHelper output)
{
    private static string RulesDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpenUM.slnx"))) return Path.Combine(dir.FullName, "docs", "monitoring");
        throw new InvalidOperationException("OpenUM.slnx not found above " + AppContext.BaseDirectory);
    }

    [Theory]
    [InlineData("check", "rules", "openum-rules.yml")]
    [InlineData("test", "rules", "openum-rules.test.yml")]
    public async Task PromtoolAcceptsTheRules(params string[] args)
    {
        string promtool = Peers.Require("promtool", "prometheus");
        var result = await ChildProcess.RunAsync(promtool, args, TimeSpan.FromSeconds(60), RulesDirectory());
        output.WriteLine(result.Describe());
        Assert.True(result.ExitCode == 0 && result.StdOut.Contains("SUCCESS", StringComparison.Ordinal), result.Describe());
    }
}
