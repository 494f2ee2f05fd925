namespace OpenUM.Directory.Dialing;

/// <summary>The five shapes a NumberMask (and, after an optional '+', a DialedNumber) may take.</summary>
public enum DialingPatternForm
{
    /// <summary>"*" alone: any number.</summary>
    Any,

    /// <summary>Digits then one trailing "*", e.g. "011*".</summary>
    PrefixAny,

    /// <summary>Digits (possibly none) then one or more trailing "x", e.g. "91425xxxxxxx" or "xxxx".</summary>
    PrefixX,

    /// <summary>Only digits: an exact number.</summary>
    Digits,
}

/// <summary>
/// A parsed NumberMask or DialedNumber (reference §1.5): its form, the literal digits before the
/// wildcard, the total length and, for a DialedNumber, whether a leading '+' asks for an E.164 output.
/// </summary>
public readonly record struct DialingPattern(DialingPatternForm Form, bool Plus, string Literal, int Length)
{
    /// <summary>Longest NumberMask and DialedNumber (Exchange: 64).</summary>
    public const int MaxLength = 64;

    /// <summary>True when the pattern holds an 'x' run.</summary>
    public bool HasX => Form == DialingPatternForm.PrefixX;

    /// <summary>True when the pattern holds a '*'.</summary>
    public bool HasStar => Form is DialingPatternForm.Any or DialingPatternForm.PrefixAny;

    /// <summary>
    /// Parses a mask or dialed number; on failure <paramref name="error"/> says what is wrong and what
    /// is allowed. A leading '+' is accepted only when <paramref name="allowPlus"/> (DialedNumber).
    /// </summary>
    public static bool TryParse(string? text, bool allowPlus, out DialingPattern pattern, out string error)
    {
        pattern = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "is required";
            return false;
        }

        if (text.Length > MaxLength)
        {
            error = $"is {text.Length} characters long; at most {MaxLength} are allowed";
            return false;
        }

        var span = text.AsSpan();
        var plus = span[0] == '+';
        if (plus)
        {
            if (!allowPlus)
            {
                error = "may not start with '+' (only a DialedNumber may)";
                return false;
            }

            span = span[1..];
        }

        var digits = 0;
        while (digits < span.Length && char.IsAsciiDigit(span[digits]))
        {
            digits++;
        }

        var tail = span[digits..];
        DialingPatternForm? form = tail.Length switch
        {
            0 when digits > 0 => DialingPatternForm.Digits,
            1 when tail[0] == '*' => digits == 0 ? DialingPatternForm.Any : DialingPatternForm.PrefixAny,
            > 0 when IsAllX(tail) => DialingPatternForm.PrefixX,
            _ => null,
        };
        if (form is null)
        {
            error = "is malformed: give * alone, digits followed by one *, digits followed by x characters, only x characters, or only digits"
                + (allowPlus ? " (optionally after a leading +)" : "")
                + "; x and * may appear only at the end and cannot be mixed";
            return false;
        }

        pattern = new DialingPattern(form.Value, plus, span[..digits].ToString(), span.Length);
        error = "";
        return true;
    }

    private static bool IsAllX(ReadOnlySpan<char> tail)
    {
        foreach (var c in tail)
        {
            if (c is not ('x' or 'X'))
            {
                return false;
            }
        }

        return true;
    }
}
