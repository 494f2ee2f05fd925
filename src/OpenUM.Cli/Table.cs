using System.Collections;
using System.Globalization;
using System.Reflection;

namespace OpenUM.Cli;

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

    public static void WriteList<T>(TextWriter output, T item)
    {
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        int width = properties.Max(p => p.Name.Length);
        foreach (var p in properties)
            output.WriteLine($"{p.Name.PadRight(width)} : {Format(p.GetValue(item))}");
    }

    public static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IEnumerable e => string.Join(", ", e.Cast<object?>().Select(Format)),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
