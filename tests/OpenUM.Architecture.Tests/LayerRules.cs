namespace OpenUM.Architecture.Tests;

/// <summary>The "Who may reference whom" table of docs/architecture.md, and the check against compiled references.</summary>
internal static class LayerRules
{
    /// <summary>Assembly → the OpenUM assemblies it may reference, from the document's table.</summary>
    public static Dictionary<string, IReadOnlySet<string>> Read(string path)
    {
        var rules = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        bool inTable = false;
        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith("| Assembly | May reference |", StringComparison.Ordinal)) { inTable = true; continue; }
            if (!inTable) continue;
            if (!line.StartsWith('|')) break;
            string[] cells = line.Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length < 3 || cells[1].StartsWith("---", StringComparison.Ordinal)) continue;
            var allowed = cells[2] == "(none)" ? [] : cells[2].Split(',', StringSplitOptions.TrimEntries);
            rules[cells[1]] = new HashSet<string>(allowed, StringComparer.Ordinal);
        }
        if (rules.Count == 0) throw new InvalidDataException($"no \"| Assembly | May reference |\" table in {path}");
        return rules;
    }

    /// <summary>One line per reference the table does not allow, and per assembly without a row.</summary>
    public static List<string> Violations(IReadOnlyDictionary<string, IReadOnlySet<string>> rules, IReadOnlyDictionary<string, IReadOnlyList<string>> compiled)
    {
        var violations = new List<string>();
        foreach (var (assembly, references) in compiled)
        {
            if (!rules.TryGetValue(assembly, out var allowed))
            {
                violations.Add($"{assembly} has no row in the table");
                continue;
            }
            foreach (string reference in references.Where(r => r != assembly && !allowed.Contains(r)))
                violations.Add($"{assembly} references {reference}, which its row does not allow");
        }
        return violations;
    }

    public static string DocumentPath() => Path.Combine(RepositoryRoot(), "docs", "architecture.md");

    // The directory holding OpenUM.slnx, above the test's output directory.
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpenUM.slnx"))) return dir.FullName;
        throw new InvalidOperationException("OpenUM.slnx not found above " + AppContext.BaseDirectory);
    }
}
