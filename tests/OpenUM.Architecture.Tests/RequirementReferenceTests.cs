using System.Text.RegularExpressions;

namespace OpenUM.Architecture.Tests;

/// <summary>
/// Comments cite requirements by ID (CERT-3, ADM-1); docs/requirements.md defines them. A cited ID the page does not
/// define is a dangling reference for every reader of that code.
/// </summary>
public sealed partial class RequirementReferenceTests
{
    [Fact]
    public void Every_requirement_the_code_cites_is_defined_in_docs_requirements()
    {
        string root = LayerRules.RepositoryRoot();
        var defined = Defined(File.ReadAllText(Path.Combine(root, "docs", "requirements.md")));
        Assert.True(defined.Count >= 30, $"docs/requirements.md defines {defined.Count} IDs: is its format still '**ID Title.**'?");

        var dangling = new List<string>();
        foreach (string dir in new[] { "src", "tests", "fuzz", "bench" }.Select(d => Path.Combine(root, d)).Where(System.IO.Directory.Exists))
        {
            foreach (string file in System.IO.Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
                foreach (Match m in Cited().Matches(File.ReadAllText(file)))
                {
                    if (!defined.Contains(m.Value))
                        dangling.Add($"{Path.GetRelativePath(root, file)}: {m.Value}");
                }
            }
        }
        Assert.True(dangling.Count == 0, "cited but not defined in docs/requirements.md:\n" + string.Join('\n', dangling.Distinct()));
    }

    [Fact]
    public void The_check_finds_an_undefined_citation()
    {
        var defined = Defined("- **CERT-3 Selection.** ...\n- **ADM-1 The trusted list.** ...");
        Assert.Equal(["ADM-1", "CERT-3"], defined.Order(StringComparer.Ordinal));
        string undefined = "ADM-" + "9"; // spelled apart, or the first test would find it here
        var cited = Cited().Matches($"// CERT-3 picks it; {undefined} admits it; SHA-256, UTF-8 and OUM-SEC-001 are not requirements").Select(m => m.Value);
        Assert.Equal(["CERT-3", undefined], cited);
    }

    private static HashSet<string> Defined(string markdown) =>
        [.. Definition().Matches(markdown).Select(m => m.Groups[1].Value)];

    // The prefixes of the requirement families; other capitalised words with a number (SHA-256) are not citations.
    // Not after a hyphen: OUM-SEC-001 is a security audit finding (docs/security-audit.md), not requirement SEC-1's family.
    [GeneratedRegex(@"(?<!-)\b(?:CALL|CFG|SEC|ADM|TLS|CERT|OUT|DLV|RUN|TOOL)-\d+[a-z]?\b")]
    private static partial Regex Cited();

    [GeneratedRegex(@"\*\*((?:CALL|CFG|SEC|ADM|TLS|CERT|OUT|DLV|RUN|TOOL)-\d+[a-z]?) ")]
    private static partial Regex Definition();
}
