using System.Text.RegularExpressions;

namespace OpenUM.Cli.Tests;

/// <summary>
/// Every command, found by walking `--help`: its errors name options it has, a missing required option is reported
/// as missing, and a wrong value for any option is reported against that option: never a crash, a help dump,
/// or an option of another command.
/// </summary>
[Collection(nameof(InProcessCliCollection))]
public sealed partial class CommandWalkTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-walk-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    /// <summary>One command as its help describes it.</summary>
    private sealed record HelpPage(string[] Path, IReadOnlyList<string> Commands, IReadOnlyDictionary<string, (bool Required, bool TakesValue)> Options, IReadOnlyList<string> Arguments);

    // Commands that reach the network or run the server: walked for help, not run.
    private static readonly string[] NotRun = ["serve", "test-connectivity", "play-on-phone"];

    // Options every command has; not what a command's own errors are about.
    private static readonly string[] Global = ["--help", "--data-dir", "--json", "--store"];

    [Fact]
    public void EveryErrorOfEveryCommandNamesAnOptionItHas()
    {
        var pages = Walk([]).ToList();
        Assert.True(pages.Count > 40, $"the walk found only {pages.Count} commands");
        var leaves = pages.Where(p => p.Commands.Count == 0 && !NotRun.Contains(p.Path[^1])).ToList();
        Prepare();
        var failures = new List<string>();
        int runs = 0;
        foreach (var page in leaves)
        {
            // Bare: whatever is required is reported as missing, by its name.
            var (code, _, err) = Run([.. page.Path]);
            runs++;
            Check(page, [.. page.Path], code, err, failures, expectOption: null);
            foreach (var (option, facts) in page.Options.Where(o => o.Value.Required))
                if (!err.Contains($"error: {option}: missing;", StringComparison.Ordinal))
                    failures.Add($"`openum {string.Join(' ', page.Path)}` without {option} does not say it is missing: {err.Trim()}");

            // Each option in turn with a value no option accepts, the rest of the command line right.
            foreach (var (option, facts) in page.Options.Where(o => !Global.Contains(o.Key) && !o.Value.Required))
            {
                string[] args = [.. page.Path, .. Valid(page, runs), option, "%"];
                (code, _, err) = Run(args);
                runs++;
                // A made-up thumbprint is refused before any option is looked at: there, only that errors name options it has.
                Check(page, args, code, err, failures, expectOption: page.Arguments.Contains("thumbprint") ? null : option);
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {runs} runs misled:\n" + string.Join('\n', failures));
    }

    // The store the sweep runs against: one of each object, so `set` has something to change.
    private void Prepare()
    {
        foreach (var args in new[]
        {
            new[] { "dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4" },
            ["gateway", "new", "--name", "pbx1", "--address", "192.0.2.10", "--dial-plan", "Contoso"],
            ["mailbox", "new", "--extension", "1000", "--dial-plan", "Contoso", "--email", "user1000@example.test"],
            ["mailboxpolicy", "new", "--name", "Staff", "--dial-plan", "Contoso"],
            ["autoattendant", "new", "--name", "Reception", "--dial-plan", "Contoso"],
        })
        {
            var (code, _, err) = Run(args);
            Assert.True(code == 0, string.Join(' ', args) + ": " + err);
        }
    }

    // Right values for the command's required options and arguments; names are fresh each run so `new` can succeed.
    private string[] Valid(HelpPage page, int run)
    {
        var args = new List<string>();
        foreach (var argument in page.Arguments)
            args.Add(argument switch
            {
                "name" => page.Path[0] switch { "gateway" => "pbx1", "mailboxpolicy" => "Staff", "huntgroup" => "pbx1-Contoso", "autoattendant" => "Reception", _ => "Contoso" },
                "extension" => "1000",
                "file" => Garbage(),
                "thumbprint" => "00",
                "shell" => "bash",
                _ => "x",
            });
        foreach (var (option, _) in page.Options.Where(o => o.Value.Required))
        {
            args.Add(option);
            args.Add(option switch
            {
                "--name" => $"N{run}",
                "--extension" => page.Path[^1] == "new" ? (2000 + run % 1000).ToString() : "1000",
                "--dial-plan" => "Contoso",
                "--address" => "192.0.2.10",
                "--email" => $"u{run}@example.test",
                "--ip-gateway" => "pbx1",
                "--number-of-digits-in-extension" => "4",
                "--subject" => "um.contoso.example",
                "--out" => Path.Combine(_data, $"out{run}"),
                "--number" => "1000",
                _ => "x",
            });
        }
        return [.. args];
    }

    // An existing file that is no certificate, key or list: what the file argument's command then says is about it.
    private string Garbage()
    {
        string path = Path.Combine(_data, "garbage.txt");
        File.WriteAllText(path, "not a certificate\n");
        return path;
    }

    private static void Check(HelpPage page, string[] args, int code, string err, List<string> failures, string? expectOption)
    {
        string command = "openum " + string.Join(' ', args);
        if (err.Contains("   at ", StringComparison.Ordinal) || err.Contains("Unhandled exception", StringComparison.Ordinal))
            failures.Add($"`{command}` crashed: {err}");
        if (err.Contains("Description:", StringComparison.Ordinal))
            failures.Add($"`{command}` dumped the help instead of saying what is wrong");
        foreach (Match named in ErrorOption().Matches(err))
            if (!page.Options.ContainsKey(named.Groups[1].Value) && named.Groups[1].Value != expectOption)
                failures.Add($"`{command}` names {named.Groups[1].Value}, which `openum {string.Join(' ', page.Path)}` does not have: {err.Trim()}");
        if (code != 0 && !ReportsByExitCode(page, code) && !err.Contains("error:", StringComparison.Ordinal))
            failures.Add($"`{command}` failed (exit {code}) without an error line: {err.Trim()}");
        // The wrong value is the option's; a rule across options may name its partner instead (--smart-host-user needs
        // --smart-host-password-file), but an error naming no option leaves the reader guessing.
        if (expectOption is not null && code != 0 && err.Contains("error:", StringComparison.Ordinal)
            && !err.Contains($"error: {expectOption}:", StringComparison.Ordinal) && !ErrorOption().IsMatch(err))
            failures.Add($"`{command}` failed, but not naming {expectOption}: {err.Trim()}");
    }

    // `security audit` gives its worst finding as its exit code (3-6, docs/security-audit.md): a result, not a failure.
    private static bool ReportsByExitCode(HelpPage page, int code) => page.Path.SequenceEqual(["security", "audit"]) && code >= 3;

    private IEnumerable<HelpPage> Walk(string[] path)
    {
        var (code, help, err) = Run([.. path, "--help"]);
        Assert.True(code == 0, $"openum {string.Join(' ', path)} --help: {err}");
        var page = Parse(path, help);
        yield return page;
        foreach (var sub in page.Commands)
            foreach (var child in Walk([.. path, sub]))
                yield return child;
    }

    private static HelpPage Parse(string[] path, string help)
    {
        var commands = new List<string>();
        var options = new Dictionary<string, (bool, bool)>();
        var arguments = new List<string>();
        string section = "";
        foreach (var raw in help.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length > 0 && !char.IsWhiteSpace(line[0])) { section = line.TrimEnd(':'); continue; }
            string item = line.Trim();
            if (item.Length == 0 || line.StartsWith("   ", StringComparison.Ordinal)) continue; // a description's second line
            string head = Regex.Split(item, @"\s{2,}")[0];
            switch (section)
            {
                case "Commands":
                    commands.Add(head.Split(' ')[0]);
                    break;
                case "Arguments":
                    arguments.Add(head.Trim('<', '>'));
                    break;
                case "Options":
                    var name = head.Split(", ").Select(n => n.Split(' ')[0]).LastOrDefault(n => n.StartsWith("--", StringComparison.Ordinal));
                    if (name is not null) options[name] = (head.Contains("(REQUIRED)", StringComparison.Ordinal), head.Contains('<'));
                    break;
            }
        }
        return new HelpPage(path, commands, options, arguments);
    }

    private (int Code, string Out, string Err) Run(params string[] args) => InProcessCli.Run(_data, args);

    [GeneratedRegex(@"error: (--[a-z0-9-]+)")]
    private static partial Regex ErrorOption();
}
