using System.Text;
using System.Text.RegularExpressions;

namespace OpenUM.Interop.Tests.Package;

/// <summary>
/// The [Service] section of an installed systemd unit, read as systemd reads the parts the package test uses:
/// settings in order (a key may repeat), Environment= and EnvironmentFile= (a leading '-': optional), and
/// ExecStart= with $VAR split on white space and ${VAR} kept as one word (systemd.service(5), "Command lines").
/// </summary>
public sealed partial class InstalledUnit
{
    private readonly List<(string Key, string Value)> _service = [];

    private InstalledUnit() { }

    /// <summary>Reads the unit file at <paramref name="path"/>.</summary>
    public static InstalledUnit Read(string path)
    {
        var unit = new InstalledUnit();
        string section = "";
        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line[0] == '[') { section = line; continue; }
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (section == "[Service]" && eq > 0)
                unit._service.Add((line[..eq].Trim(), line[(eq + 1)..].Trim()));
        }
        return unit;
    }

    /// <summary>The last value of a [Service] setting, or null.</summary>
    public string? Get(string key) => _service.LastOrDefault(s => s.Key == key).Value;

    /// <summary>The service's environment: Environment= assignments, then the EnvironmentFile= files that exist.</summary>
    public IReadOnlyDictionary<string, string> Environment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in _service.Where(s => s.Key == "Environment"))
            foreach (string assignment in Words(value))
                Assign(env, assignment);
        foreach (var (key, value) in _service.Where(s => s.Key == "EnvironmentFile"))
        {
            bool optional = value.StartsWith('-');
            string file = optional ? value[1..] : value;
            if (!File.Exists(file))
            {
                if (optional) continue;
                throw new FileNotFoundException($"EnvironmentFile={value} does not exist", file);
            }
            foreach (string raw in File.ReadAllLines(file))
            {
                string line = raw.Trim();
                if (line.Length == 0 || line[0] is '#' or ';') continue;
                int eq = line.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) continue;
                string v = line[(eq + 1)..].Trim();
                if (v.Length >= 2 && (v[0] == '"' || v[0] == '\'') && v[^1] == v[0]) v = v[1..^1];
                env[line[..eq].Trim()] = v;
            }
        }
        return env;
    }

    /// <summary>ExecStart= as the argument vector systemd would execute with <paramref name="env"/>.</summary>
    public IReadOnlyList<string> ExecStart(IReadOnlyDictionary<string, string> env)
    {
        string exec = Get("ExecStart") ?? throw new InvalidOperationException("the unit has no ExecStart=");
        exec = exec.TrimStart('-', '@', ':', '+', '!');
        var argv = new List<string>();
        foreach (string word in Words(exec))
        {
            if (WholeVariable().Match(word) is { Success: true } whole)
                argv.AddRange((env.TryGetValue(whole.Groups[1].Value, out var v) ? v : "")
                    .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            else
                argv.Add(BracedVariable().Replace(word, m => env.TryGetValue(m.Groups[1].Value, out var v) ? v : ""));
        }
        return argv;
    }

    private static void Assign(Dictionary<string, string> env, string assignment)
    {
        int eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0) env[assignment[..eq]] = assignment[(eq + 1)..];
    }

    // Words separated by white space; double or single quotes group, as in unit files.
    private static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        char quote = '\0';
        bool any = false;
        foreach (char c in text)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0'; else word.Append(c);
            }
            else if (c is '"' or '\'') { quote = c; any = true; }
            else if (char.IsWhiteSpace(c))
            {
                if (any || word.Length > 0) yield return word.ToString();
                word.Clear();
                any = false;
            }
            else word.Append(c);
        }
        if (any || word.Length > 0) yield return word.ToString();
    }

    [GeneratedRegex(@"^\$([A-Za-z_][A-Za-z0-9_]*)$")]
    private static partial Regex WholeVariable();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex BracedVariable();
}
