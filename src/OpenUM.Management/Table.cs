using System.Collections;
using System.Globalization;
using System.Reflection;

namespace OpenUM.Management;

/// <summary>Plain-text tables (Format-Table) and property lists (Format-List) for people at a terminal.</summary>
internal static class Table
{
    public static void Write<T>(TextWriter output, IReadOnlyList<T> items, (string Header, Func<T, object?> Value)[] columns)
    {
        var cells = items.Select(item => columns.Select(c => Format(c.Value(item))).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Header.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        output.WriteLine(string.Join("  ", columns.Select((c, i) => c.Header.PadRight(widths[i]))).TrimEnd());
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in cells)
            output.WriteLine(string.Join("  ", row.Select((v, i) => v.PadRight(widths[i]))).TrimEnd());
    }

    /// <summary>"Name : value" lines; <paramref name="formats"/> gives properties whose number needs a unit (milliseconds, seconds).</summary>
    public static void WriteList<T>(TextWriter output, T item, IReadOnlyDictionary<string, Func<object?, string>>? formats = null)
    {
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        int width = properties.Max(p => p.Name.Length);
        foreach (var p in properties)
        {
            var value = p.GetValue(item);
            output.WriteLine($"{p.Name.PadRight(width)} : {(formats is not null && formats.TryGetValue(p.Name, out var format) ? format(value) : Format(value))}");
        }
    }

    /// <summary>A duration as people read it: "142 ms" under a second, "0:16", "30:00", "1:05:00", "60 days".</summary>
    public static string Duration(TimeSpan t)
    {
        if (t < TimeSpan.Zero) return "-" + Duration(t.Negate());
        if (t > TimeSpan.Zero && t < TimeSpan.FromSeconds(1)) return Milliseconds(t.TotalMilliseconds);
        if (t >= TimeSpan.FromDays(1) && t.Ticks % TimeSpan.TicksPerDay == 0) return t.Days == 1 ? "1 day" : $"{t.Days} days";
        string clock = t.TotalHours >= 1
            ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}"
            : $"{t.Minutes}:{t.Seconds:00}";
        return clock;
    }

    /// <summary>Milliseconds with their unit, rounded: "142 ms".</summary>
    public static string Milliseconds(double ms) => Math.Round(ms).ToString("0", CultureInfo.InvariantCulture) + " ms";

    public static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        TimeSpan t => Duration(t),
        IEnumerable e => string.Join(", ", e.Cast<object?>().Select(Format)),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
