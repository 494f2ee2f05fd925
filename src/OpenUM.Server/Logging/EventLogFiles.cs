using System.Globalization;

namespace OpenUM.Server.Logging;

/// <summary>
/// The names of events.jsonl's rotated files (events.1.jsonl is the newest, events.N.jsonl the oldest)
/// and reading across them in order while the server may be rotating.
/// </summary>
public static class EventLogFiles
{
    private const int OpenAttempts = 3;

    /// <summary>events.jsonl -> events.<paramref name="n"/>.jsonl in the same directory.</summary>
    public static string RotatedPath(string current, int n) =>
        Path.Combine(Path.GetDirectoryName(current) ?? ".",
            $"{Path.GetFileNameWithoutExtension(current)}.{n.ToString(CultureInfo.InvariantCulture)}{Path.GetExtension(current)}");

    /// <summary>The numbers of the rotated files that exist, ascending (newest first); gaps are possible after a crash.</summary>
    public static IReadOnlyList<int> RotatedNumbers(string current)
    {
        string directory = Path.GetDirectoryName(current) ?? ".";
        string stem = Path.GetFileNameWithoutExtension(current) + ".", extension = Path.GetExtension(current);
        var numbers = new List<int>();
        if (!System.IO.Directory.Exists(directory))
            return numbers;
        foreach (string file in System.IO.Directory.EnumerateFiles(directory, stem + "*" + extension))
        {
            string name = Path.GetFileName(file);
            if (name.Length <= stem.Length + extension.Length) continue;
            var middle = name.AsSpan(stem.Length, name.Length - stem.Length - extension.Length);
            if (middle.Length is > 0 and < 6 && middle[0] != '0' && int.TryParse(middle, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
                numbers.Add(n);
        }
        numbers.Sort();
        return numbers;
    }

    /// <summary>True when events.jsonl or any rotated file exists.</summary>
    public static bool Exist(string current) => File.Exists(current) || RotatedNumbers(current).Count > 0;

    /// <summary>
    /// The last <paramref name="last"/> (0 = all) items that <paramref name="select"/> makes of the lines of
    /// events.jsonl and its rotated files, oldest first. Lines <paramref name="select"/> maps to null (other
    /// events, a line cut short) are skipped. Files are read newest first until enough items are found.
    /// </summary>
    public static List<T> ReadLast<T>(string current, Func<string, T?> select, int last) where T : class
    {
        var files = OpenNewestFirst(current);
        var perFile = new List<List<T>>();
        int total = 0;
        try
        {
            foreach (var file in files)
            {
                var items = new List<T>();
                using (var reader = new StreamReader(file, leaveOpen: true))
                    while (reader.ReadLine() is { } line)
                        if (line.Length > 0 && select(line) is { } item)
                            items.Add(item);
                perFile.Add(items);
                total += items.Count;
                if (last > 0 && total >= last)
                    break;
            }
        }
        finally
        {
            foreach (var file in files) file.Dispose();
        }
        var all = new List<T>(total);
        for (int i = perFile.Count - 1; i >= 0; i--)
            all.AddRange(perFile[i]);
        return last > 0 && all.Count > last ? all[^last..] : all;
    }

    /// <summary>
    /// Opens events.jsonl and its rotated files, newest first, each file once. Open files keep their content
    /// when the server renames them, so a rotation while opening can only make one file appear under two
    /// names (dropped by identity) or move files past the listing (noticed: events.jsonl changed; opened again).
    /// </summary>
    public static List<FileStream> OpenNewestFirst(string current)
    {
        for (int attempt = 1; ; attempt++)
        {
            var opened = new List<FileStream>();
            var seen = new List<FileIdentity>();
            FileIdentity? first = null;
            try
            {
                foreach (string path in (IEnumerable<string>)[current, .. RotatedNumbers(current).Select(n => RotatedPath(current, n))])
                {
                    FileStream stream;
                    try
                    {
                        stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    }
                    catch (FileNotFoundException)
                    {
                        continue; // removed by the server's rotation since the listing
                    }
                    var identity = AppendOnlyFile.IdentityOf(stream.SafeFileHandle);
                    if (path == current) first = identity;
                    if (seen.Any(s => s.SameFile(identity)))
                    {
                        stream.Dispose();
                        continue;
                    }
                    seen.Add(identity);
                    opened.Add(stream);
                }
                var now = AppendOnlyFile.IdentityOf(current);
                bool stable = now is null ? first is null : first is { } f && f.SameFile(now.Value);
                if (stable || attempt == OpenAttempts)
                    return opened;
            }
            catch
            {
                foreach (var stream in opened) stream.Dispose();
                throw;
            }
            foreach (var stream in opened) stream.Dispose();
        }
    }
}
