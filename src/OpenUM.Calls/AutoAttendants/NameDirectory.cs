using System.Text;
using OpenUM.Directory;

namespace OpenUM.Calls.AutoAttendants;

/// <summary>
/// Dial by name (Exchange's DialByNamePrimary LastFirst): a caller spells the last name then the first name on the
/// keys (2 = ABC ... 9 = WXYZ, as ITU E.161 letters them) and every mailbox of the dial plan whose display name spells
/// a string starting with those keys matches. The display name's last word is the last name, the words before it the
/// first name; accents are dropped (é is E, œ is OE) and characters without a letter are skipped.
/// </summary>
public static class NameDirectory
{
    /// <summary>The keys that spell <paramref name="displayName"/> last name first ("Alice Martin" = MARTINALICE = 6278462542).</summary>
    public static string KeysOf(string displayName)
    {
        ArgumentNullException.ThrowIfNull(displayName);
        var words = displayName.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0) return "";
        var keys = new StringBuilder(displayName.Length);
        Append(keys, words[^1]);
        foreach (var word in words[..^1]) Append(keys, word);
        return keys.ToString();
    }

    /// <summary>The mailboxes whose spelled name starts with <paramref name="keys"/> (digits 2-9 only), in extension order.</summary>
    public static IReadOnlyList<Mailbox> Find(IEnumerable<Mailbox> mailboxes, string keys)
    {
        ArgumentNullException.ThrowIfNull(mailboxes);
        if (string.IsNullOrEmpty(keys) || keys.Any(c => c is < '2' or > '9')) return [];
        return mailboxes.Where(m => !string.IsNullOrWhiteSpace(m.DisplayName) && KeysOf(m.DisplayName).StartsWith(keys, StringComparison.Ordinal))
            .OrderBy(m => m.Extension, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The key carrying a letter (A-Z, case-insensitive), or '\0'.</summary>
    public static char KeyOf(char letter) => char.ToUpperInvariant(letter) switch
    {
        >= 'A' and <= 'C' => '2',
        >= 'D' and <= 'F' => '3',
        >= 'G' and <= 'I' => '4',
        >= 'J' and <= 'L' => '5',
        >= 'M' and <= 'O' => '6',
        >= 'P' and <= 'S' => '7',
        >= 'T' and <= 'V' => '8',
        >= 'W' and <= 'Z' => '9',
        _ => '\0',
    };

    private static void Append(StringBuilder keys, string word)
    {
        foreach (char c in word)
        {
            foreach (char letter in Fold(c))
                if (KeyOf(letter) is not '\0' and var key) keys.Append(key);
        }
    }

    // Accented Latin letters as their base letters (the keypad has none); done by table because the server may run
    // with invariant globalization, where Unicode normalization leaves them as they are.
    private static string Fold(char c) => char.ToLowerInvariant(c) switch
    {
        'à' or 'á' or 'â' or 'ã' or 'ä' or 'å' => "a",
        'æ' => "ae",
        'ç' => "c",
        'è' or 'é' or 'ê' or 'ë' => "e",
        'ì' or 'í' or 'î' or 'ï' => "i",
        'ñ' => "n",
        'ò' or 'ó' or 'ô' or 'õ' or 'ö' or 'ø' => "o",
        'œ' => "oe",
        'ù' or 'ú' or 'û' or 'ü' => "u",
        'ý' or 'ÿ' => "y",
        'ß' => "ss",
        _ => c.ToString(),
    };
}
