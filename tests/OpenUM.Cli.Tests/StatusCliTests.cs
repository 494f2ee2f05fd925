using System.Diagnostics;
using System.Text;

namespace OpenUM.Cli.Tests;

/// <summary>`openum status`, `openum calls list` without a server, and `openum events --follow` across rotation.</summary>
public sealed class StatusCliTests : IDisposable
{
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-status-cli-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("status")]
    [InlineData("calls", "list")]
    public void WithoutARunningServerTheCommandSaysHowToStartOneAndCreatesNothing(params string[] command)
    {
        string data = Path.Combine(_root, "never-served");
        var (code, stdout, stderr) = OpenUmCli.Run(data, [.. command, "--json"]);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal($"error: no server is running for {data}: start it with openum serve --data-dir {data}", stderr.Trim());
        Assert.False(System.IO.Directory.Exists(data), "asking for a server's status created its data directory");
    }

    [Fact]
    public async Task EventsFollowPrintsNewEventsAcrossRotationAndHonoursId()
    {
        string events = Path.Combine(_root, "events.jsonl");
        await File.WriteAllTextAsync(events, Line(1, 2011, "before") + Line(2, 1021, "old refusal"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "openum.dll"), "events", "--follow", "--id", "1021", "--json", "--data-dir", _root })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        try
        {
            await WaitForAsync(output, "old refusal", process);
            await File.AppendAllTextAsync(events, Line(3, 2002, "answered") + Line(4, 1021, "new refusal"));
            await WaitForAsync(output, "new refusal", process);
            // The server's rotation: events.jsonl renamed, a new one begun; a line written to the old file just before counts too.
            await File.AppendAllTextAsync(events, Line(5, 1021, "last before rotation"));
            File.Move(events, Path.Combine(_root, "events.1.jsonl"));
            await File.WriteAllTextAsync(events, Line(6, 1021, "after rotation"));
            await WaitForAsync(output, "after rotation", process);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        string[] lines;
        lock (output) lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // One JSON object per line, only ID 1021, each once, in order.
        Assert.Equal(["old refusal", "new refusal", "last before rotation", "after rotation"],
            lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("message").GetString()));
    }

    private static string Line(int second, int id, string message) =>
        $"{{\"time\":\"2025-01-01T00:00:{second:00}Z\",\"id\":{id},\"level\":\"Warning\",\"name\":\"E{id}\",\"category\":\"t\",\"message\":\"{message}\",\"properties\":{{}}}}\n";

    private static async Task WaitForAsync(StringBuilder output, string text, Process process)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60); // hang guard
        while (true)
        {
            lock (output)
                if (output.ToString().Contains(text, StringComparison.Ordinal)) return;
            if (process.HasExited)
                Assert.Fail($"openum events --follow exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
            Assert.True(DateTime.UtcNow < deadline, $"'{text}' not printed within the hang guard; so far:\n{output}");
            await Task.Delay(50);
        }
    }
}
