using System.Diagnostics;

namespace OpenUM.Cli.Tests;

/// <summary>Runs the real `openum` executable as an operator would (stdin closed), optionally on a data directory.</summary>
internal static class OpenUmCli
{
    public static (int Code, string Out, string Err) Run(string? dataDirectory, params string[] args) => RunWithPath(null, dataDirectory, args);

    /// <summary>As <see cref="Run"/>, with the PATH the command sees replaced (null: this process's), to hide programs from it.</summary>
    public static (int Code, string Out, string Err) RunWithPath(string? path, string? dataDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(path is null ? "dotnet" : Dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        if (path is not null) start.Environment["PATH"] = path;
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

    // The dotnet host by its full path, for a command run with a PATH that does not lead to it.
    private static string Dotnet =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "dotnet")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("dotnet is not on PATH");
}
