namespace OpenUM.Directory.Dialing;

/// <summary>
/// One dialing rule (OUT-1, Exchange's dial group entry): entries sharing a <see cref="Name"/> form one
/// group; <see cref="NumberMask"/> selects numbers and <see cref="DialedNumber"/> is what the gateway receives.
/// </summary>
public sealed record DialingRuleEntry(string Name, string NumberMask, string DialedNumber, string? Comment = null)
{
    /// <summary>Longest group name (Exchange: 32).</summary>
    public const int MaxNameLength = 32;

    /// <summary>Longest comment (Exchange: 96).</summary>
    public const int MaxCommentLength = 96;

    /// <summary>
    /// Parses the command-line form <c>Name,NumberMask,DialedNumber[,Comment]</c>; fields are trimmed and
    /// the comment keeps any further commas. Returns null with <paramref name="error"/> set when the field count is wrong.
    /// </summary>
    public static DialingRuleEntry? TryParse(string? text, out string error)
    {
        var parts = (text ?? "").Split(',', 4);
        if (parts.Length < 3)
        {
            error = $"'{text}' has {parts.Length} comma-separated field(s); give Name,NumberMask,DialedNumber[,Comment]";
            return null;
        }

        error = "";
        var comment = parts.Length == 4 ? parts[3].Trim() : "";
        return new DialingRuleEntry(parts[0].Trim(), parts[1].Trim(), parts[2].Trim(), comment.Length == 0 ? null : comment);
    }

    /// <summary>
    /// Checks the field rules and the cross-field rules of reference §1.5; returns null when valid,
    /// otherwise a message that starts with the offending field's name and value.
    /// </summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Trim().Length != Name.Length || Name.Length > MaxNameLength
            || Name.Any(c => char.IsControl(c) || c == ','))
        {
            return $"Name '{Name}' is not allowed: give 1-{MaxNameLength} characters without commas, control characters or surrounding spaces";
        }

        if (!DialingPattern.TryParse(NumberMask, allowPlus: false, out var mask, out var maskError))
        {
            return $"NumberMask '{NumberMask}' {maskError}";
        }

        if (!DialingPattern.TryParse(DialedNumber, allowPlus: true, out var dialed, out var dialedError))
        {
            return $"DialedNumber '{DialedNumber}' {dialedError}";
        }

        if (Comment is not null && (Comment.Length > MaxCommentLength || Comment.Any(char.IsControl)))
        {
            return $"Comment is not allowed: at most {MaxCommentLength} characters without control characters";
        }

        return CrossFieldError(mask, dialed);
    }

    /// <summary>The command-line form, which <see cref="TryParse"/> reads back.</summary>
    public override string ToString() => Comment is null ? $"{Name},{NumberMask},{DialedNumber}" : $"{Name},{NumberMask},{DialedNumber},{Comment}";

    private string? CrossFieldError(DialingPattern mask, DialingPattern dialed)
    {
        var pair = $"NumberMask '{NumberMask}' with DialedNumber '{DialedNumber}'";
        if (mask.HasStar && dialed.HasX)
        {
            return $"{pair}: a mask containing * cannot have x in the dialed number (there are no x digits to copy)";
        }

        if (mask.Form == DialingPatternForm.Any && dialed.Form is not (DialingPatternForm.Digits or DialingPatternForm.Any))
        {
            return $"{pair}: the mask * needs a dialed number of only digits or exactly *";
        }

        if (mask.Form == DialingPatternForm.Digits && dialed.Form != DialingPatternForm.Digits)
        {
            return $"{pair}: a mask of only digits needs a dialed number of only digits";
        }

        if (dialed.HasX && !mask.HasX)
        {
            return $"{pair}: x may appear in the dialed number only if the mask also contains x";
        }

        // OpenUM's own rule: with an x mask, Exchange would send "digits*" literally, '*' and all, to the
        // gateway; that is never what an operator meant.
        if (dialed.Form == DialingPatternForm.PrefixAny && mask.Form != DialingPatternForm.PrefixAny)
        {
            return $"{pair}: a dialed number ending in * (other than * alone) needs a mask ending in * to take the rest of the number from";
        }

        return null;
    }
}
