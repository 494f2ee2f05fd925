using System.Globalization;
using System.Text;

namespace OpenUM.Delivery;

/// <summary>
/// Caller-controlled text from SIP signalling (the From display name and user part) made fit to show in a
/// voice message: literal text on one line, without invisible or direction-changing characters, without the
/// characters of address syntax, and bounded. Nothing is decoded: "=?utf-8?q?...?=" or "%0A" stay those
/// characters (the composer encodes them so that a mail reader shows them as written).
/// </summary>
public static class CallerText
{
    /// <summary>
    /// Longest caller name kept, in characters (Unicode scalar values). North American caller-ID names (CNAM) have
    /// at most 15 characters and PBX display names rarely reach 40; 64 keeps every real name whole while the Subject
    /// ("Voice mail from NAME (NUMBER) (m:ss)") stays one readable line and the encoded header a few lines.
    /// </summary>
    public const int MaxNameLength = 64;

    /// <summary>
    /// Longest caller number kept, in characters: E.164 numbers have at most 15 digits, so 32 leaves room for a
    /// '+', access prefixes and a SIP user name, and anything longer is not a number a person can call back.
    /// </summary>
    public const int MaxNumberLength = 32;

    /// <summary>Appended to a value that was cut at its cap, so nobody takes it for the whole name or number.</summary>
    public const string Truncated = "...";

    // Only this much of the input is looked at: the result is at most 64 characters, and a caller can put up to a
    // SIP line (8 KB) into a name; 1024 leaves room for plenty of removed characters before the cap is reached.
    private const int MaxInput = 1024;

    /// <summary>The caller's name as shown: see <see cref="Clean"/>; capped at <see cref="MaxNameLength"/>.</summary>
    public static string Name(string? value) => Clean(value, MaxNameLength);

    /// <summary>The caller's number as shown: see <see cref="Clean"/>; capped at <see cref="MaxNumberLength"/>.</summary>
    public static string Number(string? value) => Clean(value, MaxNumberLength);

    /// <summary>
    /// Control characters (C0 with CR, LF, NUL and TAB; C1), line and paragraph separators (U+2028, U+2029) and
    /// other spaces become one space; format characters (category Cf: bidi embeddings and overrides such as U+202E,
    /// zero-width characters, the BOM), private-use, unassigned and noncharacter code points and the address-syntax
    /// characters '"', '&lt;' and '&gt;' are removed; runs of spaces collapse and the ends are trimmed. A longer
    /// result is cut to <paramref name="maxLength"/> characters, the last three being <see cref="Truncated"/>.
    /// </summary>
    public static string Clean(string? value, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, Truncated.Length + 1);
        if (string.IsNullOrEmpty(value)) return "";
        if (IsClean(value, maxLength)) return value; // the common case, per call: no copy

        var input = value.AsSpan(0, Math.Min(value.Length, MaxInput));
        if (input.Length < value.Length && char.IsHighSurrogate(input[^1])) input = input[..^1];
        var text = new StringBuilder(Math.Min(input.Length, maxLength * 2) + 1);
        int kept = 0;                // scalar values in text
        int cutAt = -1;              // text.Length once kept reached maxLength - Truncated.Length
        bool space = false, cut = input.Length < value.Length;
        Span<char> utf16 = stackalloc char[2];
        foreach (var rune in input.EnumerateRunes())
        {
            var treatment = Kind(rune);
            if (treatment == Treatment.Space) space = kept > 0;
            if (treatment != Treatment.Keep) continue;
            if (kept + (space ? 2 : 1) > maxLength)
            {
                cut = true;
                break;
            }
            if (space) Append(" ");
            Append(utf16[..rune.EncodeToUtf16(utf16)]);
            space = false;
        }
        if (!cut) return text.ToString();
        // Cut: the first maxLength - 3 characters and the marker (fewer when removed characters used up the input).
        text.Length = cutAt >= 0 ? cutAt : text.Length;
        return text.ToString().TrimEnd() + Truncated;

        void Append(ReadOnlySpan<char> s)
        {
            text.Append(s);
            if (++kept == maxLength - Truncated.Length) cutAt = text.Length;
        }
    }

    // True when Clean would return the value as it is: only kept characters and single spaces (U+0020) between them,
    // at most maxLength scalar values. U+FFFD takes the long way, since it may stand for a lone surrogate the long
    // way replaces.
    private static bool IsClean(string value, int maxLength)
    {
        if (value.Length > MaxInput) return false;
        int count = 0;
        bool afterSpace = true; // a leading space is not clean
        foreach (var rune in value.AsSpan().EnumerateRunes())
        {
            var treatment = Kind(rune);
            if (treatment == Treatment.Remove || rune == Rune.ReplacementChar) return false;
            bool isSpace = treatment == Treatment.Space;
            if (isSpace && (rune.Value != ' ' || afterSpace)) return false;
            afterSpace = isSpace;
            if (++count > maxLength) return false;
        }
        return !afterSpace;
    }

    private enum Treatment { Keep, Space, Remove }

    private static Treatment Kind(Rune rune)
    {
        if (rune.Value is '"' or '<' or '>') return Treatment.Remove;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => Treatment.Space,
            UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned => Treatment.Remove,
            _ => Treatment.Keep,
        };
    }
}
