using System.Globalization;

namespace OpenUM.LoadGen;

/// <summary>CPU time used by this process (utime + stime of /proc/self/stat, all threads).</summary>
internal static class ProcessCpu
{
    private static readonly double TicksPerSecond = ClockTicks();

    public static TimeSpan Self()
    {
        // Fields after the command name (which may hold spaces) start at ") "; utime and stime are the 12th and 13th.
        string stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    // USER_HZ is 100 on every Linux the project runs on; getconf is asked in case it is not.
    private static double ClockTicks()
    {
        try
        {
            using var getconf = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("getconf", "CLK_TCK")
            { RedirectStandardOutput = true, UseShellExecute = false });
            string text = getconf!.StandardOutput.ReadToEnd().Trim();
            getconf.WaitForExit();
            return double.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out double hz) && hz > 0 ? hz : 100;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 100;
        }
    }
}
