namespace OpenUM.Bench;

/// <summary>The machine's load average, written to the benchmark log before a benchmark runs: its times mean little without it.</summary>
internal static class LoadAverage
{
    /// <summary>Writes "// load average before the run: 1-min 5-min 15-min" (Linux; nothing elsewhere).</summary>
    public static void Report(string benchmark)
    {
        if (File.Exists("/proc/loadavg"))
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            Console.WriteLine($"// {benchmark}: load average before the run: {fields[0]} {fields[1]} {fields[2]}");
        }
    }
}
