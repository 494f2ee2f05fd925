using System.Text;

namespace OpenUM.Server.SecurityAudit;

/// <summary>
/// The commands a finding prints, written so a shell reads them back word for word: a word that is not plain is
/// single-quoted, an empty one is "" (how the CLI clears a list), and a placeholder in angle brackets is left as it is
/// for the operator to replace.
/// </summary>
public static class FixCommand
{
    /// <summary>`openum` followed by <paramref name="words"/>.</summary>
    public static string Openum(params string[] words) => Join(["openum", .. words]);

    /// <summary>Any command (chmod for file permissions).</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));

    /// <summary>Whether <paramref name="word"/> is a placeholder such as &lt;ca-signed-certificate-file&gt;.</summary>
    public static bool IsPlaceholder(string word) => word.Length > 2 && word[0] == '<' && word[^1] == '>' && !word.AsSpan(1, word.Length - 2).ContainsAny('<', '>');

    /// <summary>A word as a POSIX shell reads it back unchanged.</summary>
    public static string Quote(string word)
    {
        if (word.Length == 0) return "\"\"";
        if (IsPlaceholder(word) || word.All(IsPlain)) return word;
        var quoted = new StringBuilder("'");
        foreach (char c in word) quoted.Append(c == '\'' ? "'\\''" : c.ToString());
        return quoted.Append('\'').ToString();
    }

    private static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '@' or '+' or '=' or ',' or '%';
}
