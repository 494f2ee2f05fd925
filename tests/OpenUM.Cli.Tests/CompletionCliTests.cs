using System.Diagnostics;

namespace OpenUM.Cli.Tests;

/// <summary>Shell completion: the script, and the [suggest] answers it relies on, from the real executable.</summary>
public sealed class CompletionCliTests
{
    private static (int Code, string Out) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "openum.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60))) { process.Kill(); throw new TimeoutException(string.Join(' ', args)); }
        return (process.ExitCode, stdout.Result);
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
}
