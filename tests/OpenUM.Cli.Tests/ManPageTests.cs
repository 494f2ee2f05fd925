using System.CommandLine;
using System.Diagnostics;
using OpenUM.Management;

namespace OpenUM.Cli.Tests;

/// <summary>openum(8), generated from the command tree: what a tree puts in it, and the real manual as groff reads it.</summary>
public sealed class ManPageTests
{
    private enum Color { Red, Green }

    [Fact]
    public void EveryVisibleCommandArgumentAndOptionIsDescribed()
    {
        var root = new RootCommand("OpenUM: a test tree.");
        root.Options.Add(new Option<string>("--data-dir") { Description = "Data directory", Recursive = true });
        var thing = new Command("thing", "Things.");
        var make = new Command("new", "Make a thing.\nExample: openum thing new --name x")
        {
            new Argument<string>("file") { Description = "The thing's .file" },
            new Option<string>("--name", "-n") { Description = "The thing's name", Required = true },
            new Option<int?>("--count") { Description = "How many" },
            new Option<Color>("--color") { Description = "Its color" },
            new Option<bool>("--force") { Description = "Even if it exists" },
            new Option<string>("--secret") { Description = "Not for the manual", Hidden = true },
        };
        thing.Subcommands.Add(make);
        root.Subcommands.Add(thing);
        root.Subcommands.Add(new Command("internal", "Not for the manual") { Hidden = true });

        string page = ManPage.Render(root, "9.8.7");

        Assert.StartsWith(".TH OPENUM 8 \"\" \"OpenUM 9.8.7\"", page, StringComparison.Ordinal);
        Assert.Contains("openum \\- a test tree.", page, StringComparison.Ordinal);
        Assert.Contains(".SS \"openum thing\"\nThings.\n", page, StringComparison.Ordinal);
        Assert.Contains(".SS \"openum thing new \\fIfile\\fR\"\nMake a thing.\n.br\nExample: openum thing new \\-\\-name x\n", page, StringComparison.Ordinal);
        // A line of text starting with a dot would be a roff request: it is guarded.
        Assert.Contains(".TP\n\\fIfile\\fR\nThe thing's .file\n", page, StringComparison.Ordinal);
        Assert.Contains(".TP\n\\fB\\-\\-name\\fR, \\fB\\-n\\fR \\fIvalue\\fR (required)\nThe thing's name\n", page, StringComparison.Ordinal);
        Assert.Contains("\\fB\\-\\-count\\fR \\fInumber\\fR\nHow many\n", page, StringComparison.Ordinal);
        Assert.Contains("\\fB\\-\\-color\\fR {\\fBGreen\\fR|\\fBRed\\fR}\nIts color\n", page, StringComparison.Ordinal);
        Assert.Contains("\\fB\\-\\-force\\fR\nEven if it exists\n", page, StringComparison.Ordinal);
        string global = page[page.IndexOf(".SH GLOBAL OPTIONS", StringComparison.Ordinal)..page.IndexOf(".SH COMMANDS", StringComparison.Ordinal)];
        Assert.Contains(".TP\n\\fB\\-\\-data\\-dir\\fR \\fIvalue\\fR\nData directory\n", global, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", page, StringComparison.Ordinal);
        Assert.DoesNotContain("internal", page, StringComparison.Ordinal);
        Assert.DoesNotContain("\\-\\-help", page.Replace("\\fB\\-\\-help\\fR.", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".start", "\\&.start")]
    [InlineData("'quote", "\\&'quote")]
    [InlineData("a\\b", "a\\eb")]
    [InlineData("say \"x\"", "say \\(dqx\\(dq")]
    [InlineData("self-signed", "self\\-signed")]
    public void TextIsEscapedForRoff(string text, string roff) => Assert.Equal(roff, ManPage.Escape(text));

    [Fact]
    public async Task TheRealManualHasEveryTopLevelCommandAndGroffReadsItWithoutWarnings()
    {
        var (code, page, err) = OpenUmCli.Run(null, "man-page");
        Assert.True(code == 0, err);
        var (helpCode, help, _) = OpenUmCli.Run(null, "--help");
        Assert.Equal(0, helpCode);
        // The commands the root help lists: "  name <arg>  description" lines under "Commands:".
        var commands = help[help.IndexOf("Commands:", StringComparison.Ordinal)..].Split('\n').Skip(1)
            .Where(l => l.StartsWith("  ", StringComparison.Ordinal) && !l.StartsWith("   ", StringComparison.Ordinal))
            .Select(l => l.Trim().Split(' ')[0]).Where(n => n.Length > 0).ToList();
        Assert.True(commands.Count > 15, "root help lists only: " + string.Join(", ", commands));
        foreach (string command in commands)
            Assert.Contains($".SS \"openum {ManPage.Escape(command)}", page, StringComparison.Ordinal);
        Assert.DoesNotContain("man\\-page", page, StringComparison.Ordinal);
        Assert.Contains("\\fB\\-\\-sip\\-tcp\\-port\\fR \\fInumber\\fR", page, StringComparison.Ordinal);

        // groff -ww: every warning on; -z: no output, only the diagnostics.
        var start = new ProcessStartInfo("groff", ["-man", "-Tutf8", "-ww", "-z"])
        { RedirectStandardInput = true, RedirectStandardError = true };
        using var groff = Process.Start(start)!;
        var diagnostics = groff.StandardError.ReadToEndAsync();
        await groff.StandardInput.WriteAsync(page);
        groff.StandardInput.Close();
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await groff.WaitForExitAsync(hangGuard.Token);
        string said = await diagnostics;
        Assert.True(groff.ExitCode == 0 && said.Length == 0, "groff: " + said);
    }
}
