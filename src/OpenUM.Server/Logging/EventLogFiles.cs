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
    /// events, a line cut short) are skipped. Each file is read from its end backwards until enough items are found:
    /// the console's event page asks for the last 50 every 5 s, and that must not cost a read (and a parse) of the
    /// whole file, however large it has grown.
    /// </summary>
    public static List<T> ReadLast<T>(string current, Func<string, T?> select, int last) where T : class
    {
        var files = OpenNewestFirst(current);
        var newestFirst = new List<T>();
        try
        {
            foreach (var file in files)
            {
                foreach (string line in LinesNewestFirst(file))
                {
                    if (select(line) is not { } item) continue;
                    newestFirst.Add(item);
                    if (last > 0 && newestFirst.Count == last) break;
                }
                if (last > 0 && newestFirst.Count == last) break;
            }
        }
        finally
        {
            foreach (var file in files) file.Dispose();
        }
        newestFirst.Reverse();
        return newestFirst;
    }

    /// <summary>Longest line kept when reading backwards; a longer one (never written by the server) is skipped.</summary>
    public const int MaxLineBytes = 1024 * 1024;

    /// <summary>
    /// The non-empty lines of <paramref name="file"/> from its end to its start (as it was when called: lines appended
    /// meanwhile are not read), in 64 KiB blocks. Lines split on the byte '\n', which UTF-8 never uses inside a character.
    /// </summary>
    internal static IEnumerable<string> LinesNewestFirst(FileStream file)
    {
        const int Block = 64 * 1024;
        long position = file.Length;
        var block = new byte[Block];
        // The bytes after the last newline seen so far, not yet known to be a whole line (their start is further back).
        byte[] partial = [];
        bool tooLong = false;
        while (position > 0)
        {
            int n = (int)Math.Min(Block, position);
            position -= n;
            file.Position = position;
            file.ReadExactly(block, 0, n);
            int end = n;
            for (int i = n - 1; i >= 0; i--)
            {
                if (block[i] != (byte)'\n') continue;
                if (Line(block.AsSpan(i + 1, end - i - 1), partial, tooLong) is { } line) yield return line;
                partial = [];
                tooLong = false;
                end = i;
            }
            // What precedes the first newline of this block continues into the block before it.
            if (tooLong || partial.Length + end > MaxLineBytes)
                (partial, tooLong) = ([], true);
            else
                partial = [.. block.AsSpan(0, end), .. partial];
        }
        if (Line([], partial, tooLong) is { } first) yield return first;
    }

    private static string? Line(ReadOnlySpan<byte> head, byte[] rest, bool tooLong)
    {
        if (tooLong || head.Length + rest.Length == 0 || head.Length + rest.Length > MaxLineBytes) return null;
        return rest.Length == 0 ? System.Text.Encoding.UTF8.GetString(head) : System.Text.Encoding.UTF8.GetString([.. head, .. rest]);
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
