using System.Text;

namespace OpenUM.Cli.Tests.SecurityAudit;

/// <summary>A printed command split as a POSIX shell splits it: blanks separate words, '…' and "…" quote, a backslash escapes the next character (the audit uses no other syntax).</summary>
internal static class ShellWords
{
    public static IReadOnlyList<string> Split(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < command.Length; i++)
        {
            char c = command[i];
            if (c == ' ')
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            inWord = true;
            if (c == '\\' && i + 1 < command.Length)
            {
                word.Append(command[++i]);
            }
            else if (c is '\'' or '"')
            {
                int end = command.IndexOf(c, i + 1);
                Assert.True(end > i, $"unclosed {c} in: {command}");
                word.Append(command, i + 1, end - i - 1);
                i = end;
            }
            else
            {
                word.Append(c);
            }
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }
}
