using System.Text.RegularExpressions;

namespace OpenUM.Architecture.Tests;

/// <summary>
/// No code of the server starts a thread of its own. `openum serve` starts all its pool threads before it serves and
/// never adds one (OpenUM.Server's PoolThreads): on Linux a new runtime thread needs a descriptor (a pipe), and at the
/// descriptor limit a failed start ends the process. A `new Thread` or a LongRunning task (which is a new thread) would
/// bring that back; blocking work belongs on the pool, or better, asynchronous.
/// </summary>
public sealed partial class ThreadRules
{
    [Fact]
    public void No_server_code_starts_a_thread_of_its_own()
    {
        string src = Path.Combine(LayerRules.RepositoryRoot(), "src");
        var found = new List<string>();
        int files = 0;
        foreach (string file in System.IO.Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")) continue;
            files++;
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                if (StartsAThread().IsMatch(StripComment(lines[i])))
                    found.Add($"{Path.GetRelativePath(src, file)}:{i + 1}: {lines[i].Trim()}");
        }
        Assert.True(files > 200, $"only {files} files read: has the layout changed?");
        Assert.True(found.Count == 0, "code that starts a thread of its own:\n" + string.Join('\n', found));
    }

    [Theory]
    [InlineData("var t = new Thread(Run);", true)]
    [InlineData("Thread t = new(Run) { IsBackground = true };", true)]
    [InlineData("Task.Factory.StartNew(Run, TaskCreationOptions.LongRunning);", true)]
    [InlineData("new System.Threading.Thread(() => { })", true)]
    [InlineData("await Task.Run(Run);", false)]
    [InlineData("ThreadPool.UnsafeQueueUserWorkItem(Run, state, false);", false)]
    [InlineData("Thread.Sleep(25);", false)]
    public void The_rule_sees_thread_starts(string line, bool starts) =>
        Assert.Equal(starts, StartsAThread().IsMatch(StripComment(line)));

    private static string StripComment(string line) =>
        line.IndexOf("//", StringComparison.Ordinal) is var at and >= 0 ? line[..at] : line;

    [GeneratedRegex(@"new\s+(System\.Threading\.)?Thread\s*\(|Thread\s+\w+\s*=\s*new\s*\(|TaskCreationOptions\.LongRunning")]
    private static partial Regex StartsAThread();
}
