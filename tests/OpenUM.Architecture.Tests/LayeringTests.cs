using System.Reflection;

namespace OpenUM.Architecture.Tests;

/// <summary>
/// The layering of docs/architecture.md, checked on the compiled assemblies: every OpenUM assembly has a row in the
/// document's table, and references no OpenUM assembly its row does not allow.
/// </summary>
public sealed class LayeringTests
{
    [Fact]
    public void EveryAssemblyReferencesOnlyWhatDocsArchitectureAllows()
    {
        var rules = LayerRules.Read(LayerRules.DocumentPath());
        var assemblies = SourceAssemblies().ToDictionary(name => name, name => References(Load(name)));

        var violations = LayerRules.Violations(rules, assemblies);

        Assert.True(violations.Count == 0, "layering broken (docs/architecture.md):\n" + string.Join('\n', violations));
    }

    [Fact]
    public void EveryProjectUnderSrcIsAnAssemblyOfTheTable()
    {
        var rules = LayerRules.Read(LayerRules.DocumentPath());
        var projects = System.IO.Directory.GetDirectories(Path.Combine(LayerRules.RepositoryRoot(), "src")).Select(Path.GetFileName).ToList();
        Assert.Equal(projects.Order(StringComparer.Ordinal), rules.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(projects.Order(StringComparer.Ordinal), SourceAssemblies().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AForbiddenReferenceIsReported()
    {
        var rules = new Dictionary<string, IReadOnlySet<string>>
        {
            ["OpenUM.Sip"] = new HashSet<string>(),
            ["OpenUM.Calls"] = new HashSet<string> { "OpenUM.Sip" },
        };
        var compiled = new Dictionary<string, IReadOnlyList<string>>
        {
            ["OpenUM.Sip"] = ["OpenUM.Calls"],      // a lower layer reaching up
            ["OpenUM.Calls"] = ["OpenUM.Sip"],
            ["OpenUM.Extra"] = [],                  // no row at all
        };

        var violations = LayerRules.Violations(rules, compiled);

        Assert.Equal(["OpenUM.Extra has no row in the table", "OpenUM.Sip references OpenUM.Calls, which its row does not allow"], violations.Order());
    }

    // The OpenUM assemblies this test's output directory holds (the Cli reference brings all of them), by project name.
    private static IEnumerable<string> SourceAssemblies() =>
        System.IO.Directory.GetFiles(AppContext.BaseDirectory, "OpenUM.*.dll").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Where(n => !n.EndsWith(".Tests", StringComparison.Ordinal)).Append("OpenUM.Cli");

    // The Cli project builds the `openum` executable's assembly.
    private static Assembly Load(string project) =>
        project == "OpenUM.Cli" ? Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, "openum.dll")) : Assembly.Load(project);

    private static IReadOnlyList<string> References(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("OpenUM.", StringComparison.Ordinal)).ToList();
}
