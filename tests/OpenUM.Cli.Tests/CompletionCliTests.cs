namespace OpenUM.Cli.Tests;

/// <summary>Shell completion: the script, and the [suggest] answers it relies on, from the real executable.</summary>
public sealed class CompletionCliTests
{
    private static (int Code, string Out) Run(params string[] args)
    {
        var (code, stdout, _) = OpenUmCli.Run(null, args);
        return (code, stdout);
    }

    [Fact]
    public void BashScriptCompletesCommandsAndOptions()
    {
        var (code, script) = Run("completion", "bash");
        Assert.Equal(0, code);
        Assert.Contains("complete -o default -F _openum_complete openum", script, StringComparison.Ordinal);

        // What the script asks for when the operator types `openum mailboxp<TAB>` and `openum server set --srtp-c<TAB>`.
        string line = "openum mailboxp";
        Assert.Contains("mailboxpolicy", Run($"[suggest:{line.Length}]", line).Out.Split('\n', StringSplitOptions.TrimEntries));
        line = "openum server set --srtp-c";
        Assert.Equal(["--srtp-crypto-suites"], Run($"[suggest:{line.Length}]", line).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        line = "openum dialplan set X --voip-security ";
        Assert.Equal(["Secured", "SipSecured", "Unsecured"], Run($"[suggest:{line.Length}]", line).Out
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ZshScriptAndUnknownShell()
    {
        var (code, script) = Run("completion", "zsh");
        Assert.Equal(0, code);
        Assert.Contains("compdef _openum openum", script, StringComparison.Ordinal);
        Assert.NotEqual(0, Run("completion", "fish").Code);
    }

    [Fact]
    public void EveryCommandsHelpHasAnExample()
    {
        // Walks the command tree from `openum --help`: a command with subcommands lists them under "Commands:".
        var missing = new List<string>();
        var misspelt = new List<string>();
        var pending = new Queue<string[]>([[]]);
        int leaves = 0;
        while (pending.Count > 0)
        {
            string[] path = pending.Dequeue();
            string help = Run([.. path, "--help"]).Out;
            foreach (var m in System.Text.RegularExpressions.Regex.Matches(help, @"\b(mailboxs|policys|[Aa] IP\b|[Aa] [aeioAEIO]\w*)"))
                misspelt.Add($"{string.Join(' ', path)}: {m}");
            var children = Subcommands(help);
            if (children.Count == 0)
            {
                leaves++;
                if (!help.Contains("Example:", StringComparison.Ordinal))
                    missing.Add(string.Join(' ', path));
            }
            foreach (string child in children)
                pending.Enqueue([.. path, child]);
        }
        Assert.True(leaves >= 40, $"only {leaves} commands found: the help walk is broken");
        Assert.True(missing.Count == 0, "commands whose --help has no example: " + string.Join(", ", missing));
        Assert.True(misspelt.Count == 0, "help texts with a wrong plural or article: " + string.Join("; ", misspelt));
    }

    private static List<string> Subcommands(string help)
    {
        var names = new List<string>();
        int at = help.IndexOf("\nCommands:", StringComparison.Ordinal);
        if (at < 0)
            return names;
        foreach (string line in help[(at + 10)..].Split('\n'))
        {
            // "  name <arg>   Description": a command line is indented by exactly two spaces.
            if (line.Length > 2 && line.StartsWith("  ", StringComparison.Ordinal) && line[2] != ' ')
                names.Add(line.Trim().Split(' ')[0]);
            else if (line.Length > 0 && !line.StartsWith(' '))
                break;
        }
        return names;
    }
}
