using System.Diagnostics;

namespace OpenUM.Cli.Tests;

/// <summary>Runs the real `openum` executable as an operator would (stdin closed), optionally on a data directory.</summary>
internal static class OpenUmCli
{
    public static (int Code, string Out, string Err) Run(string? dataDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "openum.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        if (dataDirectory is not null)
        {
            start.ArgumentList.Add("--data-dir");
            start.ArgumentList.Add(dataDirectory);
        }
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60))) { process.Kill(); throw new TimeoutException(string.Join(' ', args)); }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
